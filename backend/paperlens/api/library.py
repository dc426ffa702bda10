"""Reading lists: GET/PUT/PATCH/DELETE /library..., export, import, recommendations, dismiss.

Every route acts for the user of the bearer token and only on that user's list; there is no way
to name another user's list. Entries are keyed by the id the corpus stores a paper under, so
doi:... and arxiv:... of one paper are one entry.
"""

from __future__ import annotations

import json
import re

import marshmallow as ma
from flask import Response, request
from flask_smorest import Blueprint

from ..corpus.paper import Paper, clean_arxiv_id, clean_doi
from ..library import bibtex
from ..library.export import FORMATS, filename, item, items_for, ms_from_iso, render
from ..library.recommend import recommend
from ..schemas import (MAX_IMPORT, PAPER_ID, DismissResponse, ExportArgs, ExportSelectionRequest, ImportArgs,
                       ImportItemSchema, LibraryBulkRequest, LibraryBulkResponse, LibraryEditRequest,
                       LibraryImportRequest, LibraryImportResponse, LibraryItemSchema, LibraryListArgs,
                       LibraryListResponse, LibrarySaveRequest, RecommendArgs, RecommendResponse)
from ..services import services
from ..store.library import ReadingList, TooManyTags
from .access import current_user, requires_token
from .errors import ApiError, ErrorSchema
from .papers import ingest, to_paper
from .results import result_objects

blp = Blueprint("library", __name__, url_prefix="/api/v1", description="Reading lists (every route needs a token)")

VALID_ID = re.compile(PAPER_ID)


IMPORT_MAX_BYTES = 16 * 1024 * 1024  # a whole Zotero library, abstracts included; other routes keep the app limit


@blp.before_request
def allow_large_imports():
    if request.endpoint == "library.import_library":
        request.max_content_length = IMPORT_MAX_BYTES


def reading_list() -> ReadingList:
    svc = services()
    return svc.store.reading_list(current_user())


def _checked(paper_id: str) -> str:
    """A well-formed id in its canonical form (arxiv:2401.00001v2 -> arxiv:2401.00001, DOIs lowercased)."""
    if not VALID_ID.match(paper_id):
        raise ApiError(404, f"No paper with id {paper_id[:100]!r}: ids look like arxiv:1706.03762, doi:10.1/x or "
                            "title:<hash>.")
    scheme, _, value = paper_id.partition(":")
    if scheme == "arxiv":
        value = clean_arxiv_id(value) or value
    elif scheme == "doi":
        value = clean_doi(value) or value
    return f"{scheme}:{value}"


def _entry_id(paper_id: str) -> str:
    """The id the list keeps a paper under: the corpus's id for any of its aliases."""
    paper_id = _checked(paper_id)
    return services().papers.resolve(paper_id) or paper_id


def _items(rl: ReadingList, entries) -> list[dict]:
    return items_for(rl, services().papers, entries)


def _too_many_tags(exc: TooManyTags) -> ApiError:
    return ApiError(422, "An entry holds at most 50 tags.", details={"tags": [str(exc)]})


# -- the list -------------------------------------------------------------------------------------
@blp.get("/library")
@requires_token
@blp.arguments(LibraryListArgs, location="query")
@blp.response(200, LibraryListResponse)
def list_library(args: dict):
    """The caller's reading list: filter by tag, search within it (q), sort by saved time or title."""
    rl = reading_list()
    items = _items(rl, rl.entries())
    if args.get("tag"):
        items = [it for it in items if args["tag"] in it["tags"]]
    if args.get("q"):
        words = args["q"].casefold().split()
        items = [it for it in items if all(w in _haystack(it) for w in words)]
    order = args.get("order") or ("asc" if args["sort"] == "title" else "desc")
    if args["sort"] == "title":
        items.sort(key=lambda it: (it["paper"]["title"].casefold(), it["paper"]["id"]), reverse=order == "desc")
    else:
        items.sort(key=lambda it: (it["saved_at"], it["paper"]["id"]), reverse=order == "desc")
    start = (args["page"] - 1) * args["per_page"]
    return {"items": items[start:start + args["per_page"]], "total": len(items), "page": args["page"],
            "per_page": args["per_page"]}


def _haystack(it: dict) -> str:
    paper = it["paper"]
    return "\n".join([paper["title"], paper["abstract"], " ".join(paper["authors"]), it["note"],
                      " ".join(it["tags"]), paper["id"]]).casefold()


