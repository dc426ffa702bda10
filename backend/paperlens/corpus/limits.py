"""What one paper may hold, on every path into the corpus: the API's request schemas refuse more
(422), and sync and ingest bring each record within these (`within_limits`), trimming what can be
trimmed and skipping, with the reason, what cannot. Without them a synced 10 MB title made every
search that returned it 10 MB."""

from __future__ import annotations

from dataclasses import replace

from .formats.records import Record, Skipped
from .paper import Paper

MAX_TITLE = 2_000  # characters
MAX_ABSTRACT = 100_000
MAX_AUTHORS = 2_000  # names on one paper (the largest collaborations sign with about 3,000: the first 2,000 are kept)
MAX_AUTHOR = 500  # characters in one name
MAX_ARXIV_ID = 100
MAX_DOI = 300  # a paper id is at most 300 characters after its scheme (corpus.paper.PAPER_ID)
MAX_URL = 2_000
MAX_CATEGORIES = 50
MAX_CATEGORY = 100
MAX_SOURCE_ID = 300
MAX_UPVOTES = 10**9


def within_limits(record: Record, position: str) -> tuple[Record, bool]:
    """`record` within the limits, and whether anything was trimmed. A title or a DOI too long is
    a Skipped (trimming either would give the paper another identity); a long abstract is cut at a
    word, long author or category lists keep their first entries, an over-long name is cut, and a
    url, source id or upvote count out of bounds is dropped."""
    if not isinstance(record, Paper):
        return record, False
    if len(record.title) > MAX_TITLE:
        return Skipped(position, f"title of {len(record.title):,} characters (at most {MAX_TITLE:,})"), False
    if record.doi and len(record.doi) > MAX_DOI:
        return Skipped(position, f"DOI of {len(record.doi):,} characters (at most {MAX_DOI})"), False
    changes: dict = {}
    if len(record.abstract) > MAX_ABSTRACT:
        cut = record.abstract[:MAX_ABSTRACT - 1]
        changes["abstract"] = (cut.rsplit(" ", 1)[0] if " " in cut[-200:] else cut) + "…"
    authors = [name[:MAX_AUTHOR] for name in record.authors[:MAX_AUTHORS]]
    if authors != record.authors:
        changes["authors"] = authors
    categories = [c for c in record.categories[:MAX_CATEGORIES] if len(c) <= MAX_CATEGORY]
    if categories != record.categories:
        changes["categories"] = categories
    if record.url and len(record.url) > MAX_URL:
        changes["url"] = None  # the paper's own page (arXiv's, the DOI's) takes its place
    if record.source_id and len(record.source_id) > MAX_SOURCE_ID:
        changes["source_id"] = None
    if record.upvotes is not None and not 0 <= record.upvotes <= MAX_UPVOTES:
        changes["upvotes"] = None
    if not changes:
        return record, False
    trimmed = replace(record, **changes)  # __post_init__ runs again: the id comes out the same
    return trimmed, True
