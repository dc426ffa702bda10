"""One holder at a time across every process sharing the Redis: a lock with a lease (store/leases.py)
renewed by a thread while its holder runs, so a holder killed with -9 frees it when the lease runs
out. A holder that is a dead process on this very machine is taken over at once instead (a sync run
again after a crash need not wait out the lease). It holds the feeds' sync lock (one sync at a time)
and each background job's lease (summaries and vectors ahead of time: one filler at a time)."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

from ..store import StoreUnavailable
from ..store.feeds import FeedStore
from ..store.leases import Lease

log = logging.getLogger(__name__)

LEASE = 30.0


HOLDER = re.compile(r" \(pid (\d+)\) \[([^\]]+)\] #")


ROLES = {  # what each role's lock holder is doing, in words
    "paperlens serve": "the server's scheduled sync",
    "summaries ahead": "the summariser",
}
HOLDER_PARTS = re.compile(r"^(?P<role>.*?) on (?P<host>\S+) \(pid (?P<pid>\d+)\)(?:.*@(?P<since>\d+)$)?")


def holder_name(role: str) -> str:
    """Who holds the lock, as other processes store it: 'paperlens serve on host (pid 12) [...] #ab12cd
    @1733490000' (the role, where it runs, the pid namespace for taking over from the dead, and since when)."""
    return (f"{role} on {socket.gethostname()} (pid {os.getpid()}) [{process_namespace()}] "
            f"#{uuid.uuid4().hex[:6]} @{int(time.time())}")


def describe_holder(holder: str, feeds: FeedStore | None = None, now: float | None = None) -> str:
    """A lock holder as a person reads it: "the server's scheduled sync of feed 2 (hf-daily),
    started 40 s ago (pid 9514)"; the host is named when it is another machine."""
    found = HOLDER_PARTS.match(holder)
    if not found:
        return holder
    role = found.group("role")
    what = ROLES.get(role) or (f"a `{role}` command" if role.startswith("paperlens ") else role)
    now = time.time() if now is None else now
    running = feeds.running() if feeds is not None else []
    if running:
        feed, since = running[0]
        what += f" of feed {feed.id} ({feed.kind}), started {_ago(now - since)}"
    elif found.group("since"):
        what += f", started {_ago(now - int(found.group('since')))}"
    where = f"pid {found.group('pid')}"
    if found.group("host") != socket.gethostname():
        where += f" on {found.group('host')}"
    return f"{what} ({where})"


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def process_namespace() -> str:
    """This boot of this machine and this pid namespace: pids mean the same thing only within it."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot[:13]}/{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return f"unknown-{uuid.uuid4().hex}"  # never equal to another process's: never taken over


def is_dead_here(holder: str) -> bool:
    """True when the holder is a process of this machine's pid namespace that no longer runs."""
    found = HOLDER.search(holder)
    if not found or found.group(2) != process_namespace():
        return False
    pid = int(found.group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie (killed, not yet reaped) still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class SyncLock:
    """`lock`: the feeds' sync lock (FeedStore.lock) or a job's (Store.lease(name)); `lease`: seconds."""

    def __init__(self, lock: Lease, holder: str, lease: float = LEASE):
        self.lock = lock
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
        while not self._take():
            if not wait or (stop is not None and stop.is_set()):
                return False
            holder = self.lock.lock_holder()
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
        self._thread = threading.Thread(target=self._keep_renewing, name=f"paperlens-{self.lock.name}-lease",
                                        daemon=True)
        self._thread.start()
        return True

    def _take(self) -> bool:
        lease_ms = int(self.lease * 1000)
        if self.lock.acquire_lock(self.holder, lease_ms):
            return True
        holder = self.lock.lock_holder()
        if holder and is_dead_here(holder) and self.lock.take_over_lock(holder, self.holder, lease_ms):
            log.info("took the %s lock over from %s, which is no longer running", self.lock.name, holder)
            return True
        return False

    @property
    def held(self) -> bool:
        return self._thread is not None and not self._lost.is_set()

    def release(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            self.lock.release_lock(self.holder)
        except StoreUnavailable as exc:  # the lease ends it anyway
            log.warning("could not release the %s lock: %s", self.lock.name, exc)

    def _keep_renewing(self) -> None:
        renewed = time.monotonic()
        while not self._done.wait(self.lease / 3):
            try:
                if not self.lock.renew_lock(self.holder, int(self.lease * 1000)):
                    log.warning("the %s lock was lost (%s now holds it)", self.lock.name, self.lock.lock_holder())
                    self._lost.set()
                    return
                renewed = time.monotonic()
            except StoreUnavailable as exc:
                if time.monotonic() - renewed >= self.lease:
                    log.warning("the %s lock's lease ran out while Redis was unreachable: %s", self.lock.name, exc)
                    self._lost.set()
                    return

    def __enter__(self) -> "SyncLock":
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self.release()
