"""One user's reading list as the API sees it: listing (filter, search, sort, page), tags, saving
and editing entries, export and import (BibTeX or our JSON), recommendations, "not interested".

Entries are keyed by the id the corpus stores a paper under, so doi:... and arxiv:... of one paper
are one entry."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import marshmallow as ma

from ..corpus.paper import Paper, indexed_text
from ..library import bibtex, from_bibtex
from ..library.export import FORMATS, filename, item, items_for, ms_from_iso, render
from ..library.limits import MAX_IMPORT, MAX_TAGS

SKIPS_LISTED = 100  # an import answer lists the first skipped entries and counts them all
from ..library.recommend import recommend
from ..schemas import ImportItemSchema, LibraryImportRequest
from ..store.library import ReadingList, TooManyTags
from .corpus import Corpus
from .errors import Invalid, NotFound, Unavailable, Unreadable
from .meaning import ranked_by
from .tokens import Tokens

EXPORT_FORMATS = tuple(FORMATS)  # what a list exports to: bibtex, csv, json


@dataclass(frozen=True)
class Exported:
    text: str
    content_type: str
    filename: str
    entries: int


class Library:
    def __init__(self, corpus: Corpus, user: str):
        self.corpus = corpus
        self.user = user
        self.list = corpus.store.reading_list(user)

    # -- the list ----------------------------------------------------------------------------
    def page(self, *, tag: str | None = None, q: str | None = None, sort: str = "saved", order: str | None = None,
             page: int = 1, per_page: int = 50) -> dict:
        """The entries matching `tag` and every word of `q`, sorted and paged; only the page's
        entries get fresh metadata from the corpus. Sorted by saved time without a search, only
        the ids (and for a tag the tag sets) of the rest are read. A search, and the order by
        title, read the copy of each paper kept with its entry."""
        order = order or ("asc" if sort == "title" else "desc")
        start, stop = (page - 1) * per_page, page * per_page
        if sort == "saved" and not q:
            ids = self.list.ids(newest_first=order == "desc")
            if tag:
                ids = [i for i, tags in zip(ids, self.list.tags_of(ids)) if tag in tags]
            return {"items": self._items(self.list.entries(ids[start:stop])), "total": len(ids), "page": page,
                    "per_page": per_page}
        entries = [e for e in self.list.entries() if not tag or tag in e.tags]
        if q:
            words = q.casefold().split()
            entries = [e for e in entries if all(w in _haystack(e) for w in words)]
        if sort == "title":
            entries.sort(key=lambda e: ((e.paper or {}).get("title", "").casefold(), e.paper_id), reverse=order == "desc")
        else:
            entries.sort(key=lambda e: (e.saved_at_ms, e.paper_id), reverse=order == "desc")
        return {"items": self._items(entries[start:stop]), "total": len(entries), "page": page, "per_page": per_page}

    def tags(self) -> list[dict]:
        """Every tag in the list with how many entries carry it, most used first."""
        counts = Counter(t for tags in self.list.tags_of(self.list.ids()) for t in tags)
        return [{"tag": t, "count": n} for t, n in sorted(counts.items(), key=lambda tn: (-tn[1], tn[0]))]

    # -- one entry -----------------------------------------------------------------------------
    def save(self, paper_id: str, *, paper: dict | None, tags: list[str] | None, note: str | None) -> tuple[dict, bool]:
        """Save a paper (idempotent): (the item, whether it is new to the list). A paper not in the
        corpus yet needs its metadata in `paper` and is added to the corpus too."""
        paper_id = self.corpus.checked_id(paper_id)
        stored = self.corpus.store.papers.get(paper_id)
        if stored is None:
            if not paper:
                raise NotFound(f"No paper with id {paper_id!r} in the corpus: send its metadata as \"paper\" "
                               "to save it.")
            stored_id = self.corpus.ingest([_matching_paper(self.corpus, paper, paper_id)])["results"][0]["id"]
            stored = self.corpus.store.papers.get(stored_id)
            if stored is None:  # stored a moment ago; only a vanished Redis gets here
                raise Unavailable("The paper could not be stored; try again.")
        try:
            created, entry = self.list.save(stored.id, stored.to_dict(), tags=tags, note=note)
        except TooManyTags as exc:
            raise _too_many_tags(exc) from None
        return item(entry, stored.to_dict()), created

    def edit(self, paper_id: str, *, note: str | None, tags: list[str] | None, add_tags: list[str],
             remove_tags: list[str]) -> dict:
        """Change an entry's note or tags (atomically, so concurrent edits never lose a tag)."""
        try:
            entry = self.list.edit(self.corpus.stored_id(paper_id), note=note, tags=tags, add_tags=add_tags,
                                   remove_tags=remove_tags)
        except TooManyTags as exc:
            raise _too_many_tags(exc) from None
        if entry is None:
            raise NotFound(f"{paper_id!r} is not in your reading list.")
        return self._items([entry])[0]

    def remove(self, paper_id: str) -> None:
        if not self.list.remove(self.corpus.stored_id(paper_id)):
            raise NotFound(f"{paper_id!r} is not in your reading list.")

    def bulk(self, ids: list[str], *, add_tags: list[str], remove_tags: list[str], remove: bool) -> dict:
        """Change many entries (add and/or remove tags, or remove them), each atomically; an id not
        in the list, or an entry that would pass the tag limit, is skipped and reported."""
        changed, removed, skipped = [], [], []
        for entry_id in dict.fromkeys(self.corpus.stored_id(i) for i in ids):
            try:
                if remove:
                    done = self.list.remove(entry_id)
                    if done:
                        removed.append(entry_id)
                else:
                    done = self.list.edit(entry_id, add_tags=add_tags, remove_tags=remove_tags)
                    if done:
                        changed.append(done)
            except TooManyTags:
                skipped.append({"id": entry_id, "reason": f"an entry holds at most {MAX_TAGS} tags"})
                continue
            if not done:
                skipped.append({"id": entry_id, "reason": "not in your reading list"})
        return {"items": self._items(changed), "removed": removed, "skipped": skipped}

    # -- export and import ---------------------------------------------------------------------
    def export(self, fmt: str, *, tag: str | None = None, ids: list[str] | None = None) -> Exported:
        """The whole list, one tag, or the entries `ids` names as a file; oldest first (the order a
        bibliography grows in)."""
        chosen = None if ids is None else list(dict.fromkeys(self.corpus.stored_id(i) for i in ids))
        items = sorted(self._items(self.list.entries(chosen)), key=lambda it: it["saved_at"])
        if tag:
            items = [it for it in items if tag in it["tags"]]
        return Exported(render(fmt, items), FORMATS[fmt][0], filename(fmt, self.user), len(items))

    def has_owner(self) -> bool:
        """Whether anyone can have saved to this list: it has entries, or a token acts for its user
        (any name has a list, empty until then: a typo would otherwise export nothing, silently)."""
        return bool(self.list.ids()) or self.user in Tokens(self.corpus.store).users()

    def import_text(self, text: str, fmt: str) -> dict:
        """Add entries from BibTeX (Zotero, JabRef, or our export) or from the JSON export. Papers
        are added to the corpus; an entry already in the list keeps its earlier saved time, gains
        the imported tags, and takes the imported note when it has one. A BibTeX entry that cannot
        be read is skipped and reported; a JSON body must validate as a whole."""
        if fmt == "json":
            records, skipped = _json_records(text), []
        else:
            records, skipped = _bibtex_records(text)
        papers = self.corpus.store.papers
        # Papers the corpus has under the exported id keep it; the rest are added (or merged) first.
        ids: list[str | None] = [papers.resolve(rec["paper"]["id"]) if rec["paper"].get("id") else None
                                 for _, rec in records]
        missing = [n for n, i in enumerate(ids) if i is None]
        if missing:
            stored = self.corpus.ingest([self.corpus.to_paper(records[n][1]["paper"], "import") for n in missing])
            for n, s in zip(missing, stored["results"]):
                ids[n] = s.get("id")
        by_id = {p.id: p for p in papers.get_many([i for i in ids if i]) if p is not None}
        added = updated = 0
        for (where, rec), paper_id in zip(records, ids):
            paper = by_id.get(paper_id)
            if paper is None:
                skipped.append({"position": where, "reason": "the paper could not be stored"})
                continue
            saved_at = ms_from_iso(rec["saved_at"]) if rec.get("saved_at") else None
            try:
                created, _ = self.list.save(paper.id, paper.to_dict(), tags=list(dict.fromkeys(rec["tags"])),
                                            merge_tags=True, note=rec["note"] or None, saved_at_ms=saved_at)
            except TooManyTags as exc:
                skipped.append({"position": where, "reason": str(exc)})
                continue
            added += created
            updated += not created
        return {"imported": added + updated, "added": added, "updated": updated,
                "skipped": skipped[:SKIPS_LISTED], "skipped_total": len(skipped)}

    # -- recommendations and "not interested" --------------------------------------------------
    def recommendations(self, k: int, summaries: str, tag: str | None = None, rank: str | None = None) -> dict:
        """Papers like the saved ones (or the ones with `tag`), never a saved or dismissed paper."""
        papers = self.corpus.store.papers
        entries = self.list.entries()
        basis = [e for e in entries if tag is None or tag in e.tags]
        fresh = papers.get_many([e.paper_id for e in basis])
        texts = [_text(p.to_dict() if p else e.paper) for e, p in zip(basis, fresh)]
        dismissed = self.list.dismissed()
        dismissed_texts = [_text(p.to_dict()) for p in papers.get_many(dismissed) if p is not None]
        view = self.corpus.index.view()
        signal = self.corpus.meaning
        meaning = signal.meaning(signal.rank_used(rank), vector=signal.mean_vector([e.paper_id for e in basis]))
        ranking, terms = recommend(view, texts, dismissed_texts, {e.paper_id for e in entries} | set(dismissed), k,
                                   meaning)
        results, _ = self.corpus.results(view, ranking.hits, summaries)
        return {"rank": ranked_by(meaning), "based_on": len(basis), "dismissed": len(dismissed), "tag": tag,
                "profile": [{"term": t, "weight": w} for t, w in terms],
                "corpus_version": view.version, "results": [{**r, "saved": False} for r in results]}

    def dismiss(self, paper_id: str) -> str:
        """Mark a paper "not interested": it is never recommended, and papers like it rank lower."""
        stored = self.corpus.store.papers.resolve(self.corpus.checked_id(paper_id))
        if stored is None:
            raise NotFound(f"No paper with id {paper_id!r} in the corpus.")
        self.list.dismiss(stored)
        return stored

    def undismiss(self, paper_id: str) -> None:
        if not self.list.undismiss(self.corpus.stored_id(paper_id)):
            raise NotFound(f"{paper_id!r} is not dismissed.")

    def _items(self, entries) -> list[dict]:
        return items_for(self.list, self.corpus.store.papers, entries)


