"""Related papers: for a paper in the corpus (its id) or any paper (its text and ids)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import MAX_ABSTRACT, MAX_TITLE
from ..corpus.paper import PAPER_ID, normalise_title
from .limits import MAX_K
from .papers import SAVED, PaperInSchema, ResultSchema
from .shared import SUMMARY_MODES, AuthorList, KArgs, Rank, RankUsed, Since, Sort


class RelatedArgs(KArgs):
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    sort = Sort()
    since = Since()
    rank = Rank()


class RelatedRequest(PaperInSchema):
    """A paper given by its text and/or ids (PaperInSchema's fields, none required); it need not
    be in the corpus."""

    id = fields.String(validate=validate.Regexp(PAPER_ID))
    title = fields.String(validate=validate.Length(max=MAX_TITLE))
    abstract = fields.String(validate=validate.Length(max=MAX_ABSTRACT))
    authors = AuthorList()
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))
    save = fields.Boolean(load_default=False, metadata={"description": "also add the paper to the corpus"})
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    sort = Sort()
    since = Since()
    rank = Rank()

    @ma.validates_schema
    def paper_has_an_identity(self, data, **kwargs):
        """Replaces PaperInSchema's check: here ids alone are enough."""

    @ma.validates_schema
    def something_to_rank(self, data, **kwargs):
        has_text = (data.get("title") or "").strip() or (data.get("abstract") or "").strip()
        has_id = data.get("id") or data.get("arxiv_id") or data.get("doi")
        if not has_text and not has_id:
            raise ma.ValidationError("Give a title and/or abstract, or an id of a paper in the corpus.", "_schema")
        if data.get("save") and not normalise_title(data.get("title") or ""):
            raise ma.ValidationError("Saving a paper to the corpus needs its title (with letters or digits).", "title")


class QuerySchema(ma.Schema):
    """The paper the related papers are for (the page's paper, for the extension)."""

    id = fields.String(allow_none=True)
    in_corpus = fields.Boolean(required=True)
    terms = fields.Integer(required=True, metadata={"description": "distinct query terms known to the index"})
    url = fields.String(allow_none=True, metadata={"description": "its page (as PaperSchema's url)"})
    saveable = fields.Boolean(required=True, metadata={"description": "in the corpus, or given with enough metadata "
                                                                      "(a title and an id) to be saved with it"})
    saved = fields.Boolean(metadata={"description": SAVED})


class RelatedResponse(ma.Schema):
    query = fields.Nested(QuerySchema, required=True)
    rank = RankUsed()
    corpus_version = fields.Integer(required=True)
    cached = fields.Boolean(required=True)
    demo_corpus = fields.Boolean(metadata={"description": "true while the corpus is only the demo serve loaded "
                                                          "(the panel then says how to follow a field)"})
    results = fields.List(fields.Nested(ResultSchema), required=True)
