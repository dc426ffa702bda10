"""Reading lists: GET/PUT/PATCH/DELETE /library..., tags, export, import, recommendations, dismiss.

Every route acts for the user of the bearer token and only on that user's list; there is no way
to name another user's list.
"""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from ..domain.library import Exported
from ..schemas import (DismissResponse, ExportArgs, ExportSelectionRequest, ImportArgs, LibraryBulkRequest,
                       LibraryBulkResponse, LibraryEditRequest, LibraryImportRequest, LibraryImportResponse,
                       LibraryItemSchema, LibraryListArgs, LibraryListResponse, LibrarySaveRequest, LibraryTagsResponse,
                       RecommendArgs, RecommendResponse, ZoteroImportRequest, ZoteroImportResponse)
from ..services import services
from .access import caller, current_user, requires_token
from .errors import ApiError, ErrorSchema

blp = Blueprint("library", __name__, url_prefix="/api/v1", description="Reading lists (every route needs a token)")

def library():
    """The library of the user the request's token acts for."""
    return services().library(current_user())


# -- the list -------------------------------------------------------------------------------------
@blp.get("/library")
@requires_token
@blp.arguments(LibraryListArgs, location="query")
@blp.response(200, LibraryListResponse)
def list_library(args: dict):
    """The caller's reading list: filter by tag, search within it (q), sort by saved time or title."""
    return library().page(**args)


@blp.get("/library/tags")
@requires_token
@blp.response(200, LibraryTagsResponse)
def list_tags():
    """Every tag in the caller's list with its number of entries, most used first (for autocomplete)."""
    return {"tags": library().tags()}


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
    item, created = library().save(paper_id, paper=body.get("paper"), tags=body.get("tags"), note=body.get("note"))
    return item, 201 if created else 200


@blp.patch("/library/<path:paper_id>")
@requires_token
@blp.arguments(LibraryEditRequest)
@blp.response(200, LibraryItemSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not in the list")
def edit_entry(body: dict, paper_id: str):
    """Change an entry's note or tags: `tags` replaces them, `add_tags`/`remove_tags` change some
    (atomically, so concurrent edits never lose a tag)."""
    return library().edit(paper_id, note=body.get("note"), tags=body.get("tags"), add_tags=body.get("add_tags", []),
                          remove_tags=body.get("remove_tags", []))


@blp.delete("/library/<path:paper_id>")
@requires_token
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="Not in the list")
def remove_entry(paper_id: str):
    library().remove(paper_id)
    return None


@blp.post("/library/bulk")
@requires_token
@blp.arguments(LibraryBulkRequest)
@blp.response(200, LibraryBulkResponse)
def bulk_edit(body: dict):
    """Change many entries at once (the library page's selection): add and/or remove tags, or
    remove the entries. Each entry changes atomically; an id not in the list, or an entry that
    would pass 50 tags, is skipped and reported, and the others still change."""
    return library().bulk(body["ids"], add_tags=body["add_tags"], remove_tags=body["remove_tags"],
                          remove=body["remove"])


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
    return _file(library().export(args["format"], tag=args.get("tag")))


@blp.post("/library/export")
@requires_token
@blp.arguments(ExportSelectionRequest)
@blp.doc(**_EXPORT_DOC)
def export_selection(body: dict):
    """Some entries (the library page's selection) as BibTeX, CSV or JSON; the ids go in the body,
    since a selection can be thousands long."""
    return _file(library().export(body["format"], ids=body["ids"]))


def _file(exported: Exported) -> Response:
    response = Response(exported.text, mimetype=exported.content_type.split(";")[0])
    response.headers["Content-Type"] = exported.content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
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
    return library().import_text(text, args.get("format") or _guess_format(text))


@blp.post("/library/import/zotero")
@requires_token
@blp.arguments(ZoteroImportRequest)
@blp.response(200, ZoteroImportResponse)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema)
def import_zotero(body: dict):
    """Read a Zotero library into the caller's list: the Zotero 7 desktop app's local API on this
    server's machine (`local`), or the zotero.org web API with a user id and key (`web`; the key
    is sent to Zotero in a header and kept nowhere). Items are matched to corpus papers by arXiv
    id, DOI or title, the rest added as papers, all saved with their Zotero tags; running it again
    saves nothing twice. 503 when Zotero does not answer or stops (page, size and time caps)."""
    from ..domain.zotero_import import import_zotero as run_import, library_for

    settings = services().settings
    # The local Zotero is the library of whoever runs the server: on a shared server only an
    # admin may read it into a list; on loopback the server is the user's own.
    if body["source"] == "local" and not settings.on_loopback and not caller().admin:
        raise ApiError(403, "Reading the Zotero app on the server's machine needs an admin token on a shared "
                            "server: use the web API (source: web) with your own user id and key.")
    zotero = library_for(settings, body["source"], body.get("user_id"), body.get("api_key"))
    return run_import(library(), zotero)


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


# -- recommendations --------------------------------------------------------------------------------
@blp.get("/library/recommendations")
@requires_token
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, RecommendResponse)
def recommendations(args: dict):
    """Papers like the saved ones (or the ones with `tag`), never a saved or dismissed paper. One
    BM25 query: the list's most telling terms, minus the terms of dismissed papers."""
    return library().recommendations(args["k"], args["summaries"], args.get("tag"), args.get("rank"))


@blp.post("/library/<path:paper_id>/dismiss")
@requires_token
@blp.response(200, DismissResponse)
@blp.alt_response(404, schema=ErrorSchema)
def dismiss(paper_id: str):
    """Mark a paper "not interested": it is never recommended, and papers like it rank lower."""
    return {"id": library().dismiss(paper_id), "dismissed": True}


@blp.delete("/library/<path:paper_id>/dismiss")
@requires_token
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
def undismiss(paper_id: str):
    """Undo "not interested"."""
    library().undismiss(paper_id)
    return None
