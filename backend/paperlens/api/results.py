"""Ranking answers (related, search) leave as JSON built in their schema's shape: dumping them
through marshmallow as well cost more than the ranking itself. tests/redis/api/test_response_shapes.py
dumps real answers through RelatedResponse and SearchResponse and checks nothing changes."""

from __future__ import annotations

import json

from flask import Response, current_app


def ranking_response(answer: dict) -> Response:
    """Returning a Response skips flask-smorest's serialisation; the route's @blp.response still
    documents the schema."""
    return current_app.response_class(json.dumps(answer, ensure_ascii=False), mimetype="application/json")
