"""The HTTP layer remembers the app's 429 for the same caller, method and path until Retry-After,
and answers it without reading the body (server/refusals.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json

from paperlens.server.refusals import RememberedRefusals


class App:
    """An ASGI app that answers 429 with Retry-After 30 while `refusing`, else 200, and counts the
    bodies it read."""

    def __init__(self):
        self.refusing, self.read = True, 0

    async def __call__(self, scope, receive, send):
        await receive()
        self.read += 1
        status = 429 if self.refusing else 200
        headers = [(b"retry-after", b"30")] if self.refusing else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})


def call(app, path="/api/v1/library/rank", authorization=b"Bearer a", client="127.0.0.1"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"x" * 1000, "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"authorization", authorization)] if authorization else []
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers, "client": (client, 5000)}
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: browser tests may leave one running here
        pool.submit(asyncio.run, app(scope, receive, send)).result(timeout=60)
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_a_refused_caller_is_refused_again_without_its_body_being_read():
    now = [100.0]
    inner = App()
    app = RememberedRefusals(inner, clock=lambda: now[0])
    assert call(app)[0] == 429 and inner.read == 1
    inner.refusing = False
    status, headers, body = call(app)
    assert status == 429 and inner.read == 1, "the body was read"
    assert headers[b"retry-after"] == b"30" and json.loads(body)["error"]["code"] == "rate_limited"
    # others, and the same caller elsewhere, are the app's to judge
    assert call(app, authorization=b"Bearer b")[0] == 200
    assert call(app, path="/api/v1/library")[0] == 200
    now[0] += 30
    assert call(app)[0] == 200 and inner.read == 4
