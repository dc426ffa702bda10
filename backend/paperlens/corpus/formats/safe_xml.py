"""Reading untrusted XML: the parser never sees a DOCTYPE or ENTITY declaration, so nothing is expanded."""

from __future__ import annotations

import re
from typing import Iterator, TextIO
from xml.etree.ElementTree import Element, iterparse

CHUNK = 64 * 1024


class ForbiddenDeclaration(Exception):
    """The input declares a DOCTYPE or ENTITY. arXiv's feeds never do; a hostile file does it to
    make the parser expand entities (billion laughs) or read local files (external entities)."""

    def __init__(self, kind: str, line: int):
        super().__init__(f"the XML declares a {kind}, which is refused: entities are never expanded")
        self.line = line


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


def iter_elements(stream: TextIO, tags: set[str]) -> Iterator[Element]:
    """Each element whose tag is in `tags`, when it is complete. Everything read so far is
    dropped after each one is handed out, so memory stays flat on inputs of any size. Raises
    ForbiddenDeclaration or xml.etree.ElementTree.ParseError where the input goes wrong."""
    root = None
    for event, element in iterparse(GuardedReader(stream), events=("start", "end")):
        if root is None:
            root = element
        if event == "end" and element.tag in tags:
            yield element
            element.clear()  # its empty shell stays in its parent, its content goes
            if element is not root:
                root.clear()


def child_text(parent: Element, tag: str) -> str:
    """The stripped text of parent's first `tag` child, "" when there is none."""
    child = parent.find(tag)
    return (child.text or "").strip() if child is not None else ""
