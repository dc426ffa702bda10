"""Hugging Face Daily Papers as its API gives them ({HF}/api/daily_papers?date=YYYY-MM-DD): a JSON list
of {"paper": {"id": arXiv id, "title", "summary", "authors": [{"name"}], "publishedAt", "upvotes"}, ...}."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, TextIO

from ..paper import Paper
from .records import BadRecord, MalformedPage, Record, Skipped, count, iso_date, json_document, text, type_name, whole_page

NAME = "hf-daily-json"


@dataclass
class DailyPage:
    records: list[Record] = field(default_factory=list)


def parse(stream: TextIO, **_options) -> Iterator[Record]:
    return whole_page(stream, read_page)


def read_page(body: str) -> DailyPage:
    items = json_document(body)
    if not isinstance(items, list):
        raise MalformedPage(f"expected a JSON list of daily papers, got {type_name(items)}")
    page = DailyPage()
    for number, item in enumerate(items, 1):
        try:
            page.records.append(to_paper(item))
        except BadRecord as err:
            page.records.append(Skipped(f"item {number}", str(err)))
    return page


def to_paper(item) -> Paper:
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise BadRecord("expected an object with a 'paper' object")
    paper = item["paper"]
    title = text(paper, "title") or text(item, "title")
    if not title or not title.strip():
        raise BadRecord("no title")
    return Paper(
        title=title,
        abstract=text(paper, "summary") or text(item, "summary") or "",
        authors=author_names(paper.get("authors")),
        arxiv_id=text(paper, "id"),
        published=iso_date(text(paper, "publishedAt"), "publishedAt"),
        source=NAME,
        source_id=text(paper, "id"),
        upvotes=count(paper, "upvotes"),
    )


def author_names(authors) -> list[str]:
    if authors is None:
        return []
    if not isinstance(authors, list):
        raise BadRecord(f"authors must be a list, got {type_name(authors)}")
    return [a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
