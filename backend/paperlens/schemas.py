"""Marshmallow schemas for every request and response; the OpenAPI document is generated from them."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

from .corpus.limits import (MAX_ABSTRACT, MAX_ARXIV_ID, MAX_AUTHOR, MAX_AUTHORS, MAX_CATEGORIES, MAX_CATEGORY, MAX_DOI,
                            MAX_SOURCE_ID, MAX_TITLE, MAX_UPVOTES, MAX_URL)
from .corpus.paper import PAPER_ID, clean_arxiv_id, clean_doi, normalise_title, split_authors, valid_text
from .library.export import FORMATS as EXPORT_FORMATS
from .corpus.list_limits import MAX_IMPORT, MAX_NOTE, MAX_TAG, MAX_TAGS
from .sync.sources import SOURCES

MAX_K = 100
MAX_QUERY = 2000

class StrictSchema(ma.Schema):
    """Requests: unknown fields are refused, and every string is made storable (no lone surrogates)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def storable_strings(self, data, **kwargs):
        return _storable(data)


def _storable(value):
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k) if isinstance(k, str) else k: _storable(v) for k, v in value.items()}
    return value


class AuthorList(fields.List):
    """A list of names; a single string "A, B and C" is accepted and split, as sources give both."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(max=MAX_AUTHOR)), validate=validate.Length(max=MAX_AUTHORS),
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = split_authors(value)
        return super()._deserialize(value, attr, data, **kwargs)


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


class SummarySchema(ma.Schema):
    tldr = fields.String(required=True)
    sentences = fields.List(fields.String(), required=True)
    key_terms = fields.List(fields.String(), required=True)
    method = fields.String(required=True)


class PaperSummarySchema(SummarySchema):
    paper_id = fields.String(required=True)


class MatchedTermSchema(ma.Schema):
    term = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"description": "this word's share of the BM25 score"})


SAVED = "in the reading list of the token's user; left out without a (valid) token"
MEANING = ("closeness in meaning to the query (cosine of the two papers' embeddings, -1 to 1); null when the "
           "semantic signal is off on this server or the paper has no vector yet")
RANKS = ("bm25", "hybrid")
FUSION_DEPTH = 30  # ranking/fusion.py's DEPTH (schemas import nothing from the ranking room)


def Rank(**kwargs) -> fields.String:  # noqa: N802 - a field factory reads like a field class
    return fields.String(validate=validate.OneOf(RANKS), metadata={
        "description": f"bm25: the exact BM25 ranking; hybrid: BM25's top {FUSION_DEPTH} re-ranked with closeness in "
                       "meaning "
                       "(README \"Related by meaning\"). Default: hybrid when the server has the semantic signal, "
                       "else bm25"}, **kwargs)


def RankUsed(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(required=True, validate=validate.OneOf(RANKS), metadata={
        "description": "the ranking this answer was made with (bm25 when the signal is off or the query has no "
                       "vector)"}, **kwargs)


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


SUMMARY_MODES = ("none", "tldr", "full")
SORTS = ("score", "date")


def _a_day(value: str) -> None:
    from datetime import date

    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ma.ValidationError("Not a date: give YYYY-MM-DD.") from None


def Sort(**kwargs) -> fields.String:  # noqa: N802 - a field factory reads like a field class
    return fields.String(load_default="score", validate=validate.OneOf(SORTS),
                         metadata={"description": "score: most related first; date: the same papers, newest first "
                                                  "(undated last)"}, **kwargs)


def Since(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=_a_day, metadata={"description": "only papers published on this day or later "
                                                                   "(YYYY-MM-DD; a year or month counts as its first "
                                                                   "day; undated papers are left out)"}, **kwargs)


class KArgs(StrictSchema):
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))


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


# -- connecting the extension -------------------------------------------------------------------
class ConnectRequest(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the one-time code `paperlens connect` printed (any case; "
                                                  "spaces and dashes are ignored)"})
    client = fields.String(load_default="browser", validate=validate.Regexp(r"^[a-z]{1,20}$"),
                           metadata={"description": "which browser, for the token's name (chromium, firefox)"})


class ConnectResponse(ma.Schema):
    token = fields.String(required=True, metadata={"description": "shown once; send it as "
                                                                  "'Authorization: Bearer <token>'"})
    user = fields.String(required=True, metadata={"description": "whose reading list the token acts for"})
    name = fields.String(required=True, metadata={"description": "the token's name (paperlens token list / revoke)"})


class SemanticHealthSchema(ma.Schema):
    on = fields.Boolean(required=True, metadata={"description": "related by meaning is on here (rank=hybrid)"})
    model = fields.String(allow_none=True, metadata={"description": "the embedding model"})
    why_off = fields.String(allow_none=True, metadata={"description": "why the signal is off (pure BM25 then), or "
                                                                    "why this process cannot embed a query"})
    vectors_loaded = fields.Integer(required=True, metadata={"description": "papers' vectors this process has"})


class HealthSchema(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok", "degraded"]))
    redis = fields.Boolean(required=True)
    papers = fields.Integer(required=True, metadata={"description": "papers in the index"})
    corpus_version = fields.Integer(allow_none=True, metadata={"description": "null while Redis is unreachable"})
    index_version = fields.Integer(required=True)
    summaries_backlog = fields.Integer(allow_none=True, metadata={
        "description": "corpus-log entries (papers added, or whose text changed) not summarised ahead of time yet; "
                       "null while Redis is unreachable"})
    demo_corpus = fields.Boolean(allow_none=True, metadata={
        "description": "true while the corpus is still only the demo `paperlens serve` loads into an empty store "
                       "(nothing added since); null while Redis is unreachable"})
    vectors_backlog = fields.Integer(allow_none=True, metadata={
        "description": "corpus-log entries not embedded yet (papers ranked by BM25 alone until they are); null "
                       "while the semantic signal is off or Redis is unreachable"})
    semantic = fields.Nested(SemanticHealthSchema, required=True)
    version = fields.String(required=True)


# -- reading lists ------------------------------------------------------------------------------


class Tag(fields.String):
    """A tag: 1-64 characters after trimming, no commas (BibTeX `keywords` splits on them) and no
    control characters."""

    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=MAX_TAG),
                                   validate.Regexp(r"^[^\x00-\x1f\x7f,]*$", error="Tags cannot contain commas or "
                                                                                 "control characters.")], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return " ".join(super()._deserialize(value, attr, data, **kwargs).split())


def TagList(**kwargs) -> fields.List:  # noqa: N802 - a field factory reads like a field class
    return fields.List(Tag(), validate=validate.Length(max=MAX_TAGS), **kwargs)


def Note(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.Length(max=MAX_NOTE), **kwargs)


class LibraryListArgs(StrictSchema):
    q = fields.String(validate=validate.Length(min=1, max=500),
                      metadata={"description": "words that must all appear in the title, abstract, authors, "
                                               "note or tags"})
    tag = Tag()
    sort = fields.String(load_default="saved", validate=validate.OneOf(["saved", "title"]))
    order = fields.String(validate=validate.OneOf(["asc", "desc"]),
                          metadata={"description": "default: newest first for sort=saved, A-Z for sort=title"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LibraryPaperSchema(PaperSchema):
    class Meta:
        exclude = ("source", "upvotes")


class LibraryItemSchema(ma.Schema):
    paper = fields.Nested(LibraryPaperSchema, required=True)
    tags = fields.List(fields.String(), required=True)
    note = fields.String(required=True)
    saved_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC", "format": "date-time"})


class TagCountSchema(ma.Schema):
    tag = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "entries with this tag"})


class LibraryTagsResponse(ma.Schema):
    tags = fields.List(fields.Nested(TagCountSchema), required=True, metadata={"description": "most used first"})


class LibraryListResponse(ma.Schema):
    items = fields.List(fields.Nested(LibraryItemSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "entries matching q and tag"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class LibrarySaveRequest(StrictSchema):
    """Tags and note are optional: left out, an existing entry keeps its own; given, they replace."""

    tags = TagList()
    note = Note()
    paper = fields.Nested(PaperInSchema, metadata={"description": "the paper's metadata, needed when it is not "
                                                                  "in the corpus yet (it is then added)"})


class LibraryEditRequest(StrictSchema):
    tags = TagList(metadata={"description": "replaces the tags"})
    add_tags = TagList()
    remove_tags = TagList()
    note = Note()

    @ma.validates_schema
    def changes_something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Give at least one of tags, add_tags, remove_tags, note.", "_schema")


class ExportArgs(StrictSchema):
    format = fields.String(load_default="bibtex", validate=validate.OneOf(list(EXPORT_FORMATS)))
    tag = Tag(metadata={"description": "export only the entries with this tag"})


def PaperIds(**kwargs) -> fields.List:  # noqa: N802
    return fields.List(fields.String(validate=validate.Regexp(PAPER_ID)), required=True,
                       validate=validate.Length(min=1, max=MAX_IMPORT), **kwargs)


class ExportSelectionRequest(StrictSchema):
    format = fields.String(load_default="bibtex", validate=validate.OneOf(list(EXPORT_FORMATS)))
    ids = PaperIds(metadata={"description": "the entries to export (ids not in the list are left out)"})


class LibraryBulkRequest(StrictSchema):
    """A change to many entries at once: tags added and/or removed, or the entries removed."""

    ids = PaperIds()
    add_tags = TagList(load_default=list)
    remove_tags = TagList(load_default=list)
    remove = fields.Boolean(load_default=False, metadata={"description": "remove the entries from the list"})

    @ma.validates_schema
    def one_change(self, data, **kwargs):
        tagging = bool(data.get("add_tags") or data.get("remove_tags"))
        if tagging == bool(data.get("remove")):
            raise ma.ValidationError("Give add_tags and/or remove_tags, or remove: true (not both).", "_schema")


class BulkSkipSchema(ma.Schema):
    id = fields.String(required=True)
    reason = fields.String(required=True)


class LibraryBulkResponse(ma.Schema):
    items = fields.List(fields.Nested(LibraryItemSchema), required=True, metadata={"description": "entries as changed"})
    removed = fields.List(fields.String(), required=True)
    skipped = fields.List(fields.Nested(BulkSkipSchema), required=True,
                          metadata={"description": "ids not in the list, or entries a change did not fit"})


class ImportArgs(StrictSchema):
    format = fields.String(validate=validate.OneOf(["bibtex", "json"]),
                           metadata={"description": "default: from the Content-Type, else from the body"})


def _iso_datetime(value: str) -> None:
    from datetime import datetime

    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ma.ValidationError("Not an ISO 8601 date or time.") from None


class ImportPaperSchema(PaperInSchema):
    """A paper as the JSON export writes it (the export's id and year are accepted)."""

    id = fields.String(validate=validate.Regexp(PAPER_ID))
    year = fields.Integer(allow_none=True)
    url = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ImportItemSchema(StrictSchema):
    paper = fields.Nested(ImportPaperSchema, required=True)
    tags = TagList(load_default=list)
    note = Note(load_default="")
    saved_at = fields.String(allow_none=True, validate=[validate.Length(max=40), _iso_datetime])


class LibraryImportRequest(StrictSchema):
    """The JSON export (a bare list of items is accepted too)."""

    format = fields.String(validate=validate.Equal("paperlens-library"))
    version = fields.Integer(validate=validate.Equal(1))
    exported_at = fields.String(validate=validate.Length(max=40))
    items = fields.List(fields.Nested(ImportItemSchema), required=True, validate=validate.Length(max=MAX_IMPORT))

    @ma.pre_load
    def accept_bare_list(self, data, **kwargs):
        return {"items": data} if isinstance(data, list) else data


class ImportSkipSchema(ma.Schema):
    position = fields.String(required=True)
    reason = fields.String(required=True)


class LibraryImportResponse(ma.Schema):
    imported = fields.Integer(required=True)
    added = fields.Integer(required=True, metadata={"description": "entries new to the list"})
    updated = fields.Integer(required=True, metadata={"description": "entries already in the list (tags are "
                                                                     "merged, an imported note replaces)"})
    skipped = fields.List(fields.Nested(ImportSkipSchema), required=True,
                          metadata={"description": "the first 100 entries that were skipped, with why"})
    skipped_total = fields.Integer(required=True, metadata={"description": "every entry that was skipped"})


class RecommendArgs(StrictSchema):
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))
    tag = Tag(metadata={"description": "recommend from the entries with this tag only"})
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    rank = Rank()


