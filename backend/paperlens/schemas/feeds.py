"""Sync feeds: a feed as it is saved over the API and as it is shown with its runs."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..sync.sources import SOURCES
from .shared import StrictSchema

# The shape of a feed; what each kind accepts (and what is wrong with it) is checked by its sync source.
FEED_KINDS = list(SOURCES)
DAY = {"description": "YYYY-MM-DD"}


class FeedOptionsSchema(StrictSchema):
    category = fields.List(fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=50),
                           metadata={"description": "arxiv: arXiv categories, e.g. [\"cs.CL\", \"cs.LG\"]"})
    query = fields.String(validate=validate.Length(max=1000), metadata={"description": "arxiv: arXiv search syntax"})
    since = fields.String(validate=validate.Length(max=10), metadata=DAY)
    max = fields.Integer(validate=validate.Range(min=1, max=1_000_000), metadata={"description": "arxiv: stop after"})
    set = fields.String(validate=validate.Length(max=100), metadata={"description": "oai: cs, math, physics:hep-th, ..."})
    from_ = fields.String(data_key="from", validate=validate.Length(max=10), metadata=DAY)
    until = fields.String(validate=validate.Length(max=10), metadata=DAY)
    date = fields.String(validate=validate.Length(max=10), metadata=DAY)
    server = fields.String(validate=validate.OneOf(["biorxiv", "medrxiv"]))

    @ma.post_load
    def named_as_on_the_command_line(self, data, **kwargs):
        if "from_" in data:
            data["from"] = data.pop("from_")
        return data


class FeedInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(FEED_KINDS))
    options = fields.Nested(FeedOptionsSchema, load_default=dict)
    every = fields.String(required=True, validate=validate.Length(max=20),
                          metadata={"description": "how often it runs: 30s, 15m, 6h, 1d, ..."})


class FeedRunSchema(ma.Schema):
    started = fields.String(required=True)
    finished = fields.String(required=True)
    fetched = fields.Integer()
    added = fields.Integer()
    merged = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()
    requests = fields.Integer()
    trimmed = fields.Integer(metadata={"description": "papers stored after trimming to the corpus's limits"})


class FeedSchema(ma.Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    options = fields.Dict(required=True)
    every = fields.String(required=True)
    description = fields.String(required=True)
    created = fields.String(required=True)
    running_since = fields.String(allow_none=True)
    last_run = fields.Nested(FeedRunSchema, allow_none=True)
    last_error = fields.String(allow_none=True)
    added_total = fields.Integer(required=True)
    next_run = fields.String(allow_none=True)


class FeedsResponse(ma.Schema):
    feeds = fields.List(fields.Nested(FeedSchema), required=True)
