"""Papers: one as a client sends it and as every answer shows it, adding papers, a ranked result,
search, and the lookup by URL."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..domain.entries import PaperInSchema
from .limits import MAX_QUERY
from .shared import SUMMARY_MODES, KArgs, Rank, RankUsed, Since, Sort, StrictSchema
from .summaries import SummarySchema


class PaperSchema(ma.Schema):
    """A paper as every answer shows it (results and reading-list items leave some fields out)."""

    id = fields.String(required=True, metadata={"description": "the id the corpus stores it under"})
    title = fields.String(required=True)
    abstract = fields.String(required=True)
    authors = fields.List(fields.String(), required=True)
    arxiv_id = fields.String(allow_none=True)
    doi = fields.String(allow_none=True)
    published = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    url = fields.String(allow_none=True, metadata={"description": "a page for the paper; in rankings its canonical "
                                                                 "page: arXiv's abstract page, else its DOI's, else "
                                                                 "the url it came with"})
    source = fields.String()
    source_id = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    upvotes = fields.Integer(allow_none=True)


class PapersInSchema(StrictSchema):
    """`{"papers": [...]}`; a bare list or a single bare paper object is accepted too."""

    papers = fields.List(fields.Nested(PaperInSchema), required=True, validate=validate.Length(min=1, max=1000))

    @ma.pre_load
    def accept_bare_forms(self, data, **kwargs):
        if isinstance(data, list):
            return {"papers": data}
        if isinstance(data, dict) and "papers" not in data:
            return {"papers": [data]}
        return data


class StoredSchema(ma.Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["added", "merged", "unchanged"]))


class PostPapersResponse(ma.Schema):
    results = fields.List(fields.Nested(StoredSchema), required=True)
    added = fields.Integer(required=True)
    merged = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    corpus_version = fields.Integer(required=True)


class MatchedTermSchema(ma.Schema):
    term = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"description": "this word's share of the BM25 score"})


SAVED = "in the reading list of the token's user; left out without a (valid) token"
MEANING = ("closeness in meaning to the query (cosine of the two papers' embeddings, -1 to 1); null when the "
           "semantic signal is off on this server or the paper has no vector yet")


class ResultSchema(PaperSchema):
    """A ranked paper: the paper's display fields, its score and the words that put it there."""

    class Meta:
        exclude = ("abstract", "arxiv_id", "doi", "source", "categories", "upvotes")

    score = fields.Float(required=True, metadata={"description": "the BM25 score (with rank=hybrid the order is "
                                                                 "that of BM25 and meaning fused)"})
    matched_terms = fields.List(fields.Nested(MatchedTermSchema), required=True)
    meaning = fields.Float(allow_none=True, metadata={"description": MEANING})
    closeness = fields.Integer(allow_none=True, validate=validate.Range(0, 100), metadata={
        "description": "0-100 on this corpus's own scale: 50 is as close as a typical related pair, 25 half "
                       "as close (the share of the query's highest possible BM25 score, against the median share "
                       "of the corpus's own related pairs); null where a list has its own scale (listings, digest)"})
    tldr = fields.String(allow_none=True)
    summary = fields.Nested(SummarySchema, metadata={"description": "with summaries=full"})
    saved = fields.Boolean(metadata={"description": SAVED})
    saveable = fields.Boolean(required=True, metadata={"description": "PUT /library/{id} saves it without metadata"})


class SearchArgs(KArgs):
    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUERY))
    summaries = fields.String(load_default="none", validate=validate.OneOf(SUMMARY_MODES))
    sort = Sort()
    since = Since()
    rank = Rank()


class SearchResponse(ma.Schema):
    q = fields.String(required=True)
    rank = RankUsed()
    corpus_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)


class PaperByUrlArgs(StrictSchema):
    """GET /papers/lookup: a paper by the URL it was stored with."""

    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000),
                     metadata={"description": "the paper's stored URL (scheme, www., fragment and a "
                                              "trailing / do not matter)"})