class RecommendResponse(ma.Schema):
    rank = RankUsed()
    based_on = fields.Integer(required=True, metadata={"description": "saved papers the profile was built from"})
    dismissed = fields.Integer(required=True)
    tag = fields.String(allow_none=True)
    profile = fields.List(fields.Nested(MatchedTermSchema), required=True,
                          metadata={"description": "the query's terms; negative weights come from dismissed papers"})
    corpus_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)


class DismissResponse(ma.Schema):
    id = fields.String(required=True)
    dismissed = fields.Boolean(required=True)


# -- for you: ranking by the reading list, the digest and its feed ------------------------------
MAX_CANDIDATES = 200
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


# -- summaries ----------------------------------------------------------------------------------
MAX_SUMMARY_SENTENCES = 10
MAX_SUMMARIZE_BYTES = 100_000  # checked by the view, so a longer text gets 413 rather than 422


class SummaryArgs(StrictSchema):
    n = fields.Integer(load_default=3, validate=validate.Range(min=1, max=MAX_SUMMARY_SENTENCES),
                       metadata={"description": "key sentences to return"})


class SummarizeRequest(StrictSchema):
    text = fields.String(required=True, metadata={"description": f"any text, at most {MAX_SUMMARIZE_BYTES:,} "
                                                                 "bytes in UTF-8 (longer: 413)"})
    title = fields.String(allow_none=True, validate=validate.Length(max=MAX_TITLE),
                          metadata={"description": "lifts sentences and key terms that share its words"})
    n = fields.Integer(load_default=3, validate=validate.Range(min=1, max=MAX_SUMMARY_SENTENCES))

    @ma.validates("text")
    def text_has_words(self, value, **kwargs):
        if not value.strip():
            raise ma.ValidationError("Text must contain something to summarise.")


