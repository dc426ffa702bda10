"""A BibTeX entry as a reading-list item: the inverse of `bibtex.entry`, so our own export (and
Zotero's and JabRef's) imports back with its paper, tags (`keywords`), note (`annote`) and saved
time (`timestamp`)."""

from __future__ import annotations

import re

from . import bibtex
from .export import ms_from_iso


def item(entry: bibtex.BibEntry) -> dict | None:
    """{paper, tags, note, saved_at?} for an entry, in ImportItemSchema's shape; None without a title."""
    f = {k: bibtex.latex_to_unicode(v).strip() if k not in ("author",) else v for k, v in entry.fields.items()}
    title = " ".join((f.get("title") or "").split())
    if not title:
        return None
    paper: dict = {"title": title, "abstract": f.get("abstract", ""),
                   "authors": bibtex.split_authors(entry.fields.get("author", ""))}
    eprint = f.get("eprint")
    archive = (f.get("archiveprefix") or f.get("eprinttype") or "").lower()
    if eprint and (archive in ("arxiv", "") or "arxiv" in (f.get("journal") or "").lower()):
        paper["arxiv_id"] = eprint
    if f.get("doi"):
        paper["doi"] = f["doi"]
    if f.get("url"):
        paper["url"] = f["url"]
    published = date(f)
    if published:
        paper["published"] = published
    categories = [c.strip() for c in re.split(r"[,;]", f.get("categories", "")) if c.strip()]
    if not categories and f.get("primaryclass"):
        categories = [f["primaryclass"]]
    if categories:
        paper["categories"] = categories
    tags = list(dict.fromkeys(t.strip() for t in re.split(r"[,;]", f.get("keywords", "")) if t.strip()))
    note = f.get("annote") or f.get("comment") or ""
    data = {"paper": paper, "tags": tags, "note": note}
    if f.get("paperlensid"):
        paper["id"] = f["paperlensid"]
    saved = f.get("timestamp") or ""
    if re.fullmatch(r"[0-9]{4}\.[0-9]{2}\.[0-9]{2}", saved):  # JabRef's default timestamp format
        saved = saved.replace(".", "-")
    try:
        ms_from_iso(saved)
        data["saved_at"] = saved
    except ValueError:
        pass  # an unreadable timestamp is not worth losing the entry over: it is saved now
    return data


def date(f: dict) -> str | None:
    """`date` when it is ISO, else `year` with `month` (a number or a month macro's name)."""
    value = f.get("date", "")
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        return value
    year = f.get("year", "")
    if not re.fullmatch(r"[0-9]{4}", year):
        return None
    month = f.get("month", "").strip().lower()[:3]
    if month in bibtex.MONTHS:
        month = str(bibtex.MONTHS.index(month) + 1)
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return year
