"""The error body for answers the HTTP layer gives before the app sees a request, in the app's
one format ({"error": {"code", "message", "details"}}), as raw bytes for the protocol to write."""

from __future__ import annotations

import json

REASONS = {400: "Bad Request", 408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
           421: "Misdirected Request", 429: "Too Many Requests", 503: "Service Unavailable"}
CODES = {400: "bad_request", 408: "request_timeout", 411: "length_required", 413: "payload_too_large",
         421: "misdirected_request", 429: "rate_limited", 503: "unavailable"}


def error_body(status: int, message: str, details: dict | None = None) -> bytes:
    return json.dumps({"error": {"code": CODES[status], "message": message, "details": details or {}}}).encode()


def error_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"), (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