# -- feeds ----------------------------------------------------------------------------------------
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


class PaperByUrlArgs(StrictSchema):
    """GET /papers/lookup: a paper by the URL it was stored with."""

    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000),
                     metadata={"description": "the paper's stored URL (scheme, www., fragment and a "
                                              "trailing / do not matter)"})


class ZoteroImportRequest(StrictSchema):
    """POST /library/import/zotero: which Zotero library to read. The base URLs are the server's
    settings; a request chooses only local or web, and for the web its user id and key."""

    source = fields.String(required=True, validate=validate.OneOf(["local", "web"]),
                           metadata={"description": "local: the Zotero 7 desktop app's local API on the "
                                                    "server's machine; web: api.zotero.org"})
    user_id = fields.String(validate=validate.Regexp(r"^[0-9]{1,12}$"),
                            metadata={"description": "the zotero.org user id (web only)"})
    api_key = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9]{1,64}$"), load_only=True,
                            metadata={"description": "a zotero.org API key with read access (web only); "
                                                     "sent to Zotero in a header, never stored"})

    @ma.validates_schema
    def web_needs_user_and_key(self, data, **kwargs):
        if data["source"] == "web" and not (data.get("user_id") and data.get("api_key")):
            raise ma.ValidationError("The Zotero web API needs user_id and api_key.", "_schema")


class ZoteroSkipCountSchema(ma.Schema):
    reason = fields.String(required=True)
    count = fields.Integer(required=True)


class ZoteroImportResponse(ma.Schema):
    read = fields.Integer(required=True, metadata={"description": "items read from Zotero (papers, notes, attachments)"})
    saved = fields.Integer(required=True, metadata={"description": "entries new to the reading list"})
    already_saved = fields.Integer(required=True, metadata={"description": "already in the list (Zotero tags added)"})
    matched = fields.Integer(required=True, metadata={"description": "items the corpus had (arXiv id, DOI or title)"})
    added = fields.Integer(required=True, metadata={"description": "items added to the corpus as new papers"})
    skipped = fields.List(fields.Nested(ZoteroSkipCountSchema), required=True)
    summary = fields.String(required=True, metadata={"description": "the count line the CLI prints"})
