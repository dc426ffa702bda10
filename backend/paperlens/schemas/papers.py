"""Papers: one as a client sends it and as every answer shows it, adding papers, a ranked result,
search, and the lookup by URL."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import (MAX_ABSTRACT, MAX_ARXIV_ID, MAX_CATEGORIES, MAX_CATEGORY, MAX_DOI, MAX_SOURCE_ID,
                             MAX_TITLE, MAX_UPVOTES, MAX_URL)
from ..corpus.paper import clean_arxiv_id, clean_doi, normalise_title
from .limits import MAX_QUERY
from .shared import SUMMARY_MODES, AuthorList, KArgs, Rank, RankUsed, Since, Sort, StrictSchema
from .summaries import SummarySchema


class PaperInSchema(StrictSchema):
    """A paper as a client sends it (the extension posts the page's paper this way)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    abstract = fields.String(load_default="", validate=validate.Length(max=MAX_ABSTRACT))
    authors = AuthorList(load_default=list)
    arxiv_id = fields.String(allow_none=True, validate=validate.Length(max=MAX_ARXIV_ID))
    doi = fields.String(allow_none=True, validate=validate.Length(max=MAX_DOI))
    published = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=MAX_URL))
    categories = fields.List(fields.String(validate=validate.Length(max=MAX_CATEGORY)),
                             validate=validate.Length(max=MAX_CATEGORIES))
    upvotes = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_UPVOTES))
    source_id = fields.String(allow_none=True, validate=validate.Length(max=MAX_SOURCE_ID))

    @ma.validates_schema
    def paper_has_an_identity(self, data, **kwargs):
        # ids come from the arXiv id, the DOI, or else the normalised title: one must be usable
        has_id = clean_arxiv_id(data.get("arxiv_id")) or clean_doi(data.get("doi")) or clean_arxiv_id(data.get("url"))
        if not normalise_title(data.get("title", "")) and not has_id:
            raise ma.ValidationError("The title must contain letters or digits (or give an arXiv id or DOI).", "title")


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
