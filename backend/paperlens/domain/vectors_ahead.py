"""Vectors ahead of time: a background process embeds every paper of the corpus (old ones first, in
corpus-log order, then each new one, and again when its text changes) and stores its vector in
Redis, where every server's MeaningSignal picks it up without a restart.

As summaries ahead: one process at a time across every server sharing the Redis (a lease, so a
killed one is replaced), resumable (its log position lives in Redis and moves on only after a
batch's vectors are stored), niced, and capped at PAPERLENS_EMBED_CPU cores (ONNX Runtime runs on
ceil(cap) threads and the filler rests in proportion to the time it worked). `paperlens serve`
starts it when the signal is on; /health and `paperlens status` show its backlog."""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time

from ..corpus.paper import indexed_text
from ..indexing.vectors import reader_name
from ..ranking.vectors import quantize
from ..store import Store, StoreUnavailable

log = logging.getLogger(__name__)

BATCH = 64  # log entries per step: a few seconds of work on one core
IDLE_SECONDS = 1.0


class VectorsAhead:
    def __init__(self, store: Store, encoder, model: str, cpu_share: float = 1.0, batch: int = BATCH):
        self.store = store
        self.encoder = encoder
        self.model = model
        self.cpu_share = cpu_share
        self.batch = batch
        self.reader = store.log_reader(reader_name(model))
        self.vectors = store.vectors(model)

    def backlog(self) -> int:
        return max(0, self.store.papers.log_length() - self.reader.position())

    def step(self) -> int:
        """Embed and store the next batch of the log; how many log entries it covered (0: none)."""
        start = self.reader.position()
        entries = self.store.papers.log_entries(start, start + self.batch - 1)
        if not entries:
            return 0
        ids = list(dict.fromkeys(entry[2:] for entry in entries))
        papers = [p for p in self.store.papers.get_many(ids) if p is not None]
        texts = [indexed_text(p.title, p.abstract) for p in papers]
        kept = [(p, t) for p, t in zip(papers, texts) if t.strip()]  # a paper with no text has no meaning
        if kept:
            vectors = quantize(self.encoder.embed([t for _, t in kept]))
            self.vectors.set_many([(p.id, v) for (p, _), v in zip(kept, vectors)])
        self.reader.advance(start, start + len(entries))
        return len(entries)

    def run(self, holder: str, stop: threading.Event) -> None:
        """Work through the log until stopped, while holding the lease; wait for it otherwise."""
        from ..lock import SyncLock

        lock = SyncLock(self.store.lease(reader_name(self.model)), holder)
        while not stop.is_set():
            try:
                if not lock.acquire(wait=True, stop=stop, poll=5.0):
                    return
                with lock:
                    self._work(lock, stop)
            except StoreUnavailable as exc:
                log.warning("vectors ahead paused, Redis unreachable: %s", exc)
                stop.wait(5.0)

    def _work(self, lock, stop: threading.Event) -> None:
        threads = max(1, math.ceil(self.cpu_share))
        while lock.held and not stop.is_set():
            started = time.monotonic()
            if not self.step():
                stop.wait(IDLE_SECONDS)
                continue
            worked = time.monotonic() - started
            # `threads` cores while working, so rest until the average is cpu_share cores
            stop.wait(worked * (threads / self.cpu_share - 1) if self.cpu_share < threads else 0)


def main() -> None:
    from ..embedding.encoder import Encoder
    from ..embedding.model_files import model_folder, why_unavailable
    from ..settings import Settings
    from ..lock import holder_name

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.nice(10)  # requests come first
    settings = Settings.from_env()
    why_off = why_unavailable(settings)
    if why_off or settings.embed_cpu <= 0:
        log.info("vectors ahead not started: %s", why_off or "PAPERLENS_EMBED_CPU is 0")
        return
    encoder = Encoder(model_folder(settings), threads=max(1, math.ceil(settings.embed_cpu)))
    store = Store.open(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent() -> None:  # the server that started this process is gone: stop too
        while not stop.wait(2.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    VectorsAhead(store, encoder, encoder.card.name, settings.embed_cpu).run(holder_name("vectors ahead"), stop)


if __name__ == "__main__":
    main()