# -- one entry ------------------------------------------------------------------------------------
@blp.put("/library/<path:paper_id>")
@requires_token
@blp.arguments(LibrarySaveRequest)
@blp.response(200, LibraryItemSchema, description="Updated: the paper was in the list already")
@blp.alt_response(201, schema=LibraryItemSchema, description="Saved: the paper is new to the list")
@blp.alt_response(404, schema=ErrorSchema, description="Unknown paper and no metadata given")
def save_paper(body: dict, paper_id: str):
    """Save a paper (idempotent). Tags and note, when given, replace the entry's; a paper not in the
    corpus yet needs its metadata in `paper` and is added to the corpus too."""
    svc = services()
    paper_id = _checked(paper_id)
    stored = svc.papers.get(paper_id)
    if stored is None:
        if not body.get("paper"):
            raise ApiError(404, f"No paper with id {paper_id!r} in the corpus: send its metadata as \"paper\" "
                                "to save it.")
        given = _matching_paper(body["paper"], paper_id)
        stored_id = ingest([given])["results"][0]["id"]
        stored = svc.papers.get(stored_id)
        if stored is None:  # stored a moment ago; only a vanished Redis gets here
            raise ApiError(503, "The paper could not be stored; try again.")
    rl = reading_list()
    try:
        created, entry = rl.save(stored.id, stored.to_dict(), tags=body.get("tags"), note=body.get("note"))
    except TooManyTags as exc:
        raise _too_many_tags(exc) from None
    return item(entry, stored.to_dict()), 201 if created else 200


def _matching_paper(meta: dict, paper_id: str) -> Paper:
    """The paper the metadata describes, taking the arXiv id or DOI from the path when the
    metadata leaves it out; 422 when the path names a different paper."""
    meta = dict(meta)
    scheme, _, value = paper_id.partition(":")
    if scheme == "arxiv" and not meta.get("arxiv_id"):
        meta["arxiv_id"] = value
    if scheme == "doi" and not meta.get("doi"):
        meta["doi"] = value
    given = to_paper(meta, "library")
    if paper_id not in given.aliases():
        raise ApiError(422, "The paper's metadata names a different paper than the path.",
                       details={"paper": [f"its ids are {', '.join(given.aliases())}, not {paper_id}"]})
    return given


@blp.patch("/library/<path:paper_id>")
@requires_token
@blp.arguments(LibraryEditRequest)
@blp.response(200, LibraryItemSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not in the list")
def edit_entry(body: dict, paper_id: str):
    """Change an entry's note or tags: `tags` replaces them, `add_tags`/`remove_tags` change some
    (atomically, so concurrent edits never lose a tag)."""
    entry_id = _entry_id(paper_id)
    rl = reading_list()
    try:
        entry = rl.edit(entry_id, note=body.get("note"), tags=body.get("tags"), add_tags=body.get("add_tags", []),
                        remove_tags=body.get("remove_tags", []))
    except TooManyTags as exc:
        raise _too_many_tags(exc) from None
    if entry is None:
        raise ApiError(404, f"{paper_id!r} is not in your reading list.")
    return _items(rl, [entry])[0]


@blp.delete("/library/<path:paper_id>")
@requires_token
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="Not in the list")
def remove_entry(paper_id: str):
    if not reading_list().remove(_entry_id(paper_id)):
        raise ApiError(404, f"{paper_id!r} is not in your reading list.")
    return None


@blp.post("/library/bulk")
@requires_token
@blp.arguments(LibraryBulkRequest)
@blp.response(200, LibraryBulkResponse)
def bulk_edit(body: dict):
    """Change many entries at once (the library page's selection): add and/or remove tags, or
    remove the entries. Each entry changes atomically; an id not in the list, or an entry that
    would pass 50 tags, is skipped and reported, and the others still change."""
    rl = reading_list()
    ids = list(dict.fromkeys(_entry_id(i) for i in body["ids"]))
    changed, removed, skipped = [], [], []
    for entry_id in ids:
        try:
            if body["remove"]:
                done = rl.remove(entry_id)
                if done:
                    removed.append(entry_id)
            else:
                done = rl.edit(entry_id, add_tags=body["add_tags"], remove_tags=body["remove_tags"])
                if done:
                    changed.append(done)
        except TooManyTags:
            skipped.append({"id": entry_id, "reason": "an entry holds at most 50 tags"})
            continue
        if not done:
            skipped.append({"id": entry_id, "reason": "not in your reading list"})
    return {"items": _items(rl, changed), "removed": removed, "skipped": skipped}


# -- export and import ----------------------------------------------------------------------------
_EXPORT_DOC = {"responses": {"200": {"description": "The list as a file (Content-Disposition: attachment)",
                                     "content": {"application/x-bibtex": {"schema": {"type": "string"}},
                                                 "text/csv": {"schema": {"type": "string"}},
                                                 "application/json": {"schema": {"type": "object"}}}}}}


