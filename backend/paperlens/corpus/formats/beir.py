"""BEIR corpus files (corpus.jsonl): {"_id", "title", "text", "metadata"?} per line; the text is the abstract."""

from __future__ import annotations

from typing import Iterator, TextIO

from ..paper import Paper
from .records import BadRecord, Record, identifier, json_records, required_title, text

NAME = "beir"


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    return json_records(stream, to_paper)


def to_paper(obj: dict) -> Paper:
    metadata = obj.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadRecord("metadata must be an object")
    # Metadata differs per BEIR corpus (TREC-COVID has url and doi; SCIDOCS has author *ids*), so only
    # the keys that mean the same everywhere are read.
    return Paper(
        title=required_title(obj),
        abstract=text(obj, "text") or "",
        doi=text(metadata, "doi"),
        url=text(metadata, "url"),
        source=NAME,
        source_id=identifier(obj, "_id"),
    )
