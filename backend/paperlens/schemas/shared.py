"""What many resources' schemas share: StrictSchema for requests, and the fields that recur (authors,
k, tags and notes, and the ranking switches: rank, sort, since). StrictSchema and the author, tag
and note fields are domain/entries.py's (the domain checks imported entries with them)."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

# what the domain validates imports with is the domain's; the request schemas share it from here
from ..domain.entries import AuthorList, Note, StrictSchema, Tag, TagList  # noqa: F401
from .limits import MAX_K


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