@blp.get("/library/export")
@requires_token
@blp.arguments(ExportArgs, location="query")
@blp.doc(**_EXPORT_DOC)
def export_library(args: dict):
    """The whole list (or one tag) as BibTeX (for Zotero, JabRef), CSV, or JSON (for import)."""
    rl = reading_list()
    items = _items(rl, rl.entries())
    if args.get("tag"):
        items = [it for it in items if args["tag"] in it["tags"]]
    return _export(args["format"], items)


@blp.post("/library/export")
@requires_token
@blp.arguments(ExportSelectionRequest)
@blp.doc(**_EXPORT_DOC)
def export_selection(body: dict):
    """Some entries (the library page's selection) as BibTeX, CSV or JSON; the ids go in the body,
    since a selection can be thousands long."""
    rl = reading_list()
    return _export(body["format"], _items(rl, rl.entries(list(dict.fromkeys(_entry_id(i) for i in body["ids"])))))


def _export(fmt: str, items: list[dict]) -> Response:
    items.sort(key=lambda it: it["saved_at"])  # oldest first: the order a bibliography grows in
    response = Response(render(fmt, items), mimetype=FORMATS[fmt][0].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt][0]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(fmt, current_user())}"'
    return response


_IMPORT_DOC = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": LibraryImportRequest},
    "application/x-bibtex": {"schema": {"type": "string"}},
    "text/plain": {"schema": {"type": "string", "description": "BibTeX"}},
}}}


@blp.post("/library/import")
@requires_token
@blp.arguments(ImportArgs, location="query")
@blp.response(200, LibraryImportResponse)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(**_IMPORT_DOC)
def import_library(args: dict):
    """Add entries from BibTeX (Zotero, JabRef, or our export) or from the JSON export. Papers are
    added to the corpus; an entry already in the list keeps its earlier saved time, gains the
    imported tags, and takes the imported note when it has one. A BibTeX entry that cannot be read
    is skipped and reported; a JSON body must validate as a whole (422 otherwise)."""
    text = _body_text()
    fmt = args.get("format") or _guess_format(text)
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ApiError(400, f"The body is not valid JSON: {exc}") from None
        try:
            loaded = LibraryImportRequest().load(data)
        except ma.ValidationError as exc:
            raise ApiError(422, "The request did not validate: see details for each field.",
                           details=exc.messages if isinstance(exc.messages, dict) else {"items": exc.messages}) from None
        records = [(f"item {n + 1}", it) for n, it in enumerate(loaded["items"])]
        skipped: list[dict] = []
    else:
        records, skipped = _bibtex_records(text)
    return _import(records, skipped)


def _body_text() -> str:
    if request.files:
        raw = next(iter(request.files.values())).read()
    else:
        raw = request.get_data(cache=False)
    if not raw.strip():
        raise ApiError(400, "The body is empty: send BibTeX or the JSON export.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8 text.") from None


def _guess_format(text: str) -> str:
    mimetype = request.mimetype or ""
    if "json" in mimetype:
        return "json"
    if "bibtex" in mimetype or mimetype == "text/plain":
        return "bibtex"
    return "json" if text.lstrip()[:1] in ("{", "[") else "bibtex"


def _bibtex_records(text: str) -> tuple[list[tuple[str, dict]], list[dict]]:
    entries, skips = bibtex.parse(text)
    skipped = [{"position": f"line {s.position}", "reason": s.reason} for s in skips]
    if len(entries) > MAX_IMPORT:
        raise ApiError(422, f"At most {MAX_IMPORT} entries per import.", details={"entries": [f"{len(entries)} given"]})
    records = []
    schema = ImportItemSchema()
    for e in entries:
        where = f"line {e.position}"
        data = _bib_item(e)
        if data is None:
            skipped.append({"position": where, "reason": "no title"})
            continue
        try:
            records.append((where, schema.load(data)))
        except ma.ValidationError as exc:
            skipped.append({"position": where, "reason": json.dumps(exc.messages, ensure_ascii=False)[:500]})
    return records, skipped


