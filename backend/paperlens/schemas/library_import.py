"""Imports into a reading list: the JSON export (or BibTeX) posted, and a Zotero library read by the
server."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.paper import PAPER_ID
from .limits import MAX_IMPORT
from .papers import PaperInSchema
from .shared import Note, StrictSchema, TagList


class ImportArgs(StrictSchema):
    format = fields.String(validate=validate.OneOf(["bibtex", "json"]),
                           metadata={"description": "default: from the Content-Type, else from the body"})


def _iso_datetime(value: str) -> None:
    from datetime import datetime

    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ma.ValidationError("Not an ISO 8601 date or time.") from None


class ImportPaperSchema(PaperInSchema):
    """A paper as the JSON export writes it (the export's id and year are accepted)."""

    id = fields.String(validate=validate.Regexp(PAPER_ID))
    year = fields.Integer(allow_none=True)
    url = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ImportItemSchema(StrictSchema):
    paper = fields.Nested(ImportPaperSchema, required=True)
    tags = TagList(load_default=list)
    note = Note(load_default="")
    saved_at = fields.String(allow_none=True, validate=[validate.Length(max=40), _iso_datetime])


class LibraryImportRequest(StrictSchema):
    """The JSON export (a bare list of items is accepted too)."""

    format = fields.String(validate=validate.Equal("paperlens-library"))
    version = fields.Integer(validate=validate.Equal(1))
    exported_at = fields.String(validate=validate.Length(max=40))
    items = fields.List(fields.Nested(ImportItemSchema), required=True, validate=validate.Length(max=MAX_IMPORT))

    @ma.pre_load
    def accept_bare_list(self, data, **kwargs):
        return {"items": data} if isinstance(data, list) else data


class ImportSkipSchema(ma.Schema):
    position = fields.String(required=True)
    reason = fields.String(required=True)


class LibraryImportResponse(ma.Schema):
    imported = fields.Integer(required=True)
    added = fields.Integer(required=True, metadata={"description": "entries new to the list"})
    updated = fields.Integer(required=True, metadata={"description": "entries already in the list (tags are "
                                                                     "merged, an imported note replaces)"})
    skipped = fields.List(fields.Nested(ImportSkipSchema), required=True,
                          metadata={"description": "the first 100 entries that were skipped, with why"})
    skipped_total = fields.Integer(required=True, metadata={"description": "every entry that was skipped"})


class ZoteroImportRequest(StrictSchema):
    """POST /library/import/zotero: which Zotero library to read. The base URLs are the server's
    settings; a request chooses only local or web, and for the web its user id and key."""

    source = fields.String(required=True, validate=validate.OneOf(["local", "web"]),
                           metadata={"description": "local: the Zotero 7 desktop app's local API on the "
                                                    "server's machine; web: api.zotero.org"})
    user_id = fields.String(validate=validate.Regexp(r"^[0-9]{1,12}$"),
                            metadata={"description": "the zotero.org user id (web only)"})
    api_key = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9]{1,64}$"), load_only=True,
                            metadata={"description": "a zotero.org API key with read access (web only); "
                                                     "sent to Zotero in a header, never stored"})

    @ma.validates_schema
    def web_needs_user_and_key(self, data, **kwargs):
        if data["source"] == "web" and not (data.get("user_id") and data.get("api_key")):
            raise ma.ValidationError("The Zotero web API needs user_id and api_key.", "_schema")


class ZoteroSkipCountSchema(ma.Schema):
    reason = fields.String(required=True)
    count = fields.Integer(required=True)


class ZoteroImportResponse(ma.Schema):
    read = fields.Integer(required=True, metadata={"description": "items read from Zotero (papers, notes, attachments)"})
    saved = fields.Integer(required=True, metadata={"description": "entries new to the reading list"})
    already_saved = fields.Integer(required=True, metadata={"description": "already in the list (Zotero tags added)"})
    matched = fields.Integer(required=True, metadata={"description": "items the corpus had (arXiv id, DOI or title)"})
    added = fields.Integer(required=True, metadata={"description": "items added to the corpus as new papers"})
    skipped = fields.List(fields.Nested(ZoteroSkipCountSchema), required=True)
    summary = fields.String(required=True, metadata={"description": "the count line the CLI prints"})
