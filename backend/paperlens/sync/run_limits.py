"""Bounds on one sync run, so that every run ends: at most `max_pages` requests and `seconds` of
wall time. A looping or endless upstream (a resumptionToken that never changes, a total of 10^9)
would otherwise hold the one sync lock for ever and every other feed would wait behind it."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from .polite_http import Response, Upstream
from .sources.contract import SyncFailed

T = TypeVar("T")


class RunLimitReached(SyncFailed):
    """The run reached its page cap or its deadline; what it stored stays, and so does its
    checkpoint, so the next run resumes where this one stopped."""


class LimitedUpstream:
    """The upstream as one run sees it: each page request first checks the run's bounds. The
    source's own loop cannot go past them, however the upstream answers."""

    def __init__(self, upstream: Upstream, max_pages: int, seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self.upstream = upstream
        self.max_pages = max_pages
        self.seconds = seconds
        self.clock = clock
        self.started = clock()
        self.pages = 0

    def get(self, url: str, params: dict | None, read: Callable[[Response], T]) -> T:
        if self.pages >= self.max_pages:
            raise RunLimitReached(f"stopped after {self.max_pages:,} pages (PAPERLENS_SYNC_MAX_PAGES); "
                                  "the next run resumes where this one stopped")
        if self.clock() - self.started >= self.seconds:
            raise RunLimitReached(f"stopped after {self.seconds:g} s (PAPERLENS_SYNC_RUN_SECONDS); "
                                  "the next run resumes where this one stopped")
        self.pages += 1
        return self.upstream.get(url, params, read)

    @property
    def requests(self) -> int:
        return self.upstream.requests

    @property
    def name(self) -> str:
        return self.upstream.name
