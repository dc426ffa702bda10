"""Reading a source file of papers: open it (path, "-" for stdin, .gz), tell its format, run its parser."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
from typing import Iterator, TextIO

from .formats import FORMATS, Record, Skipped
from .paper import Paper

HEAD_SIZE = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
AUTHOR_COUNT = re.compile(r"^[•*\-\s]*\d+\s+authors?\s*$", re.M)
HF_DAILY_JSON = re.compile(r'^\[\s*(\]|\{\s*"paper"\s*:)')
BIORXIV_JSON = re.compile(r'^\{\s*"(messages|collection)"\s*:')


class UnknownFormat(ValueError):
    """The input is none of the formats in FORMATS, or a format name was misspelled."""


def detect_format(head: str) -> str:
    """The format name for a file that starts with `head` (its first ~64 KB of text)."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        if "http://www.w3.org/2005/Atom" in text and "<feed" in text:
            return "arxiv-atom"
        if "http://www.openarchives.org/OAI/2.0/" in text and "<OAI-PMH" in text:
            return "arxiv-oai-pmh"
        raise UnknownFormat("the input is XML but neither an Atom feed (the arXiv API) nor OAI-PMH (arXiv's OAI)")
    if text.startswith("[") and HF_DAILY_JSON.match(text):
        return "hf-daily-json"
    if text.startswith("{"):
        keys = first_object_keys(text)
        if keys is not None:
            return format_of_keys(keys)
        if BIORXIV_JSON.search(text):  # one JSON document over several lines
            return "biorxiv"
    if "Daily Papers" in text or AUTHOR_COUNT.search(text):
        return "hf-daily"
    first_line = text.split("\n", 1)[0][:80]
    raise UnknownFormat(
        f"cannot tell the format of the input (it starts {first_line!r}); "
        f"expected one of {', '.join(FORMATS)}, or name it explicitly"
    )


def first_object_keys(text: str) -> dict | None:
    """The first line that parses as a JSON object; earlier bad lines are the parser's to report."""
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue  # a broken line, or the last line cut off by the 64 KB head
        if isinstance(obj, dict):
            return obj
    return None


def format_of_keys(obj: dict) -> str:
    if "messages" in obj and "collection" in obj:
        return "biorxiv"
    if "_id" in obj and "text" in obj:
        return "beir"
    oai_marks = ("update_date" in obj or "versions" in obj or "authors_parsed" in obj
                 or isinstance(obj.get("categories"), str))
    if "id" in obj and "abstract" in obj and oai_marks:
        return "arxiv-oai"
    if "title" in obj:
        return "jsonl"
    raise UnknownFormat(
        f"JSON lines with keys {sorted(obj)[:10]} match no known format: beir needs _id and text, "
        "arxiv-oai needs id, abstract and update_date/versions/categories, jsonl needs title"
    )


def read_records(path: str | os.PathLike, fmt: str | None = None, *, year: int | None = None) -> Iterator[Record]:
    """Papers and Skipped records from a file ("-" is stdin; gzip is undone whatever the name).
    fmt None tells the format from the head of the input; year is for dates shown without one.
    A missing file or an unknown format raises here, before the first record is asked for."""
    if fmt is not None and fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    stream = open_text(path)
    try:
        head = stream.read(HEAD_SIZE)
        parse = FORMATS[fmt or detect_format(head)]
    except BaseException:
        close(stream)
        raise
    options = {} if year is None else {"year": year}
    return closing_when_done(parse(Replayed(head, stream), **options), stream)


def closing_when_done(records: Iterator[Record], stream: TextIO) -> Iterator[Record]:
    try:
        for number, record in enumerate(records, 1):
            if isinstance(record, Paper) and not record.id:
                # A title of only symbols and no arXiv id or DOI gives a paper nothing to be known by.
                record = Skipped(f"record {number}", f"title {record.title[:60]!r} has no letters or digits, and no arXiv id or DOI")
            yield record
    finally:
        close(stream)


def close(stream: TextIO) -> None:
    if stream is not sys.stdin:  # stdin belongs to the process, not to us
        stream.close()


def open_text(path: str | os.PathLike) -> TextIO:
    if str(path) == "-":
        return sys.stdin
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    # Undecodable bytes become U+FFFD rather than stopping a long ingest halfway; newline=None reads \r\n as \n.
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline=None)
    return open(path, encoding="utf-8-sig", errors="replace", newline=None)


class Replayed(io.TextIOBase):
    """A text stream that first gives back the head already read for detection, then the rest:
    stdin cannot seek back, and this way files and stdin take the same path."""

    def __init__(self, head: str, rest: TextIO):
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            text, self.head = self.head + self.rest.read(), ""
            return text
        if self.head:
            text, self.head = self.head[:size], self.head[size:]
            return text
        return self.rest.read(size)

    def readline(self, _size: int | None = -1) -> str:
        if not self.head:
            return self.rest.readline()
        end = self.head.find("\n")
        if end >= 0:
            line, self.head = self.head[: end + 1], self.head[end + 1 :]
            return line
        line, self.head = self.head, ""
        return line + self.rest.readline()  # the head ended mid-line
