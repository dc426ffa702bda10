"""One sync at a time across every process sharing the Redis: a lock with a lease, renewed by a
thread while its holder runs, so a holder killed with -9 frees it when the lease runs out."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Callable

import redis

from ..store.feeds import FeedStore

log = logging.getLogger(__name__)

LEASE = 30.0


def holder_name(role: str) -> str:
    """Who holds the lock, as other processes will show it: 'paperlens serve on host (pid 12)'."""
    return f"{role} on {socket.gethostname()} (pid {os.getpid()}) #{uuid.uuid4().hex[:6]}"


class SyncLock:
    def __init__(self, feeds: FeedStore, holder: str, lease: float = LEASE):
        self.feeds = feeds
        self.holder = holder
        self.lease = lease
        self._lost = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, wait: bool = False, on_wait: Callable[[str], None] | None = None,
                stop: threading.Event | None = None, poll: float = 1.0) -> bool:
        """Take the lock; with wait, keep trying (telling on_wait who holds it) until it is free
        or `stop` is set."""
        told = None
        while not self.feeds.acquire_lock(self.holder, int(self.lease * 1000)):
            if not wait or (stop is not None and stop.is_set()):
                return False
            holder = self.feeds.lock_holder()
            if on_wait and holder and holder != told:
                on_wait(holder)
                told = holder
            if stop is not None:
                if stop.wait(poll):
                    return False
            else:
                time.sleep(poll)
        self._lost.clear()
        self._done.clear()
        self._thread = threading.Thread(target=self._keep_renewing, name="paperlens-sync-lease", daemon=True)
        self._thread.start()
        return True

    @property
    def held(self) -> bool:
        return self._thread is not None and not self._lost.is_set()

    def release(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            self.feeds.release_lock(self.holder)
        except redis.RedisError as exc:  # the lease ends it anyway
            log.warning("could not release the sync lock: %s", exc)

    def _keep_renewing(self) -> None:
        renewed = time.monotonic()
        while not self._done.wait(self.lease / 3):
            try:
                if not self.feeds.renew_lock(self.holder, int(self.lease * 1000)):
                    log.warning("the sync lock was lost (%s now holds it)", self.feeds.lock_holder())
                    self._lost.set()
                    return
                renewed = time.monotonic()
            except redis.RedisError as exc:
                if time.monotonic() - renewed >= self.lease:
                    log.warning("the sync lock's lease ran out while Redis was unreachable: %s", exc)
                    self._lost.set()
                    return

    def __enter__(self) -> "SyncLock":
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self.release()
