"""One parser per source format, each turning its input into Paper records (or Skipped, with where and why).

Every parser is `parse(stream, **options) -> Iterator[Paper | Skipped]`, reads as it goes, and keeps
going after a bad record. sources.read_records opens files and picks the parser.
"""

from __future__ import annotations

from typing import Callable, Iterator

from . import arxiv_atom, arxiv_oai, beir, hf_daily, jsonl
from .records import Record, Skipped

FORMATS: dict[str, Callable[..., Iterator[Record]]] = {
    module.NAME: module.parse for module in (jsonl, beir, arxiv_oai, arxiv_atom, hf_daily)
}

__all__ = ["FORMATS", "Record", "Skipped"]
