"""arXiv API responses: Atom XML (export.arxiv.org/api/query), read entry by entry, entities never expanded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, TextIO
from xml.etree.ElementTree import Element, ParseError

from ..paper import Paper, clean_arxiv_id
from .records import PAGE_SECONDS, BadRecord, CostlyPage, MalformedPage, Record, Skipped, iso_date, whole_number
from .safe_xml import CHUNK, ForbiddenDeclaration, TextChunks, iter_elements  # noqa: F401  (CHUNK: tests pad by it)

NAME = "arxiv-atom"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
API_ERROR = "arXiv API error: "


@dataclass
class AtomPage:
    """One response of the arXiv API read whole: its records, the total the query matches, and the
    message of its error entry when the query was refused."""

    records: list[Record] = field(default_factory=list)
    entries: list[tuple[str, str]] = field(default_factory=list)  # (arXiv id, <published>) of each record
    total: int | None = None
    error: str | None = None


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    try:
        yield from _records(stream, AtomPage())
    except ForbiddenDeclaration as err:
        yield Skipped(f"line {err.line}", str(err))
    except ParseError as err:
        line, column = err.position
        yield Skipped(f"line {line}, column {column}", f"malformed XML, stopped reading: {err}")
    except CostlyPage as err:
        yield Skipped("input", f"stopped reading: {err}")


def read_page(text: str) -> AtomPage:
    """A whole response body; a body that is not a complete, well-formed feed raises MalformedPage
    rather than giving the entries before the break."""
    page = AtomPage()
    try:
        page.records = list(_records(TextChunks(text), page, PAGE_SECONDS))
    except (ForbiddenDeclaration, ParseError) as err:
        raise MalformedPage(f"not a complete Atom feed: {err}") from None
    return page


def _records(stream: TextIO, page: AtomPage, seconds: float | None = None) -> Iterator[Record]:
    number = 0
    for element in iter_elements(stream, {f"{ATOM}entry", f"{OPENSEARCH}totalResults"}, seconds):
        if element.tag == f"{OPENSEARCH}totalResults":
            page.total = whole_number(element.text or "")
            continue
        number += 1
        record = to_record(element, number)
        entry_id = child_text(element, "id")
        page.entries.append((clean_arxiv_id(entry_id) or entry_id, child_text(element, "published")))
        if isinstance(record, Skipped) and record.reason.startswith(API_ERROR):
            page.error = record.reason.removeprefix(API_ERROR)
        yield record


def to_record(entry: Element, number: int) -> Record:
    entry_id = child_text(entry, "id")
    title = child_text(entry, "title")
    summary = child_text(entry, "summary")
    if "/api/errors" in entry_id:
        # A bad query comes back as a feed with one "Error" entry whose summary says what was wrong.
        return Skipped(f"entry {number}", f"{API_ERROR}{summary}")
    if not title.strip():
        return Skipped(f"entry {number}", "no title")
    try:
        published = iso_date(child_text(entry, "published"))
    except BadRecord as err:
        return Skipped(f"entry {number}", str(err))
    return Paper(
        title=title,
        abstract=summary,
        authors=[name.text or "" for name in entry.iterfind(f"{ATOM}author/{ATOM}name")],
        arxiv_id=entry_id,
        doi=child_text(entry, "doi", ARXIV) or None,
        published=published,
        url=alternate_link(entry),
        source=NAME,
        source_id=entry_id.rstrip("/").rsplit("/abs/", 1)[-1] or None,
        categories=categories(entry),
        updated=version_date(entry),
    )


def version_date(entry: Element) -> str | None:
    """The day the version this entry describes was made (its <updated>), None when unreadable."""
    try:
        return iso_date(child_text(entry, "updated"), "updated")
    except BadRecord:
        return None


def child_text(entry: Element, name: str, namespace: str = ATOM) -> str:
    child = entry.find(f"{namespace}{name}")
    return (child.text or "").strip() if child is not None else ""


def alternate_link(entry: Element) -> str | None:
    for link in entry.iterfind(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def categories(entry: Element) -> list[str]:
    """The primary category first, then the others, each once."""
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [category.get("term") for category in entry.iterfind(f"{ATOM}category")]
    return list(dict.fromkeys(term for term in terms if term))
