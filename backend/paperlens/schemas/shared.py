"""What many resources' schemas share: StrictSchema for requests, and the fields that recur (authors,
k, tags and notes, and the ranking switches: rank, sort, since)."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import MAX_AUTHOR, MAX_AUTHORS
from ..corpus.paper import split_authors, valid_text
from ..library.limits import MAX_NOTE, MAX_TAG, MAX_TAGS
from .limits import MAX_K


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


RANKS = ("bm25", "hybrid")
FUSION_DEPTH = 30  # ranking/fusion.py's DEPTH (schemas import nothing from the ranking room)


def Rank(**kwargs) -> fields.String:  # noqa: N802 - a field factory reads like a field class
    return fields.String(validate=validate.OneOf(RANKS), metadata={
        "description": f"bm25: the exact BM25 ranking; hybrid: BM25's top {FUSION_DEPTH} re-ranked with closeness in "
                       "meaning "
                       "(README \"Related by meaning\"). Default: hybrid when the server has the semantic signal, "
                       "else bm25"}, **kwargs)


def RankUsed(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(required=True, validate=validate.OneOf(RANKS), metadata={
        "description": "the ranking this answer was made with (bm25 when the signal is off or the query has no "
                       "vector)"}, **kwargs)


SUMMARY_MODES = ("none", "tldr", "full")
SORTS = ("score", "date")


def _a_day(value: str) -> None:
    from datetime import date

    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ma.ValidationError("Not a date: give YYYY-MM-DD.") from None


def Sort(**kwargs) -> fields.String:  # noqa: N802 - a field factory reads like a field class
    return fields.String(load_default="score", validate=validate.OneOf(SORTS),
                         metadata={"description": "score: most related first; date: the same papers, newest first "
                                                  "(undated last)"}, **kwargs)


def Since(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=_a_day, metadata={"description": "only papers published on this day or later "
                                                                   "(YYYY-MM-DD; a year or month counts as its first "
                                                                   "day; undated papers are left out)"}, **kwargs)


class KArgs(StrictSchema):
    k = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_K))


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
