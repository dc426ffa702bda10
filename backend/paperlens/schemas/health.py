"""GET /health: whether the store answers, what the index holds, and the background work left."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class SemanticHealthSchema(ma.Schema):
    on = fields.Boolean(required=True, metadata={"description": "related by meaning is on here (rank=hybrid)"})
    model = fields.String(allow_none=True, metadata={"description": "the embedding model"})
    why_off = fields.String(allow_none=True, metadata={"description": "why the signal is off (pure BM25 then), or "
                                                                    "why this process cannot embed a query"})
    vectors_loaded = fields.Integer(required=True, metadata={"description": "papers' vectors this process has"})


class HealthSchema(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok", "degraded"]))
    redis = fields.Boolean(required=True)
    papers = fields.Integer(required=True, metadata={"description": "papers in the index"})
    corpus_version = fields.Integer(allow_none=True, metadata={"description": "null while Redis is unreachable"})
    index_version = fields.Integer(required=True)
    summaries_backlog = fields.Integer(allow_none=True, metadata={
        "description": "corpus-log entries (papers added, or whose text changed) not summarised ahead of time yet; "
                       "null while Redis is unreachable"})
    demo_corpus = fields.Boolean(allow_none=True, metadata={
        "description": "true while the corpus is still only the demo `paperlens serve` loads into an empty store "
                       "(nothing added since); null while Redis is unreachable"})
    vectors_backlog = fields.Integer(allow_none=True, metadata={
        "description": "corpus-log entries not embedded yet (papers ranked by BM25 alone until they are); null "
                       "while the semantic signal is off or Redis is unreachable"})
    semantic = fields.Nested(SemanticHealthSchema, required=True)
    version = fields.String(required=True)
