"""The project's own JSON lines: one paper per line with Paper's field names (what `paperlens export` writes)."""

from __future__ import annotations

from typing import Iterator, TextIO

from ..paper import Paper
from .records import Record, author_list, count, identifier, iso_date, json_records, required_title, text, word_list

NAME = "jsonl"


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    """Options other formats take (year=...) are accepted and ignored, so one call site serves every format."""
    return json_records(stream, to_paper)


def to_paper(obj: dict) -> Paper:
    """Each field checked (a wrong type is a BadRecord with the reason), then the one dict -> Paper."""
    return Paper.from_dict({
        "title": required_title(obj),
        "abstract": text(obj, "abstract") or "",
        "authors": author_list(obj),
        "arxiv_id": text(obj, "arxiv_id"),
        "doi": text(obj, "doi"),
        "published": iso_date(text(obj, "published")),
        "url": text(obj, "url"),
        # The file's own id names the line in this file; source_id is what an earlier source called it.
        "source_id": identifier(obj, "id") or identifier(obj, "source_id"),
        "categories": word_list(obj, "categories"),
        "upvotes": count(obj, "upvotes"),
    }, source=NAME)
