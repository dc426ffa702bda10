"""bioRxiv and medRxiv as their API gives them ({BIORXIV}/details/{server}/{from}/{until}/{cursor}): JSON
{"messages": [{"status", "cursor", "count", "total"}], "collection": [one object per version of a preprint]}."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, TextIO

from ..paper import Paper
from .records import (BadRecord, MalformedPage, Record, Skipped, iso_date, json_document, text, type_name, whole_number,
                      whole_page)

NAME = "biorxiv"


@dataclass
class BiorxivPage:
    records: list[Record] = field(default_factory=list)
    items: int = 0  # versions in this page, before the newest of each DOI is kept
    status: str = "ok"
    cursor_said: int | None = None  # the cursor the answer says it starts at, when it says
    total: int | None = None


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    return whole_page(stream, read_page)


def read_page(body: str) -> BiorxivPage:
    data = json_document(body)
    if not isinstance(data, dict):
        raise MalformedPage(f"expected a JSON object with messages and collection, got {type_name(data)}")
    messages, collection = data.get("messages"), data.get("collection", [])
    if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
        raise MalformedPage("no messages: not a bioRxiv API answer")
    if not isinstance(collection, list):
        raise MalformedPage(f"collection must be a list, got {type_name(collection)}")
    message = messages[0]
    page = BiorxivPage(items=len(collection), status=str(message.get("status", "ok")),
                       cursor_said=number(message.get("cursor")), total=number(message.get("total")))
    newest: dict[str, tuple[int, Paper]] = {}
    for position, item in enumerate(collection, 1):
        try:
            version, paper = to_paper(item)
        except BadRecord as err:
            page.records.append(Skipped(f"item {position}", str(err)))
            continue
        # Each version of a preprint is its own item; the newest version of a DOI is the paper.
        if paper.id not in newest or version > newest[paper.id][0]:
            newest[paper.id] = (version, paper)
    page.records += [paper for _, paper in newest.values()]
    return page


def to_paper(item) -> tuple[int, Paper]:
    if not isinstance(item, dict):
        raise BadRecord(f"expected an object, got {type_name(item)}")
    doi, title = text(item, "doi"), text(item, "title")
    if not doi:
        raise BadRecord("no doi")
    if not title or not title.strip():
        raise BadRecord("no title")
    version = number(item.get("version")) or 1
    server = (text(item, "server") or "bioRxiv").lower()
    date = iso_date(text(item, "date"), "date")
    category = text(item, "category")
    return version, Paper(
        title=title,
        abstract=text(item, "abstract") or "",
        authors=[name.strip() for name in (text(item, "authors") or "").split(";") if name.strip()],
        doi=doi,
        published=date,
        url=f"https://www.{server}.org/content/{doi}v{version}" if server in {"biorxiv", "medrxiv"} else None,
        source=NAME,
        source_id=f"{doi}v{version}",
        categories=[category] if category else [],
        updated=date,
    )


def number(value) -> int | None:
    """bioRxiv writes its counts as numbers or as strings of digits; anything else (superscript
    digits, 5,000 digits) is no count."""
    return whole_number(value)
