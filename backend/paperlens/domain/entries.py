"""What an entry of a reading list may be, as the domain checks it: an imported entry (the JSON
export's shape, which BibTeX entries and Zotero items are mapped into), its paper as a client sends
one, its tags and note. The request schemas (schemas/) build on these, so the API refuses with the
same rules the domain imports by."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import (MAX_ABSTRACT, MAX_ARXIV_ID, MAX_AUTHOR, MAX_AUTHORS, MAX_CATEGORIES, MAX_CATEGORY, MAX_DOI,
                             MAX_SOURCE_ID, MAX_TITLE, MAX_UPVOTES, MAX_URL)
from ..corpus.list_limits import MAX_IMPORT, MAX_NOTE, MAX_TAG, MAX_TAGS
from ..corpus.paper import PAPER_ID, clean_arxiv_id, clean_doi, normalise_title, split_authors, valid_text


class StrictSchema(ma.Schema):
    """Requests: unknown fields are refused, and every string is made storable (no lone surrogates)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def storable_strings(self, data, **kwargs):
        return _storable(data)


def _storable(value):
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k) if isinstance(k, str) else k: _storable(v) for k, v in value.items()}
    return value


class AuthorList(fields.List):
    """A list of names; a single string "A, B and C" is accepted and split, as sources give both."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(max=MAX_AUTHOR)), validate=validate.Length(max=MAX_AUTHORS),
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = split_authors(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Tag(fields.String):
    """A tag: 1-64 characters after trimming, no commas (BibTeX `keywords` splits on them) and no
    control characters."""

    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=MAX_TAG),
                                   validate.Regexp(r"^[^\x00-\x1f\x7f,]*$", error="Tags cannot contain commas or "
                                                                                 "control characters.")], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return " ".join(super()._deserialize(value, attr, data, **kwargs).split())


def TagList(**kwargs) -> fields.List:  # noqa: N802 - a field factory reads like a field class
    return fields.List(Tag(), validate=validate.Length(max=MAX_TAGS), **kwargs)


def Note(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.Length(max=MAX_NOTE), **kwargs)


class PaperInSchema(StrictSchema):
    """A paper as a client sends it (the extension posts the page's paper this way)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    abstract = fields.String(load_default="", validate=validate.Length(max=MAX_ABSTRACT))
    authors = AuthorList(load_default=list)
    arxiv_id = fields.String(allow_none=True, validate=validate.Length(max=MAX_ARXIV_ID))
    doi = fields.String(allow_none=True, validate=validate.Length(max=MAX_DOI))
    published = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=MAX_URL))
    categories = fields.List(fields.String(validate=validate.Length(max=MAX_CATEGORY)),
                             validate=validate.Length(max=MAX_CATEGORIES))
    upvotes = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_UPVOTES))
    source_id = fields.String(allow_none=True, validate=validate.Length(max=MAX_SOURCE_ID))

    @ma.validates_schema
    def paper_has_an_identity(self, data, **kwargs):
        # ids come from the arXiv id, the DOI, or else the normalised title: one must be usable
        has_id = clean_arxiv_id(data.get("arxiv_id")) or clean_doi(data.get("doi")) or clean_arxiv_id(data.get("url"))
        if not normalise_title(data.get("title", "")) and not has_id:
            raise ma.ValidationError("The title must contain letters or digits (or give an arXiv id or DOI).", "title")


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
