"""Reading untrusted XML: the parser never sees a DOCTYPE or ENTITY declaration, so nothing is
expanded; elements outside the wanted records are freed as soon as they end; and the depth, the size
of one record and (for a response) the time spent are bounded, so a hostile page costs little."""

from __future__ import annotations

import re
import time
from typing import Iterator, TextIO
from xml.etree.ElementTree import Element, iterparse

from .records import CostlyPage

CHUNK = 64 * 1024
MAX_DEPTH = 64  # arXiv's deepest path (OAI-PMH/ListRecords/record/metadata/arXiv/authors/author/keyname) is 8
# A record with 3,000 authors has about 10,000 elements; a record is held whole until it ends.
MAX_RECORD_ELEMENTS = 50_000
# Outside records a real response has a handful (responseDate, request, the feed's title, ...).
MAX_OUTSIDE_ELEMENTS = 10_000
CHECK_EVERY = 4096  # events between looks at the clock


class ForbiddenDeclaration(Exception):
    """The input declares a DOCTYPE or ENTITY. arXiv's feeds never do; a hostile file does it to
    make the parser expand entities (billion laughs) or read local files (external entities)."""

    def __init__(self, kind: str, line: int):
        super().__init__(f"the XML declares a {kind}, which is refused: entities are never expanded")
        self.line = line


class TextChunks:
    """A whole response body (a str) handed out chunk by chunk, without the copy io.StringIO makes
    (four bytes a character for any text that is not all ASCII)."""

    def __init__(self, text: str):
        self.text = text
        self.at = 0

    def read(self, size: int = CHUNK) -> str:
        chunk = self.text[self.at:self.at + size]
        self.at += len(chunk)
        return chunk


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


def iter_elements(stream: TextIO, tags: set[str], seconds: float | None = None) -> Iterator[Element]:
    """Each element whose tag is in `tags`, when it is complete; it is emptied once the caller
    has it. Every other element outside those is emptied and unhooked from its parent when it
    ends, so memory holds the open path and the current record, whatever surrounds them. Raises
    ForbiddenDeclaration or ParseError where the input goes wrong, and CostlyPage past MAX_DEPTH,
    MAX_RECORD_ELEMENTS, MAX_OUTSIDE_ELEMENTS or (when given) `seconds` of parsing."""
    give_up = None if seconds is None else time.monotonic() + seconds
    path: list[Element] = []  # the open elements, root first
    record_depth = 0  # len(path) at the wanted element being built; 0 when outside one
    in_record = outside = events = 0
    for event, element in iterparse(GuardedReader(stream), events=("start", "end")):
        events += 1
        if give_up is not None and events % CHECK_EVERY == 0 and time.monotonic() > give_up:
            raise CostlyPage(f"parsing took longer than {seconds:g} s")
        if event == "start":
            path.append(element)
            if len(path) > MAX_DEPTH:
                raise CostlyPage(f"XML nested deeper than {MAX_DEPTH} elements")
            if record_depth:
                in_record += 1
                if in_record > MAX_RECORD_ELEMENTS:
                    raise CostlyPage(f"a record of more than {MAX_RECORD_ELEMENTS:,} elements")
            elif element.tag in tags:
                record_depth, in_record = len(path), 1
            continue
        depth = len(path)
        path.pop()
        if record_depth and depth > record_depth:
            continue  # part of the record being built: kept until the record ends
        if record_depth:
            record_depth = 0
            yield element
        else:
            outside += 1
            if outside > MAX_OUTSIDE_ELEMENTS:
                raise CostlyPage(f"more than {MAX_OUTSIDE_ELEMENTS:,} elements outside the records")
        element.clear()  # text, tail, attributes and children go
        if path:
            path[-1].remove(element)  # and the shell with them: the parent holds only what is still open


def child_text(parent: Element, tag: str) -> str:
    """The stripped text of parent's first `tag` child, "" when there is none."""
    child = parent.find(tag)
    return (child.text or "").strip() if child is not None else ""
