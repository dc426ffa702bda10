"""Reading-list items as the API shows them, and their export as BibTeX, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

from ..corpus.paper import year_of
from ..corpus.timestamps import iso_utc
from . import bibtex

PAPER_FIELDS = ("id", "title", "abstract", "authors", "arxiv_id", "doi", "published", "year", "url", "source_id",
                "categories")
FORMATS = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json; charset=utf-8", "json"),
}
JSON_FORMAT = "paperlens-library"


def ms_from_iso(text: str) -> int:
    """ISO 8601 (a date alone, 'Z' or an offset; naive times are taken as UTC) -> ms since the epoch."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return round(value.timestamp() * 1000)


def paper_fields(data: dict, paper_id: str) -> dict:
    shown = {name: data.get(name) for name in PAPER_FIELDS}
    shown.update(id=paper_id, year=year_of(data.get("published")), title=data.get("title") or "", abstract=data.get("abstract") or "",
                 authors=list(data.get("authors") or []), categories=list(data.get("categories") or []))
    return shown


def item(entry, fresh: dict | None) -> dict:
    """{paper, tags, note, saved_at}: metadata fresh from the corpus, else the copy in the entry."""
    data = fresh or entry.paper or {"title": ""}
    return {"paper": paper_fields(data, entry.paper_id), "tags": list(entry.tags), "note": entry.note,
            "saved_at": iso_utc(entry.saved_at_ms / 1000, "milliseconds")}


def items_for(reading_list, papers, entries=None) -> list[dict]:
    """Items for a ReadingList's entries (all when None), with metadata from the PaperStore."""
    entries = reading_list.entries() if entries is None else entries
    fresh = papers.get_many([e.paper_id for e in entries])
    return [item(e, paper.to_dict() if paper else None) for e, paper in zip(entries, fresh)]


def filename(fmt: str, user: str, today: str | None = None) -> str:
    today = today or datetime.now(timezone.utc).strftime("%Y-%m-%d")
    safe_user = "".join(ch for ch in user if ch.isalnum() or ch in "-_.") or "user"
    return f"paperlens-{safe_user}-{today}.{FORMATS[fmt][1]}"


def render(fmt: str, items: list[dict]) -> str:
    if fmt == "bibtex":
        return bibtex.dumps(items)
    if fmt == "csv":
        return to_csv(items)
    return json.dumps({"format": JSON_FORMAT, "version": 1, "exported_at": iso_utc(_now_ms() / 1000, "milliseconds"), "items": items},
                      ensure_ascii=False, indent=1)


CSV_COLUMNS = ["id", "title", "authors", "year", "published", "arxiv_id", "doi", "url", "categories", "tags", "note",
               "saved_at", "abstract"]


def to_csv(items: list[dict]) -> str:
    """One row per paper; lists are joined with '; '. No cell can start a formula in a spreadsheet,
    whatever separator it splits on: a spreadsheet in a ';' locale (or reading tabs or '|') starts a
    new cell after any such character inside our text, so a formula character (= + - @) at the start
    of a field or after any separator or line break, blanks allowed between, gets an apostrophe
    before it, and a leading tab or carriage return does too. Only the CSV is changed this way; the
    JSON and BibTeX exports keep the text exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for it in items:
        paper = it["paper"]
        row = {**paper, "authors": "; ".join(paper["authors"]), "categories": "; ".join(paper["categories"]),
               "tags": "; ".join(it["tags"]), "note": it["note"], "saved_at": it["saved_at"]}
        writer.writerow([_cell(row.get(col)) for col in CSV_COLUMNS])
    return out.getvalue()


# A formula character where some spreadsheet would start a cell: the field's start or after a
# separator any locale uses (, ; tab |) or a line break, blank characters allowed between.
FORMULA_AT_CELL_START = re.compile(r"(^|[,;\t|\r\n])([ \t\r\n\f\v\xa0]*)([=+\-@])")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r"):
        text = "'" + text
    return FORMULA_AT_CELL_START.sub(r"\1\2'\3", text)


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)