def _haystack(entry) -> str:
    paper = entry.paper or {}
    return "\n".join([paper.get("title") or "", paper.get("abstract") or "", " ".join(paper.get("authors") or []),
                      entry.note, " ".join(entry.tags), entry.paper_id]).casefold()


def _text(paper: dict | None) -> str:
    paper = paper or {}
    return indexed_text(paper.get("title"), paper.get("abstract"))


def _too_many_tags(exc: TooManyTags) -> Invalid:
    return Invalid(f"An entry holds at most {MAX_TAGS} tags.", details={"tags": [str(exc)]})


def _matching_paper(corpus: Corpus, meta: dict, paper_id: str) -> Paper:
    """The paper the metadata describes, taking the arXiv id or DOI from the path when the
    metadata leaves it out; Invalid when the path names a different paper."""
    meta = dict(meta)
    scheme, _, value = paper_id.partition(":")
    if scheme == "arxiv" and not meta.get("arxiv_id"):
        meta["arxiv_id"] = value
    if scheme == "doi" and not meta.get("doi"):
        meta["doi"] = value
    given = corpus.to_paper(meta, "library")
    if paper_id not in given.aliases():
        raise Invalid("The paper's metadata names a different paper than the path.",
                      details={"paper": [f"its ids are {', '.join(given.aliases())}, not {paper_id}"]})
    return given


