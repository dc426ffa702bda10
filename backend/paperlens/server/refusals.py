"""A caller the app has just answered 429 is answered 429 again, without its body being read,
until its Retry-After has passed: a flood that ignores Retry-After (16 clients posting 1 MB rank
listings 47 times a second) otherwise made each worker read and copy every megabyte before the app
could refuse it, and that alone held a core. The app stays the judge (api/limits.py, api/costs.py);
this only remembers its answer, per worker, for the same caller (its Authorization header, else its
address), method and path.
"""

from __future__ import annotations

import hashlib
import time

from .errors import error_body, error_headers

MAX_REMEMBERED = 10_000  # callers refused at once; past that the oldest are forgotten (the app still refuses them)


class RememberedRefusals:
    def __init__(self, app, clock=time.monotonic):
        self.app, self.clock = app, clock
        self.until: dict[tuple, float] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        who = _caller(scope)
        now = self.clock()
        until = self.until.get(who)
        if until is not None:
            if now < until:
                retry = max(1, int(until - now + 0.999))
                return await _refuse(send, retry)
            del self.until[who]

        async def watching(message):
            if message["type"] == "http.response.start" and message["status"] == 429:
                retry = _retry_after(message.get("headers", []))
                if retry:
                    self._remember(who, self.clock() + retry)
            await send(message)

        return await self.app(scope, receive, watching)

    def _remember(self, who: tuple, until: float) -> None:
        if len(self.until) >= MAX_REMEMBERED:
            now = self.clock()
            for key in [key for key, at in self.until.items() if at <= now] or list(self.until)[: MAX_REMEMBERED // 10]:
                del self.until[key]
        self.until[who] = until


def _caller(scope) -> tuple:
    authorization = next((value for name, value in scope.get("headers", []) if name == b"authorization"), None)
    if authorization is not None:  # kept as a digest: no token sits in the worker's memory longer than a request
        who = "t:" + hashlib.blake2b(authorization, digest_size=16).hexdigest()
    else:
        who = "a:" + str((scope.get("client") or ("?",))[0])
    return who, scope["method"], scope["path"]


def _retry_after(headers) -> int:
    for name, value in headers:
        if name.lower() == b"retry-after":
            return int(value) if value.isdigit() else 0
    return 0


async def _refuse(send, retry: int) -> None:
    body = error_body(429, f"Too many requests or too much work: try again in {retry} s.", {"retry_after": retry})
    headers = error_headers(body) + [(b"retry-after", str(retry).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
