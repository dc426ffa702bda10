"""arXiv metadata JSON lines as in the Kaggle / OAI-PMH snapshot (arxiv-metadata-oai-snapshot.json)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Iterator, TextIO

from ..paper import Paper
from .records import (
    BadRecord,
    Record,
    author_list,
    identifier,
    iso_date,
    json_records,
    required_title,
    text,
    type_name,
    word_list,
)

NAME = "arxiv-oai"


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    return json_records(stream, to_paper)


def to_paper(obj: dict) -> Paper:
    arxiv_id = identifier(obj, "id")
    doi = text(obj, "doi")
    updated = iso_date(text(obj, "update_date"), "update_date")
    return Paper(
        title=required_title(obj),
        abstract=text(obj, "abstract") or "",
        authors=parsed_authors(obj) or author_list(obj),
        arxiv_id=arxiv_id,
        doi=first_doi(doi),
        published=first_version_date(obj) or updated,
        source=NAME,
        source_id=arxiv_id,
        categories=word_list(obj, "categories"),
        updated=updated,
    )


def parsed_authors(obj: dict) -> list[str]:
    """authors_parsed is [[last, first, suffix, affiliation...], ...]: cleaner than splitting the string,
    which breaks on affiliations and "et al"."""
    rows = obj.get("authors_parsed")
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise BadRecord(f"authors_parsed must be a list of lists, got {type_name(rows)}")
    names = []
    for row in rows:
        last, first, suffix = (list(row[:3]) + ["", "", ""])[:3]
        names.append(" ".join(str(part) for part in (first, last, suffix) if part))
    return names


def first_version_date(obj: dict) -> str | None:
    """The day v1 was submitted ("Mon, 2 Apr 2007 19:18:42 GMT"); update_date is the last revision."""
    versions = obj.get("versions")
    if not versions:
        return None
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise BadRecord(f"versions must be a list of objects, got {type_name(versions)}")
    first = next((v for v in versions if v.get("version") == "v1"), versions[0])
    created = first.get("created")
    if not isinstance(created, str):
        return None
    return rfc2822_day(created, "versions created")


def first_doi(dois: str | None) -> str | None:
    """arXiv puts every DOI of a paper in one space-separated field; the first is the paper's."""
    return dois.split()[0] if dois and dois.strip() else None


def rfc2822_day(value: str, what: str = "version date") -> str:
    """arXiv's version dates ("Mon, 2 Apr 2007 19:18:42 GMT") as YYYY-MM-DD."""
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        raise BadRecord(f"{what} is not a date: {value[:40]!r}") from None