def _json_records(text: str) -> list[tuple[str, dict]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Unreadable(f"The body is not valid JSON: {exc}") from None
    try:
        loaded = LibraryImportRequest().load(data)
    except ma.ValidationError as exc:
        raise Invalid("The request did not validate: see details for each field.",
                      details=exc.messages if isinstance(exc.messages, dict) else {"items": exc.messages}) from None
    return [(f"item {n + 1}", it) for n, it in enumerate(loaded["items"])]


def _bibtex_records(text: str) -> tuple[list[tuple[str, dict]], list[dict]]:
    try:
        # broken entries count too: twice the limit leaves room for @comment and @string blocks
        entries, skips = bibtex.parse(text, max_entries=2 * MAX_IMPORT)
    except bibtex.TooManyEntries as exc:
        raise Invalid(f"At most {MAX_IMPORT} entries per import.",
                      details={"entries": [f"the file holds {exc}"]}) from None
    skipped = [{"position": f"line {s.position}", "reason": s.reason} for s in skips]
    if len(entries) > MAX_IMPORT:
        raise Invalid(f"At most {MAX_IMPORT} entries per import.", details={"entries": [f"{len(entries)} given"]})
    records = []
    schema = ImportItemSchema()
    for e in entries:
        where = f"line {e.position}"
        data = from_bibtex.item(e)
        if data is None:
            skipped.append({"position": where, "reason": "no title"})
            continue
        try:
            records.append((where, schema.load(data)))
        except ma.ValidationError as exc:
            skipped.append({"position": where, "reason": json.dumps(exc.messages, ensure_ascii=False)[:500]})
    return records, skipped
