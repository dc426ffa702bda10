"""The ASGI app a worker serves, in the order a request meets it:

1. CheckedHost: a Host that is not this server's gets a JSON 421 before anything else runs (DNS
   rebinding, hosts.py).
2. RememberedRefusals: a caller just answered 429 is answered 429 again, body unread, until its
   Retry-After has passed (refusals.py).
3. BufferedBody: the whole request body is read on the event loop, within a deadline and within the
   route's own size limit (api/body_limits.py), before the Flask app is given a thread, so a client
   that sends its body slowly never holds one of the app's threads. A declared length over the limit
   is refused at once, before any of the body is read; a chunked body is read like any other and
   handed to the app with its length. The bodies a worker holds at once share a budget
   (BODY_BUDGET_BYTES): a request waits for room before its body is read, and meanwhile the
   connection is not read, so its bytes stay in the client and the kernel, not in the worker.
"""

from __future__ import annotations

import asyncio

from a2wsgi import WSGIMiddleware

from ..api.body_limits import endpoint_of, limit_for
from ..settings import Settings
from .errors import error_body, error_headers
from .hosts import AllowedHosts
from .refusals import RememberedRefusals

BODY_SECONDS = 30.0
# Twice the largest route limit: two library imports at once per worker; the 40th concurrent
# 15 MB upload waits for room instead of adding 15 MB to the worker.
BODY_BUDGET_BYTES = 32 * 1024 * 1024
RETRY_SECONDS = 5


def asgi_app(flask_app, settings: Settings):
    limits = RouteLimits(flask_app, settings.max_body_bytes)
    body = BufferedBody(WSGIMiddleware(flask_app, workers=settings.threads), limits, BodyBudget(BODY_BUDGET_BYTES))
    return CheckedHost(RememberedRefusals(body), AllowedHosts(settings))


class CheckedHost:
    def __init__(self, app, hosts: AllowedHosts):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            host = _header(scope, b"host")
            text = host.decode("latin-1") if host is not None else None
            if not self.hosts.allows(text):
                shown = (text or "")[:200]
                return await _error(send, 421, f"This server does not answer to the host {shown!r}. If that name is "
                                               "this server's, add it to PAPERLENS_ALLOWED_HOSTS.",
                                    {"host": shown})
        return await self.app(scope, receive, send)


class RouteLimits:
    """The body limit of the route a request goes to, decided from its method, path and headers."""

    def __init__(self, flask_app, default: int):
        self.flask_app, self.default = flask_app, default

    def __call__(self, scope) -> int:
        credentials = _header(scope, b"authorization") is not None
        if scope["method"] not in ("POST", "PUT", "PATCH") or not credentials:
            return self.default  # only token-holders' writes may take more: skip the route matching
        return limit_for(endpoint_of(self.flask_app, scope["method"], scope["path"]), self.default, credentials)


class BodyBudget:
    """Bytes of request bodies one worker holds at once (its event loop is the only user)."""

    def __init__(self, total: int):
        self.total = self.free = total
        self._room: asyncio.Condition | None = None

    async def take(self, size: int) -> None:
        self._room = self._room or asyncio.Condition()
        async with self._room:
            await self._room.wait_for(lambda: self.free >= size)
            self.free -= size

    async def give(self, size: int) -> None:
        self.free += size
        if self._room is not None:
            async with self._room:
                self._room.notify_all()


class BufferedBody:
    def __init__(self, app, limits: RouteLimits, budget: BodyBudget, seconds: float = BODY_SECONDS):
        self.app, self.limits, self.budget, self.seconds = app, limits, budget, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits(scope)
        declared = _content_length(scope)
        if declared == -1:
            return await _error(send, 400, "The Content-Length header is not a number.")
        chunked = b"chunked" in (_header(scope, b"transfer-encoding") or b"").lower()
        if declared is not None and declared > limit:
            return await _too_large(send, limit)
        if not declared and not chunked:
            return await self.app(scope, _replay(b"", receive), send)  # no body: nothing to hold
        # A chunked body has no length yet: it may use the route's whole limit.
        reserved = min(declared or limit, self.budget.total)
        waiting = True
        try:
            async with asyncio.timeout(self.seconds):
                await self.budget.take(reserved)
                waiting = False
                body = await self._read(receive, limit)
        except TimeoutError:
            if waiting:
                return await _error(send, 503, "The server is receiving many large bodies; try again shortly.",
                                    retry_after=RETRY_SECONDS)
            await self.budget.give(reserved)
            return await _error(send, 408, f"The request body did not arrive within {self.seconds:g} s.")
        try:
            if body is None:
                return None  # the client went away
            if len(body) > limit:
                return await _too_large(send, limit)
            if chunked:  # the app reads a body by its length: give it one
                scope = dict(scope, headers=[(name, value) for name, value in scope["headers"]
                                             if name not in (b"transfer-encoding", b"content-length")]
                             + [(b"content-length", str(len(body)).encode())])
            return await self.app(scope, _replay(body, receive), send)
        finally:
            await self.budget.give(reserved)

    @staticmethod
    async def _read(receive, limit: int) -> bytearray | None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            if len(body) > limit:
                return body  # the caller refuses it; the rest is never read
            if not message.get("more_body", False):
                return body


def _replay(body, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body only a disconnect can come

    return replayed


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value
    return None


def _content_length(scope) -> int | None:
    """The declared length; None when there is none, -1 when it is not a number."""
    value = _header(scope, b"content-length")
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else -1


async def _too_large(send, limit: int) -> None:
    await _error(send, 413, f"The body is larger than {limit:,} bytes, this route's limit.", {"max_bytes": limit})


async def _error(send, status: int, message: str, details: dict | None = None, retry_after: int | None = None) -> None:
    body = error_body(status, message, details)
    headers = error_headers(body)
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
