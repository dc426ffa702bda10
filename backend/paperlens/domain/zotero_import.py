"""A Zotero library into a reading list: each item matched to a corpus paper by arXiv id, DOI or
title (the corpus's own aliases), the rest added as papers, all saved with their Zotero tags. Run
again, it saves nothing twice: entries already in the list gain the tags and count as "already
saved"."""

from __future__ import annotations

from collections import Counter
from itertools import islice
from typing import Iterable

import marshmallow as ma

from ..corpus.list_limits import MAX_TAGS
from ..library import from_zotero
from ..store.library import TooManyTags
from ..sync.zotero_reader import ZoteroError, ZoteroLibrary, ZoteroUnreachable, read_items
from .entries import ImportItemSchema
from .errors import Invalid, Unavailable
from .library import Library

BATCH = 200


def library_for(settings, source: str, user_id: str | None = None, api_key: str | None = None) -> ZoteroLibrary:
    if source == "local":
        return ZoteroLibrary(settings.zotero_local_url, "0")
    if not (user_id and api_key):
        raise Invalid("The Zotero web API needs a user id and an API key.",
                      details={"_schema": ["give user_id and api_key"]})
    return ZoteroLibrary(settings.zotero_web_url, user_id, api_key)


def import_zotero(library: Library, zotero: ZoteroLibrary) -> dict:
    """Read the whole library (bounded by zotero_reader's caps), then save it; the counts."""
    try:
        items = list(read_items(zotero))
    except ZoteroError as exc:
        # Zotero did not answer or stopped: nothing is wrong with the request (503, not 4xx).
        raise Unavailable(str(exc), details={"zotero": ["unreachable" if isinstance(exc, ZoteroUnreachable)
                                                        else "stopped"]}) from None
    return save_items(library, items)


def save_items(library: Library, items: Iterable[object]) -> dict:
    counts = Counter()
    skipped: Counter = Counter()
    schema = ImportItemSchema()
    papers = library.corpus.store.papers
    stream = iter(items)
    while batch := list(islice(stream, BATCH)):
        counts["read"] += len(batch)
        records = []
        for raw in batch:
            mapped = from_zotero.item(raw)
            if isinstance(mapped, str):
                skipped[mapped] += 1
                continue
            try:
                records.append(schema.load(mapped))
            except ma.ValidationError as exc:
                skipped[f"unreadable {', '.join(sorted(exc.messages))[:100]}"] += 1
        if not records:
            continue
        given = [library.corpus.to_paper(r["paper"], "zotero") for r in records]
        # Matched: the corpus knows the paper under one of its ids (arXiv, DOI, normalised title).
        aliases = [p.aliases() for p in given]
        found = papers.resolve_many([a for group in aliases for a in group])
        ids: list[str | None] = []
        at = 0
        for group in aliases:
            ids.append(next((f for f in found[at:at + len(group)] if f), None))
            at += len(group)
        missing = [n for n, i in enumerate(ids) if i is None]
        counts["matched"] += len(records) - len(missing)
        if missing:
            stored = library.corpus.ingest([given[n] for n in missing])
            for n, s in zip(missing, stored["results"]):
                ids[n] = s.get("id")
            counts["added"] += stored["added"]
        by_id = {p.id: p for p in papers.get_many([i for i in ids if i]) if p is not None}
        for record, paper_id in zip(records, ids):
            paper = by_id.get(paper_id)
            if paper is None:
                skipped["could not be stored"] += 1
                continue
            try:
                created, _ = library.list.save(paper.id, paper.to_dict(), tags=record["tags"][:MAX_TAGS],
                                               merge_tags=True, note=None)
            except TooManyTags:
                skipped[f"more than {MAX_TAGS} tags with the list's own"] += 1
                continue
            counts["saved" if created else "already_saved"] += 1
    skips = [{"reason": reason, "count": n} for reason, n in skipped.most_common()]
    return {"read": counts["read"], "saved": counts["saved"], "already_saved": counts["already_saved"],
            "matched": counts["matched"], "added": counts["added"], "skipped": skips,
            "summary": summary_line(counts, skips)}


def summary_line(counts: Counter, skips: list[dict]) -> str:
    """read 412 items: 380 saved, 20 already saved, 12 skipped (no title)"""
    parts = [f"{counts['saved']} saved", f"{counts['already_saved']} already saved"]
    parts += [f"{s['count']} skipped ({s['reason']})" for s in skips] or ["0 skipped"]
    return f"read {counts['read']} items: " + ", ".join(parts)
