"""Summaries ahead of time: a background process summarises every paper that joins the corpus (or
whose text changes) in corpus-log order, so a related list rarely computes a TL;DR on a request.

One such process works at a time across every server sharing the Redis (a lock with a lease, so
a killed one is replaced when its lease runs out). It resumes where it stopped: its position in the
log lives in Redis and moves on only after a batch's summaries are stored. It runs at a low
priority and uses at most PAPERLENS_SUMMARY_CPU of one core (it sleeps in proportion to the time
it worked). `paperlens serve` starts it (`python -m paperlens.domain.summaries_ahead`); /health
and `paperlens status` show its backlog.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from ..ranking.live_index import LiveIndex
from ..ranking.summary_cache import DEFAULT_N, SUMMARY_KIND, SUMMARY_TTL, corpus_idf, summarize_job, summary_key
from ..store import Store, StoreUnavailable

log = logging.getLogger(__name__)

NAME = "summaries"  # the log reader's and the lease's name
BATCH = 200  # log entries per step: one round trip to read, one to store
IDLE_SECONDS = 1.0  # between looks at the log when it is all summarised


class SummariesAhead:
    def __init__(self, store: Store, index: LiveIndex, cpu_share: float = 0.5, batch: int = BATCH):
        self.store = store
        self.index = index
        self.cpu_share = cpu_share
        self.batch = batch
        self.reader = store.log_reader(NAME)

    def backlog(self) -> int:
        """Log entries not summarised yet (papers added, or whose text changed)."""
        return max(0, self.store.papers.log_length() - self.reader.position())

    def step(self) -> int:
        """Summarise the next batch of the log (papers already cached are skipped); how many log
        entries it covered, 0 when there are none."""
        start = self.reader.position()
        entries = self.store.papers.log_entries(start, start + self.batch - 1)
        if not entries:
            return 0
        ids = list(dict.fromkeys(entry[2:] for entry in entries))
        papers = [p for p in self.store.papers.get_many(ids) if p is not None]
        keys = [summary_key(p.title, p.abstract, DEFAULT_N) for p in papers]
        cached = self.store.cache.present(SUMMARY_KIND, keys)
        missing = [(key, p) for key, p, there in zip(keys, papers, cached) if not there]
        if missing:
            idf = corpus_idf(self.index.view())
            fresh = []
            for key, paper in missing:
                _, summary = summarize_job((paper.title, paper.abstract, DEFAULT_N), idf)
                if summary is not None:
                    fresh.append((key, summary))
            self.store.cache.set_many(SUMMARY_KIND, fresh, SUMMARY_TTL, quiet=False)
        self.reader.advance(start, start + len(entries))
        return len(entries)

    def run(self, holder: str, stop: threading.Event) -> None:
        """Work through the log until stopped, while holding the lock; wait for it otherwise."""
        from ..sync.lock import SyncLock

        lock = SyncLock(self.store.lease(NAME), holder)
        while not stop.is_set():
            try:
                if not lock.acquire(wait=True, stop=stop, poll=5.0):
                    return
                with lock:
                    self._work(lock, stop)
            except StoreUnavailable as exc:
                log.warning("summaries ahead paused, Redis unreachable: %s", exc)
                stop.wait(5.0)

    def _work(self, lock, stop: threading.Event) -> None:
        while lock.held and not stop.is_set():
            started = time.monotonic()
            done = self.step()
            if not done:
                stop.wait(IDLE_SECONDS)
                continue
            worked = time.monotonic() - started
            # at most cpu_share of a core: rest in proportion to the time worked
            stop.wait(worked * (1 / self.cpu_share - 1) if self.cpu_share < 1 else 0)


def main() -> None:
    from ..settings import Settings
    from .meaning import snapshot_vectors
    from ..sync.lock import holder_name

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.nice(10)  # requests come first
    settings = Settings.from_env()
    store = Store.open(settings)
    index = LiveIndex(store.papers, settings.index_dir, settings.index_refresh_seconds,
                      vectors=snapshot_vectors(store, settings))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent() -> None:  # the server that started this process is gone: stop too
        while not stop.wait(2.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    SummariesAhead(store, index, settings.summary_cpu).run(holder_name("summaries ahead"), stop)


if __name__ == "__main__":
    main()
