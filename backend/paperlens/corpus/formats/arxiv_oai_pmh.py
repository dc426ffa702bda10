"""arXiv OAI-PMH ListRecords responses (oaipmh.arxiv.org/oai), in the arXiv or arXivRaw metadata
format: records, the resumptionToken to the next page, and OAI errors. Entities are never expanded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, TextIO
from xml.etree.ElementTree import Element, ParseError

from ..paper import Paper
from .arxiv_oai import first_doi, rfc2822_day
from .records import PAGE_SECONDS, BadRecord, CostlyPage, MalformedPage, Record, Skipped, iso_date, split_authors, whole_number
from .safe_xml import ForbiddenDeclaration, TextChunks, child_text, iter_elements

NAME = "arxiv-oai-pmh"

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"


@dataclass
class OaiPage:
    """One ListRecords response read whole."""

    records: list[Record] = field(default_factory=list)
    datestamps: list[str] = field(default_factory=list)  # of every record, deleted ones included, in order
    token: str | None = None  # None or "" on the last page
    complete_list_size: int | None = None
    error_code: str | None = None  # noRecordsMatch, badResumptionToken, badArgument, ...
    error_message: str = ""


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    page = OaiPage()
    try:
        yield from _records(stream, page)
    except ForbiddenDeclaration as err:
        yield Skipped(f"line {err.line}", str(err))
    except ParseError as err:
        line, column = err.position
        yield Skipped(f"line {line}, column {column}", f"malformed XML, stopped reading: {err}")
    except CostlyPage as err:
        yield Skipped("input", f"stopped reading: {err}")
        return
    if page.error_code not in (None, "noRecordsMatch"):  # no records is an answer, not a fault
        yield Skipped("input", f"OAI-PMH error {page.error_code}: {page.error_message}")


def read_page(text: str) -> OaiPage:
    """A whole response body. A body that is not complete, well-formed OAI-PMH raises MalformedPage:
    the records before a break are never taken, because the resumptionToken after them is lost too."""
    page = OaiPage()
    try:
        page.records = list(_records(TextChunks(text), page, PAGE_SECONDS))
    except (ForbiddenDeclaration, ParseError) as err:
        raise MalformedPage(f"not a complete OAI-PMH response: {err}") from None
    if page.error_code is None and not page.records and not page.datestamps and page.token is None:
        raise MalformedPage("an OAI-PMH response with neither records, a resumptionToken nor an error")
    return page


def _records(stream: TextIO, page: OaiPage, seconds: float | None = None) -> Iterator[Record]:
    tags = {f"{OAI}record", f"{OAI}resumptionToken", f"{OAI}error"}
    for element in iter_elements(stream, tags, seconds):
        if element.tag == f"{OAI}resumptionToken":
            page.token = (element.text or "").strip()
            page.complete_list_size = whole_number(element.get("completeListSize", ""))
        elif element.tag == f"{OAI}error":
            page.error_code = element.get("code") or "unknown"
            page.error_message = (element.text or "").strip()
        else:
            header = element.find(f"{OAI}header")
            identifier = child_text(header, f"{OAI}identifier") if header is not None else ""
            datestamp = child_text(header, f"{OAI}datestamp") if header is not None else ""
            page.datestamps.append(datestamp)
            position = f"record {len(page.datestamps)} ({identifier or 'no identifier'})"
            if header is not None and header.get("status") == "deleted":
                yield Skipped(position, "deleted from the repository")
                continue
            yield to_record(element, position)


def to_record(record: Element, position: str) -> Record:
    arxiv = record.find(f"{OAI}metadata/{ARXIV}arXiv")
    raw = record.find(f"{OAI}metadata/{RAW}arXivRaw")
    try:
        if arxiv is not None:
            return from_arxiv(arxiv)
        if raw is not None:
            return from_arxiv_raw(raw)
    except BadRecord as err:
        return Skipped(position, str(err))
    return Skipped(position, "no arXiv or arXivRaw metadata")


def from_arxiv(meta: Element) -> Paper:
    """metadataPrefix=arXiv: created is v1's day, updated the latest version's (absent for v1 only)."""

    def text(tag: str) -> str:
        return child_text(meta, f"{ARXIV}{tag}")

    title = required(text("title"))
    created = iso_date(text("created"), "created")
    authors = [
        " ".join(part for part in (child_text(a, f"{ARXIV}forenames"), child_text(a, f"{ARXIV}keyname"),
                                   child_text(a, f"{ARXIV}suffix")) if part)
        for a in meta.iterfind(f"{ARXIV}authors/{ARXIV}author")
    ]
    return Paper(
        title=title,
        abstract=text("abstract"),
        authors=authors,
        arxiv_id=text("id"),
        doi=first_doi(text("doi")),
        published=created,
        source=NAME,
        source_id=text("id") or None,
        categories=text("categories").split(),
        updated=iso_date(text("updated"), "updated") or created,
    )


def from_arxiv_raw(meta: Element) -> Paper:
    """metadataPrefix=arXivRaw: one <version> per version with its submission date (RFC 2822)."""

    def text(tag: str) -> str:
        return child_text(meta, f"{RAW}{tag}")

    dates = [rfc2822_day(child_text(v, f"{RAW}date")) for v in meta.iterfind(f"{RAW}version")]
    return Paper(
        title=required(text("title")),
        abstract=text("abstract"),
        authors=split_authors(text("authors")),
        arxiv_id=text("id"),
        doi=first_doi(text("doi")),
        published=dates[0] if dates else None,
        source=NAME,
        source_id=text("id") or None,
        categories=text("categories").split(),
        updated=dates[-1] if dates else None,
    )


def required(title: str) -> str:
    if not title:
        raise BadRecord("no title")
    return title
