"""Saved feeds on a schedule: which are due, running them one at a time under the sync lock, and the
background syncer process that `paperlens serve` starts (`python -m paperlens.sync.schedule`, through
paperlens.background)."""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from dataclasses import dataclass

from ..store import StoreUnavailable
from ..store.feeds import Feed, FeedStore
from .lock import SyncLock, holder_name
from .polite_http import Stopped, UpstreamError
from .runner import Counts, Syncer
from .sources import SyncFailed

log = logging.getLogger(__name__)

DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY = 30
MAX_EVERY = 365 * 86400
POLL = 2.0  # seconds between looks at the schedule


def parse_every(text: str) -> int:
    """'30s', '15m', '6h', '1d' -> seconds (ValueError with the reason otherwise)."""
    found = DURATION.match(str(text))
    if not found:
        raise ValueError(f"every must look like 30s, 15m, 6h or 1d, not {str(text)[:20]!r}")
    seconds = int(found.group(1)) * UNITS[found.group(2)]
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise ValueError(f"every must be from {MIN_EVERY}s to 365d")
    return seconds


def format_every(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


FIRST_RETRY = 300  # seconds after a failed run; doubling with each failure in a row, up to the feed's period


def next_run(started: float, finished: float, every: int) -> float:
    """`every` after the run started; after it finished when the run took longer than that."""
    due = started + every
    return due if due > finished else finished + every


def retry_at(finished: float, every: int, failures_before: int) -> float:
    """When a feed whose run failed is tried again: 5 min after the first failure, 10 after the
    second in a row, ..., never later than its own period (a daily feed that failed once would
    otherwise wait a day)."""
    return finished + min(FIRST_RETRY * 2 ** min(failures_before, 20), every)


@dataclass
class FeedRun:
    feed: Feed
    counts: Counts
    error: str | None


class Scheduler:
    """Runs due feeds, one sync at a time across every process sharing the Redis."""

    def __init__(self, syncer: Syncer, feeds: FeedStore, holder: str, stop: threading.Event | None = None,
                 lease: float = 30.0):
        self.syncer = syncer
        self.feeds = feeds
        self.holder = holder
        self.stop = stop or syncer.upstreams.stop
        self.lease = lease

    def run_due(self) -> list[FeedRun]:
        """Run every feed that is due now, if no other process is syncing."""
        if not self.feeds.due(time.time()):
            return []
        lock = SyncLock(self.feeds.lock, self.holder, self.lease)
        if not lock.acquire(wait=False):
            return []
        with lock:
            runs = []
            for feed_id in self.feeds.due(time.time()):  # again, under the lock: another may have run them
                feed = self.feeds.get(feed_id)
                if feed is None or self.stop.is_set() or not lock.held:
                    continue
                runs.append(self.run_feed(feed, lock))
            return runs

    def run_feed(self, feed: Feed, lock: SyncLock, on_page=None) -> FeedRun:
        """Run one feed (the caller holds the lock) and record how it went and when it is due next."""
        started = time.time()
        self.feeds.mark_started(feed.id, started)
        counts, error = Counts(), None

        def keep_going() -> bool:
            return lock.held and not self.stop.is_set() and self.feeds.exists(feed.id)

        try:
            counts = self.syncer.run(feed.kind, feed.options, keep_going=keep_going, on_page=on_page)
        except (UpstreamError, SyncFailed) as exc:
            error = str(exc)
        except Stopped:
            error = "stopped before the end; the next run resumes where it stopped"
        except StoreUnavailable as exc:
            error = f"Redis failed during the sync: {exc}"
        except Exception as exc:  # one broken feed must not stop the others; the trace goes to the log
            log.exception("feed %s (%s) failed", feed.id, feed.kind)
            error = f"internal error: {type(exc).__name__}: {exc}"
        finished = time.time()
        try:
            due = (retry_at(finished, feed.every, self.feeds.failures(feed.id)) if error
                   else next_run(started, finished, feed.every))
            self.feeds.mark_finished(feed.id, started, finished, counts.to_dict(), error, due)
        except StoreUnavailable as exc:
            log.warning("could not record the run of feed %s: %s", feed.id, exc)
        log.info("feed %s (%s): %s%s", feed.id, feed.kind, counts.line(), f"; error: {error}" if error else "")
        return FeedRun(feed, counts, error)

    def serve_forever(self, parent_pid: int | None = None) -> None:
        """Look at the schedule every POLL seconds until stopped (or until the parent process, the
        server that started this one, is gone)."""
        while not self.stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.info("the server that started the syncer is gone; stopping")
                return
            try:
                self.run_due()
            except StoreUnavailable as exc:
                log.warning("sync schedule skipped, Redis unreachable: %s", exc)
            except Exception:  # keep the schedule alive; the trace goes to the log
                log.exception("sync schedule failed")
            self.stop.wait(POLL)


def main() -> None:
    """The syncer process `paperlens serve` starts beside its workers: syncing in its own process
    keeps parsing and storing off the request-serving processes (and their GIL)."""
    from ..domain.meaning import snapshot_vectors
    from ..ranking.live_index import LiveIndex
    from ..settings import Settings
    from ..store import Store

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.nice(10)  # parsing, storing and snapshot builds yield the CPU to requests
    settings = Settings.from_env()
    store = Store.open(settings)
    feeds = store.feeds
    syncer = Syncer(settings, store.papers, feeds, index=LiveIndex(store.papers, settings.index_dir,
                                                                  vectors=snapshot_vectors(store, settings)))
    stop = syncer.upstreams.stop
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Scheduler(syncer, feeds, holder_name("paperlens serve"), stop).serve_forever(parent_pid=os.getppid())


if __name__ == "__main__":
    main()
