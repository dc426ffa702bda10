"""Sync feeds: a feed as it is saved over the API and as it is shown with its runs."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..sync.sources import SOURCES, Option
from ..sync.sources.contract import CHOICE, COUNT, DAY
from .shared import StrictSchema

FEED_KINDS = list(SOURCES)


def _option_field(option: Option, kinds: list[str]) -> fields.Field:
    """The API's field for an option the sources declare (sync/sources/contract.py); `kinds`: the
    sources that take it, named in its description."""
    described = {"description": f"{', '.join(kinds)}: {option.api_help}"} if option.api_help else {}
    if option.kind == DAY:
        return fields.String(validate=validate.Length(max=len("YYYY-MM-DD")), metadata={"description": "YYYY-MM-DD"})
    if option.kind == COUNT:
        return fields.Integer(validate=validate.Range(min=option.low, max=option.high), metadata=described)
    if option.kind == CHOICE:
        return fields.String(validate=validate.OneOf(list(option.choices)), metadata=described)
    if option.max_length is None:
        raise TypeError(f"option {option.name!r}: text a request sends needs a max_length")
    if option.many:
        return fields.List(fields.String(validate=validate.Length(max=option.max_length)),
                           validate=validate.Length(max=option.max_items), metadata=described)
    return fields.String(validate=validate.Length(max=option.max_length), metadata=described)


def _feed_options() -> dict[str, fields.Field]:
    """Every option any source declares, once, in the order the sources declare them. Sources that
    share an option name (since, from, until) must declare it alike."""
    declared: dict[str, tuple[Option, list[str]]] = {}
    for kind, source in SOURCES.items():
        for option in source.OPTIONS:
            if option.name not in declared:
                declared[option.name] = (option, [kind])
                continue
            first, kinds = declared[option.name]
            if (first.kind, first.many, first.max_length, first.max_items, first.low, first.high, first.choices,
                    first.api_help) != (option.kind, option.many, option.max_length, option.max_items, option.low,
                                        option.high, option.choices, option.api_help):
                raise TypeError(f"option {option.name!r} is declared differently by {kinds[0]} and {kind}")
            kinds.append(kind)
    return {name: _option_field(option, kinds) for name, (option, kinds) in declared.items()}


# The shape of a feed's options, made from the sources' declarations; what each kind accepts (and
# what is wrong with it) is checked by its sync source.
FeedOptionsSchema = StrictSchema.from_dict(_feed_options(), name="FeedOptionsSchema")


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
