"""One parser per source format, each turning its input into Paper records (or Skipped, with where and why).

Every parser is `parse(stream, **options) -> Iterator[Paper | Skipped]`, reads as it goes, and keeps
going after a bad record. sources.read_records opens files and picks the parser. The formats that
sync sources fetch (arXiv Atom, OAI-PMH, HF daily JSON, bioRxiv) also have `read_page(text)`, which
reads one whole response and refuses (MalformedPage) one that is cut off or malformed.
"""

from __future__ import annotations

from typing import Callable, Iterator

from . import arxiv_atom, arxiv_oai, arxiv_oai_pmh, beir, biorxiv, hf_daily, hf_daily_json, jsonl
from .records import MalformedPage, Record, Skipped

FORMATS: dict[str, Callable[..., Iterator[Record]]] = {
    module.NAME: module.parse
    for module in (jsonl, beir, arxiv_oai, arxiv_atom, arxiv_oai_pmh, hf_daily, hf_daily_json, biorxiv)
}

__all__ = ["FORMATS", "MalformedPage", "Record", "Skipped"]
