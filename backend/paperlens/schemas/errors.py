"""The one error format every failure is answered in (api/errors.py builds it)."""

from __future__ import annotations

import marshmallow as ma


class ErrorBody(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "machine-readable error code"})
    message = ma.fields.String(required=True)
    details = ma.fields.Dict(required=True, metadata={"description": "per-field messages and other context"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBody, required=True)
