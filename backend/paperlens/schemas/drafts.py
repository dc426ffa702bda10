"""Related work for a draft: the papers a draft's bibliography lacks (POST /related/missing)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import MAX_ABSTRACT, MAX_TITLE
from ..corpus.paper import PAPER_ID
from .limits import MAX_IMPORT, MAX_K
from .papers import ResultSchema
from .shared import SUMMARY_MODES, Rank, RankUsed, StrictSchema


class BibliographyField(fields.Field):
    """BibTeX text, or a list of paper ids (arxiv:, doi:, title:)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return fields.List(fields.String(validate=validate.Regexp(PAPER_ID)),
                               validate=validate.Length(max=MAX_IMPORT)).deserialize(value)
        raise ma.ValidationError("Give BibTeX text or a list of paper ids.")


class MissingRequest(StrictSchema):
    """A draft (title and abstract) and its bibliography."""

    title = fields.String(load_default="", validate=validate.Length(max=MAX_TITLE))
    abstract = fields.String(load_default="", validate=validate.Length(max=MAX_ABSTRACT))
    bibliography = BibliographyField(load_default=list, metadata={
        "description": "the draft's references: BibTeX text (as Zotero or JabRef export it), or a list of paper ids",
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    rank = Rank()

    @ma.validates_schema
    def something_to_rank(self, data, **kwargs):
        if not (data.get("title") or "").strip() and not (data.get("abstract") or "").strip():
            raise ma.ValidationError("Give the draft's title and/or abstract.", "_schema")


class MissingResultSchema(ResultSchema):
    draft_sentence = fields.String(allow_none=True, required=True,
                                   metadata={"description": "the draft's sentence that matches the paper best"})
    paper_sentence = fields.String(allow_none=True, required=True,
                                   metadata={"description": "the paper's sentence that matches the draft best"})


class CitedSchema(ma.Schema):
    entries = fields.Integer(required=True, metadata={"description": "entries read from the bibliography"})
    in_corpus = fields.Integer(required=True, metadata={"description": "corpus papers they name (all left out)"})
    skipped = fields.List(fields.Dict(), required=True, metadata={"description": "the first 100 entries that name "
                                                                                "no paper, with why"})
    skipped_total = fields.Integer(required=True)


class MissingQuerySchema(ma.Schema):
    terms = fields.Integer(required=True, metadata={"description": "distinct query terms known to the index"})


class MissingResponse(ma.Schema):
    query = fields.Nested(MissingQuerySchema, required=True)
    rank = RankUsed()
    bibliography = fields.Nested(CitedSchema, required=True)
    corpus_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(MissingResultSchema), required=True,
                          metadata={"description": "most related first; no paper the bibliography names"})
