"""Reading lists: listing, saving, editing, bulk changes, export, and recommendations from a list."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.paper import PAPER_ID
from ..library.export import FORMATS as EXPORT_FORMATS
from .limits import MAX_IMPORT, MAX_K
from .papers import PaperInSchema, PaperSchema, MatchedTermSchema, ResultSchema
from .shared import SUMMARY_MODES, Note, Rank, RankUsed, Tag, TagList, StrictSchema


class LibraryListArgs(StrictSchema):
    q = fields.String(validate=validate.Length(min=1, max=500),
                      metadata={"description": "words that must all appear in the title, abstract, authors, "
                                               "note or tags"})
    tag = Tag()
    sort = fields.String(load_default="saved", validate=validate.OneOf(["saved", "title"]))
    order = fields.String(validate=validate.OneOf(["asc", "desc"]),
                          metadata={"description": "default: newest first for sort=saved, A-Z for sort=title"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LibraryPaperSchema(PaperSchema):
    class Meta:
        exclude = ("source", "upvotes")


class LibraryItemSchema(ma.Schema):
    paper = fields.Nested(LibraryPaperSchema, required=True)
    tags = fields.List(fields.String(), required=True)
    note = fields.String(required=True)
    saved_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC", "format": "date-time"})


class TagCountSchema(ma.Schema):
    tag = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "entries with this tag"})


class LibraryTagsResponse(ma.Schema):
    tags = fields.List(fields.Nested(TagCountSchema), required=True, metadata={"description": "most used first"})


class LibraryListResponse(ma.Schema):
    items = fields.List(fields.Nested(LibraryItemSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "entries matching q and tag"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class LibrarySaveRequest(StrictSchema):
    """Tags and note are optional: left out, an existing entry keeps its own; given, they replace."""

    tags = TagList()
    note = Note()
    paper = fields.Nested(PaperInSchema, metadata={"description": "the paper's metadata, needed when it is not "
                                                                  "in the corpus yet (it is then added)"})


class LibraryEditRequest(StrictSchema):
    tags = TagList(metadata={"description": "replaces the tags"})
    add_tags = TagList()
    remove_tags = TagList()
    note = Note()

    @ma.validates_schema
    def changes_something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Give at least one of tags, add_tags, remove_tags, note.", "_schema")


class ExportArgs(StrictSchema):
    format = fields.String(load_default="bibtex", validate=validate.OneOf(list(EXPORT_FORMATS)))
    tag = Tag(metadata={"description": "export only the entries with this tag"})


def PaperIds(**kwargs) -> fields.List:  # noqa: N802
    return fields.List(fields.String(validate=validate.Regexp(PAPER_ID)), required=True,
                       validate=validate.Length(min=1, max=MAX_IMPORT), **kwargs)


class ExportSelectionRequest(StrictSchema):
    format = fields.String(load_default="bibtex", validate=validate.OneOf(list(EXPORT_FORMATS)))
    ids = PaperIds(metadata={"description": "the entries to export (ids not in the list are left out)"})


class LibraryBulkRequest(StrictSchema):
    """A change to many entries at once: tags added and/or removed, or the entries removed."""

    ids = PaperIds()
    add_tags = TagList(load_default=list)
    remove_tags = TagList(load_default=list)
    remove = fields.Boolean(load_default=False, metadata={"description": "remove the entries from the list"})

    @ma.validates_schema
    def one_change(self, data, **kwargs):
        tagging = bool(data.get("add_tags") or data.get("remove_tags"))
        if tagging == bool(data.get("remove")):
            raise ma.ValidationError("Give add_tags and/or remove_tags, or remove: true (not both).", "_schema")


class BulkSkipSchema(ma.Schema):
    id = fields.String(required=True)
    reason = fields.String(required=True)


class LibraryBulkResponse(ma.Schema):
    items = fields.List(fields.Nested(LibraryItemSchema), required=True, metadata={"description": "entries as changed"})
    removed = fields.List(fields.String(), required=True)
    skipped = fields.List(fields.Nested(BulkSkipSchema), required=True,
                          metadata={"description": "ids not in the list, or entries a change did not fit"})


class RecommendArgs(StrictSchema):
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))
    tag = Tag(metadata={"description": "recommend from the entries with this tag only"})
    summaries = fields.String(load_default="tldr", validate=validate.OneOf(SUMMARY_MODES))
    rank = Rank()


class RecommendResponse(ma.Schema):
    rank = RankUsed()
    based_on = fields.Integer(required=True, metadata={"description": "saved papers the profile was built from"})
    dismissed = fields.Integer(required=True)
    tag = fields.String(allow_none=True)
    profile = fields.List(fields.Nested(MatchedTermSchema), required=True,
                          metadata={"description": "the query's terms; negative weights come from dismissed papers"})
    corpus_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)


class DismissResponse(ma.Schema):
    id = fields.String(required=True)
    dismissed = fields.Boolean(required=True)
