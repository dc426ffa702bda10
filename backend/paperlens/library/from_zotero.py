"""A Zotero item (the JSON of Zotero's web API and of Zotero 7's local API, which share it) as a
reading-list item: its paper, its tags. The inverse direction, a paper as a Zotero item, is the
extension's (background/zotero.js). Field names: https://api.zotero.org/schema (itemFields)."""

from __future__ import annotations

import re

from ..corpus.list_limits import MAX_TAG, MAX_TAGS
from ..corpus.paper import clean_arxiv_id

# Items that are not papers: a library's notes, files and PDF annotations.
NOT_PAPERS = {"note", "attachment", "annotation"}
NO_TITLE = "no title"
NOT_A_PAPER = "notes and attachments"

MAX_TITLE = 2000
MAX_ABSTRACT = 100_000
MAX_AUTHORS = 2000
MAX_FIELD = 2000  # url, DOI, extra lines: anything longer is not an id worth reading

# The arXiv translator writes "arXiv:2101.00001" in archiveID; older items carry it in `extra`.
_EXTRA_ARXIV = re.compile(r"^\s*arxiv(?:\s+id)?\s*:\s*(\S+)", re.I | re.M)
_EXTRA_DOI = re.compile(r"^\s*doi\s*:\s*(\S+)", re.I | re.M)
# arXiv's own DOIs (DataCite, 10.48550/arXiv.<id>) name the arXiv paper, which its id says better.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def item(raw: object) -> dict | str:
    """{paper, tags, note} in ImportItemSchema's shape, or why the item is skipped."""
    data = raw.get("data", raw) if isinstance(raw, dict) else None
    if not isinstance(data, dict):
        return NO_TITLE
    if _text(data.get("itemType")) in NOT_PAPERS:
        return NOT_A_PAPER
    title = " ".join(_text(data.get("title"), MAX_TITLE).split())
    if not title:
        return NO_TITLE
    extra = _text(data.get("extra"), 10 * MAX_FIELD)
    paper: dict = {"title": title, "abstract": _text(data.get("abstractNote"), MAX_ABSTRACT),
                   "authors": authors(data.get("creators"))}
    doi = _text(data.get("DOI"), MAX_FIELD).strip() or _first(_EXTRA_DOI, extra)
    arxiv = (clean_arxiv_id(_text(data.get("archiveID"), MAX_FIELD))
             or clean_arxiv_id(_first(_EXTRA_ARXIV, extra)))
    if doi and _ARXIV_DOI.match(doi):
        arxiv = arxiv or clean_arxiv_id(_ARXIV_DOI.match(doi).group(1))
        doi = ""
    if arxiv:
        paper["arxiv_id"] = arxiv
    if doi and len(doi) <= 300:
        paper["doi"] = doi
    url = _text(data.get("url"), MAX_FIELD).strip()
    if re.match(r"(?i)^https?://\S+$", url):
        paper["url"] = url
    published = date(raw.get("meta", {}) if isinstance(raw, dict) else {}, data)
    if published:
        paper["published"] = published
    return {"paper": paper, "tags": tags(data.get("tags")), "note": ""}


def authors(creators: object) -> list[str]:
    """Authors in order ("First Last", or the single-field `name`); editors and others left out."""
    names = []
    for c in creators if isinstance(creators, list) else []:
        if not isinstance(c, dict) or c.get("creatorType", "author") != "author":
            continue
        name = _text(c.get("name"), 500) or f"{_text(c.get('firstName'), 250)} {_text(c.get('lastName'), 250)}"
        if name.strip():
            names.append(" ".join(name.split()))
        if len(names) == MAX_AUTHORS:
            break
    return names


def tags(raw: object) -> list[str]:
    """Zotero tags as Paperlens tags: commas (BibTeX's separator) and control characters become
    spaces, each cut to the tag limit, the first 50 distinct ones kept."""
    out: list[str] = []
    for t in raw if isinstance(raw, list) else []:
        text = _text(t.get("tag") if isinstance(t, dict) else t, 4 * MAX_TAG)
        text = " ".join(re.sub(r"[\x00-\x1f\x7f,]", " ", text).split())[:MAX_TAG].strip()
        if text and text not in out:
            out.append(text)
        if len(out) == MAX_TAGS:
            break
    return out


def date(meta: dict, data: dict) -> str | None:
    """The API's `meta.parsedDate` (YYYY, YYYY-MM or YYYY-MM-DD), else an ISO start of `date`; a
    day or month of 00 (Zotero's "unknown") is dropped, never invented."""
    for value in (_text(meta.get("parsedDate") if isinstance(meta, dict) else None, 40), _text(data.get("date"), 40)):
        m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
        if m:
            year, month, day = m.groups()
            if month and 1 <= int(month) <= 12:
                if day and 1 <= int(day) <= 31:
                    return f"{year}-{month}-{day}"
                return f"{year}-{month}"
            return year
    return None


def _text(value: object, limit: int = MAX_FIELD) -> str:
    # Clipped before any other work: a hostile library's megabyte field costs one slice.
    return value[:limit] if isinstance(value, str) else ""


def _first(pattern: re.Pattern, text: str) -> str:
    m = pattern.search(text)
    return m.group(1) if m else ""
