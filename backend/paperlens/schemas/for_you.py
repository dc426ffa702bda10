"""For you: a listing's papers ranked by the reading list, the digest of new papers, and its feed."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import MAX_ABSTRACT, MAX_TITLE
from ..corpus.paper import PAPER_ID, clean_arxiv_id, clean_doi, normalise_title
from .limits import MAX_CANDIDATES, MAX_K
from .papers import MatchedTermSchema, PaperInSchema, ResultSchema
from .shared import SUMMARY_MODES, AuthorList, Rank, RankUsed, StrictSchema, Tag

SCORE_0_100 = ("0-100 against the reading list (or the tag's papers): 50 is as close as the median saved paper "
               "is to the rest of the list, 100 as close as the closest; it depends only on the list and the "
               "paper, so scores of one list compare across calls")


LIST_MEANING = ("closeness in meaning to the list: the mean cosine of the paper's embedding with its nearest saved "
                "papers'; with rank=hybrid the score mixes the words' 0-100 score with meaning's on the same scale; "
                "null when the signal is off, the paper has no vector yet, or fewer than two saved papers have one")


class CandidateSchema(PaperInSchema):
    """A paper of a listing: its id, or its title and abstract with its arXiv id or DOI (none of
    PaperInSchema's fields is required); it need not be in the corpus."""

    id = fields.String(validate=validate.Regexp(PAPER_ID))
    title = fields.String(validate=validate.Length(max=MAX_TITLE))
    abstract = fields.String(validate=validate.Length(max=MAX_ABSTRACT))
    authors = AuthorList()

    @ma.validates_schema
    def paper_has_an_identity(self, data, **kwargs):
        has_id = data.get("id") or clean_arxiv_id(data.get("arxiv_id")) or clean_doi(data.get("doi")) \
            or clean_arxiv_id(data.get("url"))
        if not has_id and not normalise_title(data.get("title") or ""):
            raise ma.ValidationError("Give the paper's id, or its title (with its arXiv id or DOI when it has one).",
                                     "_schema")


class RankRequest(StrictSchema):
    papers = fields.List(fields.Nested(CandidateSchema), required=True,
                         validate=validate.Length(min=1, max=MAX_CANDIDATES),
                         metadata={"description": f"the candidates, at most {MAX_CANDIDATES} (a whole listing page)"})
    tag = Tag(allow_none=True, metadata={"description": "rank against the saved papers with this tag only"})
    rank = Rank()


class BecauseSchema(ma.Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)


class RankResultSchema(ma.Schema):
    id = fields.String(allow_none=True, required=True,
                       metadata={"description": "the id the corpus stores the paper under; for a paper the corpus "
                                                "lacks, the id its metadata gives it (arxiv:, doi: or title:)"})
    score = fields.Float(required=True, metadata={"description": SCORE_0_100})
    because = fields.List(fields.Nested(BecauseSchema), required=True,
                          metadata={"description": "the (up to 3) saved papers it is closest to, closest first"})
    matched_terms = fields.List(fields.Nested(MatchedTermSchema), required=True,
                                metadata={"description": "words it shares with those papers; weight: the word's part "
                                                         "of the closeness"})
    meaning = fields.Float(allow_none=True, metadata={"description": LIST_MEANING})
    saved = fields.Boolean(required=True, metadata={"description": "in the caller's reading list"})
    in_corpus = fields.Boolean(required=True, metadata={"description": "the corpus has it (it can be saved by id); "
                                                                     "otherwise saving needs its metadata"})


class RankResponse(ma.Schema):
    rank = RankUsed()
    based_on = fields.Integer(required=True, metadata={"description": "saved papers ranked against (0: every score "
                                                                      "is 0)"})
    dismissed = fields.Integer(required=True, metadata={"description": "papers marked not interested; candidates "
                                                                       "like them score lower"})
    tag = fields.String(allow_none=True)
    results = fields.List(fields.Nested(RankResultSchema), required=True,
                          metadata={"description": "one per candidate, in the order given"})


class DigestArgs(StrictSchema):
    days = fields.Integer(load_default=1, validate=validate.Range(min=1, max=30),
                          metadata={"description": "papers that joined the corpus in the last `days` × 24 hours"})
    k = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_K))
    tag = Tag(metadata={"description": "rank against the saved papers with this tag only"})
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    rank = Rank()


class DigestResultSchema(ResultSchema):
    score = fields.Float(required=True, metadata={"description": SCORE_0_100})
    meaning = fields.Float(allow_none=True, metadata={"description": LIST_MEANING})
    because = fields.List(fields.Nested(BecauseSchema), required=True)
    joined_at = fields.String(required=True, metadata={"description": "when it joined the corpus (ISO 8601, UTC)"})


class DigestResponse(ma.Schema):
    rank = RankUsed()
    days = fields.Integer(required=True)
    since = fields.String(required=True, metadata={"description": "start of the window (ISO 8601, UTC, included)"})
    until = fields.String(required=True, metadata={"description": "end of the window: the time of the request"})
    new_papers = fields.Integer(required=True, metadata={"description": "papers that joined in the window"})
    based_on = fields.Integer(required=True)
    dismissed = fields.Integer(required=True)
    tag = fields.String(allow_none=True)
    corpus_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(DigestResultSchema), required=True,
                          metadata={"description": "best first (newest first while the list is empty); never a "
                                                   "saved or dismissed paper"})


class FeedUrlResponse(ma.Schema):
    url = fields.String(required=True, metadata={"description": "the digest's Atom feed; shown once, it opens that "
                                                                "feed and nothing else"})
    created = fields.String(required=True)


class FeedStatusResponse(ma.Schema):
    exists = fields.Boolean(required=True)
    created = fields.String(allow_none=True)
