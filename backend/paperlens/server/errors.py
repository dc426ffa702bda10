"""The error body for answers the HTTP layer gives before the app sees a request, in the app's
one format ({"error": {"code", "message", "details"}}), as raw bytes for the protocol to write."""

from __future__ import annotations

import json

REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large"}
CODES = {400: "bad_request", 408: "request_timeout", 413: "payload_too_large"}


def error_body(status: int, message: str) -> bytes:
    return json.dumps({"error": {"code": CODES[status], "message": message, "details": {}}}).encode()


def error_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"), (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
