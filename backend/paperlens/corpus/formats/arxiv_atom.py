"""arXiv API responses: Atom XML (export.arxiv.org/api/query), read entry by entry, entities never expanded."""

from __future__ import annotations

import re
from typing import Iterator, TextIO
from xml.etree.ElementTree import Element, ParseError, iterparse

from ..paper import Paper
from .records import BadRecord, Record, Skipped, iso_date

NAME = "arxiv-atom"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
CHUNK = 64 * 1024


class ForbiddenDeclaration(Exception):
    """The input declares a DOCTYPE or ENTITY. An arXiv feed never does; a hostile file does it to
    make the parser expand entities (billion laughs) or read local files (external entities)."""

    def __init__(self, kind: str, line: int):
        super().__init__(f"the XML declares a {kind}, which is refused: entities are never expanded")
        self.line = line


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    number = 0
    root = None
    try:
        for event, element in iterparse(GuardedReader(stream), events=("start", "end")):
            if root is None:
                root = element
            if event != "end" or element.tag != f"{ATOM}entry":
                continue
            number += 1
            yield to_record(element, number)
            # An entry is done with once read; emptying the feed keeps memory flat on feeds of any size.
            root.clear()
    except ForbiddenDeclaration as err:
        yield Skipped(f"line {err.line}", str(err))
    except ParseError as err:
        line, column = err.position
        yield Skipped(f"line {line}, column {column}", f"malformed XML, stopped reading: {err}")


class GuardedReader:
    """Hands the XML parser the text chunk by chunk, refusing any chunk that declares a DOCTYPE or
    ENTITY, so the parser never sees one and cannot expand it."""

    DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)\b")

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tail = ""  # the end of the previous chunk, so a declaration split across chunks is still seen
        self.line = 1  # line the next chunk starts on, to say where a declaration is

    def read(self, _size: int = -1) -> str:
        chunk = self.stream.read(CHUNK)
        found = self.DECLARATION.search(self.tail + chunk)
        if found:
            before = chunk[: max(0, found.start() - len(self.tail))]
            raise ForbiddenDeclaration(found.group(1), self.line + before.count("\n"))
        self.tail = chunk[-16:]
        self.line += chunk.count("\n")
        return chunk


def to_record(entry: Element, number: int) -> Record:
    entry_id = child_text(entry, "id")
    title = child_text(entry, "title")
    summary = child_text(entry, "summary")
    if "/api/errors" in entry_id:
        # A bad query comes back as a feed with one "Error" entry whose summary says what was wrong.
        return Skipped(f"entry {number}", f"arXiv API error: {summary}")
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
    )


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
