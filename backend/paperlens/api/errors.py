"""The one error format: {"error": {"code", "message", "details"}} with the matching status.

Every failure, including ones nobody foresaw, leaves through here: no stack trace or secret ever
reaches a client, and unexpected errors are logged with their trace on the server only.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..domain.errors import Conflict, DomainError, Invalid, NotFound, StoreUnavailable, Unavailable, Unreadable
from ..schemas.errors import ErrorSchema

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by views for a failure with a specific code, e.g. ApiError(404, "no paper arxiv:1")."""

    def __init__(self, status: int, message: str, code: str | None = None, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or CODES.get(status, "error")
        self.details = details or {}
        self.headers = headers or {}


def error_response(status: int, message: str, code: str | None = None, details: dict | None = None,
                   headers: dict | None = None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class PaperlensApi(Api):
    """flask-smorest's Api with our error format for every HTTP error (webargs' 422s included)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        details = data.get("errors") or data.get("messages") or {}
        if isinstance(details, dict) and set(details) <= {"json", "query", "path", "headers", "form", "files"}:
            # webargs nests messages by location; one location is the common case, so flatten it
            if len(details) == 1:
                details = next(iter(details.values()))
        status = error.code or 500
        message = data.get("message") or _plain_message(status, error)
        headers = data.get("headers") or {}
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return error_response(status, message, details=details if isinstance(details, dict) else {"errors": details},
                              headers=headers)


def _plain_message(status: int, error: HTTPException) -> str:
    if status == 422:
        return "The request did not validate: see details for each field."
    return error.description or error.name


DOMAIN_STATUS = {NotFound: 404, Invalid: 422, Conflict: 409, Unreadable: 400, Unavailable: 503}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(DOMAIN_STATUS[type(exc)], exc.message, details=exc.details)

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.code, exc.details, exc.headers)

    def redis_down(exc: Exception):
        log.warning("Redis unavailable: %s", exc.__class__.__name__)
        return error_response(503, "The store is unavailable right now; try again shortly.", "unavailable",
                              headers={"Retry-After": "5"})

    for kind in StoreUnavailable:
        app.register_error_handler(kind, redis_down)

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError):
        # Python's JSON parser recurses per nesting level: '[' * 100000 is a hostile body, not a bug.
        return error_response(400, "The body is nested too deeply to read.", "bad_request")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return app.extensions["paperlens_api"].handle_http_exception(exc)
        log.exception("unhandled error")
        return error_response(500, "Internal error; it has been logged on the server.", "internal")