def _bib_item(e: bibtex.BibEntry) -> dict | None:
    f = {k: bibtex.latex_to_unicode(v).strip() if k not in ("author",) else v for k, v in e.fields.items()}
    title = " ".join((f.get("title") or "").split())
    if not title:
        return None
    paper: dict = {"title": title, "abstract": f.get("abstract", ""),
                   "authors": bibtex.split_authors(e.fields.get("author", ""))}
    eprint = f.get("eprint")
    archive = (f.get("archiveprefix") or f.get("eprinttype") or "").lower()
    if eprint and (archive in ("arxiv", "") or "arxiv" in (f.get("journal") or "").lower()):
        paper["arxiv_id"] = eprint
    if f.get("doi"):
        paper["doi"] = f["doi"]
    if f.get("url"):
        paper["url"] = f["url"]
    published = _bib_date(f)
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
    if re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", saved):  # JabRef's default timestamp format
        saved = saved.replace(".", "-")
    try:
        ms_from_iso(saved)
        data["saved_at"] = saved
    except ValueError:
        pass  # an unreadable timestamp is not worth losing the entry over: it is saved now
    return data


def _bib_date(f: dict) -> str | None:
    date = f.get("date", "")
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
        return date
    year = f.get("year", "")
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = f.get("month", "").strip().lower()[:3]
    if month in bibtex.MONTHS:
        month = str(bibtex.MONTHS.index(month) + 1)
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return year


def _import(records: list[tuple[str, dict]], skipped: list[dict]) -> dict:
    svc = services()
    rl = reading_list()
    # Papers the corpus has under the exported id keep it; the rest are added (or merged) first.
    ids: list[str | None] = []
    for _, rec in records:
        exported = rec["paper"].get("id")
        ids.append(svc.papers.resolve(exported) if exported else None)
    missing = [n for n, i in enumerate(ids) if i is None]
    if missing:
        stored = ingest([to_paper(records[n][1]["paper"], "import") for n in missing])["results"]
        for n, s in zip(missing, stored):
            ids[n] = s.get("id")
    papers = svc.papers.get_many([i for i in ids if i])
    by_id = {p.id: p for p in papers if p is not None}
    added = updated = 0
    for (where, rec), paper_id in zip(records, ids):
        paper = by_id.get(paper_id)
        if paper is None:
            skipped.append({"position": where, "reason": "the paper could not be stored"})
            continue
        saved_at = ms_from_iso(rec["saved_at"]) if rec.get("saved_at") else None
        try:
            created, _ = rl.save(paper.id, paper.to_dict(), tags=list(dict.fromkeys(rec["tags"])), merge_tags=True,
                              note=rec["note"] or None, saved_at_ms=saved_at)
        except TooManyTags as exc:
            skipped.append({"position": where, "reason": str(exc)})
            continue
        added += created
        updated += not created
    return {"imported": added + updated, "added": added, "updated": updated, "skipped": skipped}


# -- recommendations --------------------------------------------------------------------------------
@blp.get("/library/recommendations")
@requires_token
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, RecommendResponse)
def recommendations(args: dict):
    """Papers like the saved ones (or the ones with `tag`), never a saved or dismissed paper. One
    BM25 query: the list's most telling terms, minus the terms of dismissed papers."""
    svc = services()
    rl = reading_list()
    entries = rl.entries()
    basis = [e for e in entries if args.get("tag") is None or args["tag"] in e.tags]
    fresh = svc.papers.get_many([e.paper_id for e in basis])
    texts = [_text(p.to_dict() if p else e.paper) for e, p in zip(basis, fresh)]
    dismissed = rl.dismissed()
    dismissed_texts = [_text(p.to_dict()) for p in svc.papers.get_many(dismissed) if p is not None]
    view = svc.index.view()
    ranking, terms = recommend(view, texts, dismissed_texts, {e.paper_id for e in entries} | set(dismissed),
                               args["k"])
    results, _ = result_objects(view, ranking.hits, args["summaries"])
    return {"based_on": len(basis), "dismissed": len(dismissed), "tag": args.get("tag"),
            "profile": [{"term": t, "weight": w} for t, w in terms],
            "corpus_version": view.version, "results": [{**r, "saved": False} for r in results]}


def _text(paper: dict | None) -> str:
    paper = paper or {}
    return f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}".strip()


@blp.post("/library/<path:paper_id>/dismiss")
@requires_token
@blp.response(200, DismissResponse)
@blp.alt_response(404, schema=ErrorSchema)
def dismiss(paper_id: str):
    """Mark a paper "not interested": it is never recommended, and papers like it rank lower."""
    svc = services()
    stored = svc.papers.resolve(_checked(paper_id))
    if stored is None:
        raise ApiError(404, f"No paper with id {paper_id!r} in the corpus.")
    reading_list().dismiss(stored)
    return {"id": stored, "dismissed": True}


@blp.delete("/library/<path:paper_id>/dismiss")
@requires_token
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
def undismiss(paper_id: str):
    """Undo "not interested"."""
    if not reading_list().undismiss(_entry_id(paper_id)):
        raise ApiError(404, f"{paper_id!r} is not dismissed.")
    return None
