"""The ASGI app a worker serves: the whole request body is read on the event loop (within a time
and size limit) before the Flask app is given a thread, so a client that sends its body slowly
never holds one of the app's threads."""

from __future__ import annotations

import asyncio

from a2wsgi import WSGIMiddleware

from .errors import error_body, error_headers

BODY_SECONDS = 30.0


def asgi_app(wsgi_app, *, threads: int, max_body_bytes: int):
    return BufferedBody(WSGIMiddleware(wsgi_app, workers=threads), max_body_bytes)


class BufferedBody:
    def __init__(self, app, max_bytes: int, seconds: float = BODY_SECONDS):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            return await _error(send, 413, f"The body is larger than {self.max_bytes:,} bytes.")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.seconds):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        return await _error(send, 413, f"The body is larger than {self.max_bytes:,} bytes.")
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            return await _error(send, 408, f"The request body did not arrive within {self.seconds:g} s.")
        return await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body only a disconnect can come

    return replayed


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _error(send, status: int, message: str) -> None:
    body = error_body(status, message)
    await send({"type": "http.response.start", "status": status, "headers": error_headers(body)})
    await send({"type": "http.response.body", "body": body})
