"""Summaries: a paper's, and one of any text."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..corpus.limits import MAX_TITLE
from .limits import MAX_SUMMARIZE_BYTES, MAX_SUMMARY_SENTENCES
from .shared import StrictSchema


class SummarySchema(ma.Schema):
    tldr = fields.String(required=True)
    sentences = fields.List(fields.String(), required=True)
    key_terms = fields.List(fields.String(), required=True)
    method = fields.String(required=True)


class PaperSummarySchema(SummarySchema):
    paper_id = fields.String(required=True)


class SummaryArgs(StrictSchema):
    n = fields.Integer(load_default=3, validate=validate.Range(min=1, max=MAX_SUMMARY_SENTENCES),
                       metadata={"description": "key sentences to return"})


class SummarizeRequest(StrictSchema):
    text = fields.String(required=True, metadata={"description": f"any text, at most {MAX_SUMMARIZE_BYTES:,} "
                                                                 "bytes in UTF-8 (longer: 413)"})
    title = fields.String(allow_none=True, validate=validate.Length(max=MAX_TITLE),
                          metadata={"description": "lifts sentences and key terms that share its words"})
    n = fields.Integer(load_default=3, validate=validate.Range(min=1, max=MAX_SUMMARY_SENTENCES))

    @ma.validates("text")
    def text_has_words(self, value, **kwargs):
        if not value.strip():
            raise ma.ValidationError("Text must contain something to summarise.")
