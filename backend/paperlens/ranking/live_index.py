"""The index a server process answers from, kept up to date with the papers in Redis.

On start it memory-maps the newest snapshot (building one if there is none) and replays the corpus
log from where the snapshot ends into a small delta segment. While serving it checks the corpus
version at most every `refresh_seconds`; new papers join the delta at once, and when the delta
grows large a background thread folds everything into a new snapshot. One process builds a
snapshot at a time (a file lock); the others load what it wrote.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..store import StoreUnavailable
from ..store.papers import PaperStore
from . import snapshot, snapshot_build
from .index import Index, default_workers
from .snapshot import PaperTable

log = logging.getLogger(__name__)

# Papers that results show; the abstract is kept so related-by-id works while Redis is down.
RESULT_FIELDS = ("id", "title", "abstract", "authors", "published", "url", "source_id", "arxiv_id", "doi")


def paper_record(paper) -> str:
    data = paper.to_dict()
    return json.dumps({k: data.get(k) for k in RESULT_FIELDS}, ensure_ascii=False)


@dataclass(frozen=True)
class View:
    """One consistent index and paper table, and the corpus version they answer for. A request
    keeps the view it started with, and nothing in a view changes after it is made: catching up
    makes a new view (sharing the index when no paper was added), never edits a shared one."""

    index: Index
    papers: PaperTable
    version: int | None = None  # the corpus version this view answers for (default: the index's)
    log_position: int | None = None  # corpus log entries it covers (default: the index's)

    def __post_init__(self) -> None:
        if self.version is None:
            object.__setattr__(self, "version", self.index.corpus_version)
        if self.log_position is None:
            object.__setattr__(self, "log_position", self.index.log_position)


class LiveIndex:
    def __init__(self, store: PaperStore, folder: Path, refresh_seconds: float = 0.5,
                 fold_min_docs: int = 5000, fold_fraction: float = 0.05, fold_grace: float = 1.0,
                 fold_spacing: float = 30.0, vectors=None):
        self.store = store
        self.folder = Path(folder)
        self.vectors = vectors  # a ranking.vectors.VectorSource: each snapshot built here holds the papers' vectors
        self.refresh_seconds = refresh_seconds
        self.fold_min_docs = fold_min_docs
        self.fold_fraction = fold_fraction
        # A fold waits `fold_grace` s, and starts at least `fold_spacing` s (or twice the last build's
        # time) after the previous one ended: a sync that changes texts page after page is then folded
        # every so often, not over and over, and a process that builds while this one waits (the
        # syncer, another worker) is loaded from instead of built again.
        self.fold_grace = fold_grace
        self.fold_spacing = fold_spacing
        self._view: View | None = None
        self._lock = threading.Lock()  # one catch-up at a time in this process
        self._folding = threading.Event()
        self._fold_requested = threading.Event()
        self._fold_needed = 0  # the log position the next snapshot must cover
        self._fold_vectors = -1  # how far the next snapshot's vectors must reach
        self._next_fold = 0.0  # time.monotonic() before which no fold starts
        self._last_check = 0.0

    # -- what requests call -------------------------------------------------------------------
    def view(self) -> View:
        """The current view, refreshed if the corpus changed (at most every refresh_seconds)."""
        if self._view is None:
            with self._lock:
                if self._view is None:
                    self._view = self._open()
        if time.monotonic() - self._last_check >= self.refresh_seconds:
            self.refresh()
        return self._view

    def refresh(self, force: bool = False) -> None:
        """Bring the view up to the corpus version in Redis. Redis being unreachable is not an
        error here: the current view keeps answering."""
        if not self._lock.acquire(blocking=force):
            return  # another thread is catching up; this request uses the current view
        try:
            self._last_check = time.monotonic()
            if self._view is None:
                self._view = self._open()
                return
            self._view = self._catch_up(self._view)
        except StoreUnavailable as exc:
            log.warning("index refresh skipped, Redis unreachable: %s", exc)
        finally:
            self._lock.release()

    # -- opening and catching up ---------------------------------------------------------------
    def _open(self) -> View:
        path = snapshot.latest(self.folder)
        if path is None:
            with self._build_lock():
                path = snapshot.latest(self.folder)
                if path is None:
                    path = self._build_snapshot()
        if _log_position(path) > self.store.log_length():
            # The snapshot is ahead of this Redis (its data was replaced): it indexes other papers.
            with self._build_lock():
                path = self._build_snapshot()
        index, papers = snapshot.load(path)
        log.info("loaded index snapshot %s (%d papers)", path.name, index.n_docs)
        return self._catch_up(View(index, papers))

    def _catch_up(self, view: View) -> View:
        version = self.store.version()
        if version == view.version:
            return view
        entries = list(self.store.iter_logged(view.log_position))
        changed = [position for position, kind, _ in entries if kind == "u"]
        if changed:
            # An indexed paper's text changed: only a snapshot that covers the change has its new postings.
            self._fold_in_background(needed=changed[-1] + 1)
        new = list(first_additions(entries, indexed=lambda paper_id: view.papers.doc_of(paper_id) >= 0))
        position = entries[-1][0] + 1 if entries else view.log_position
        if not new:
            # Only the version moved (a merge that kept the indexed text, or a changed text that the
            # fold will index): the same index answers for it, under a new view.
            return View(view.index, view.papers, version, position)
        index = view.index.with_documents(
            (p.indexed_text for p in new), corpus_version=version, log_position=position
        )
        papers = view.papers.with_extra([paper_record(p) for p in new])
        delta = len(papers.extra)
        if delta >= self.fold_threshold(len(papers)):
            # Any snapshot that holds at least half of the delta is worth loading instead of building.
            self._fold_in_background(needed=position - delta // 2)
        return View(index, papers)

    def fold_threshold(self, indexed: int) -> int:
        """Papers in the delta that make a fold worth its cost."""
        return int(max(self.fold_min_docs, self.fold_fraction * indexed))

    def fold_vectors(self, covered: int) -> None:
        """Fold the vectors that arrived since the snapshot into a new one whose vectors reach `covered`
        (asked when a process's own overlay of them has grown large)."""
        if self.vectors is not None:
            self._fold_in_background(needed=0, vectors=covered)

    def _fold_in_background(self, needed: int, vectors: int = -1) -> None:
        """Load a snapshot that covers log position `needed`, building one if no process has: in a
        thread, while the current view serves. A request while a fold runs makes it go round again."""
        self._fold_needed = max(self._fold_needed, needed)
        self._fold_vectors = max(self._fold_vectors, vectors)
        self._fold_requested.set()
        if self._folding.is_set():
            return
        self._folding.set()

        def fold() -> None:
            try:
                while self._fold_requested.is_set():
                    time.sleep(max(self.fold_grace, self._next_fold - time.monotonic()))
                    self._fold_requested.clear()
                    started = time.monotonic()
                    path = self.snapshot_covering(self._fold_needed, self._fold_vectors)
                    index, papers = snapshot.load(path)
                    with self._lock:
                        self._view = self._catch_up(View(index, papers))
                    snapshot.prune(self.folder)
                    took = time.monotonic() - started
                    log.info("folded the delta: now on snapshot %s (%.1f s)", path.name, took)
                    self._next_fold = time.monotonic() + max(self.fold_spacing, 2 * took)
            except Exception:  # a failed fold leaves the current view serving; say why in the log
                log.exception("folding the index delta into a new snapshot failed")
            finally:
                self._folding.clear()

        threading.Thread(target=fold, name="paperlens-index-fold", daemon=True).start()

    def snapshot_covering(self, needed: int, vectors: int = -1) -> Path:
        """The newest snapshot if it covers log position `needed` (and its vectors reach `vectors`),
        else a new one (one process builds at a time; the others wait, then find it)."""
        with self._build_lock():
            path = snapshot.latest(self.folder)
            if path is None or _log_position(path) < needed or snapshot.vectors_covered(path) < vectors:
                path = self._build_snapshot()
        return path

    def build_if_behind(self, updates: bool = False) -> Path | None:
        """For a process that writes papers without serving (the syncer): build a snapshot when the
        corpus log has moved on past the snapshot by a fold's worth, or (with `updates`) when it
        changed an indexed text since, so the serving processes load it instead of building it."""
        path = snapshot.latest(self.folder)
        position = _log_position(path) if path else 0
        indexed = json.loads((path / "meta.json").read_text())["n_docs"] if path else 0
        length = self.store.log_length()
        behind = length - position >= self.fold_threshold(indexed)
        if not behind and updates and length > position:
            behind = any(entry.startswith("u:") for entry in self.store.log_entries(position, length - 1))
        if not behind:
            return None
        built = self.snapshot_covering(length)
        snapshot.prune(self.folder)
        return built

    def _build_snapshot(self) -> Path:
        """Index every paper in the corpus log, in log order, and save it. Papers stream from Redis
        into the snapshot builder, which holds one chunk of them at a time."""
        started = time.monotonic()
        version = self.store.version()
        end = self.store.log_length()  # entries logged later are replayed into the delta

        def logged():
            for entry in self.store.iter_logged(0):
                if entry[0] >= end:
                    return
                yield entry

        papers = ((p.id, paper_record(p), p.indexed_text) for p in first_additions(logged()))
        path = snapshot_build.build(self.folder, papers, corpus_version=version, log_position=end,
                                    workers=default_workers(end), vectors=self.vectors)
        log.info("built index snapshot %s in %.1f s", path.name, time.monotonic() - started)
        return path

    def warm_up(self) -> None:
        """Open the index and run one query, so a worker's first request does not pay for loading
        the compiled kernels."""
        view = self.view()
        view.index.rank(view.index.query(["warm"]), 1)
        if view.index.n_docs:
            view.index.contributions(view.index.query(["warm"]), 0)

    def prepare(self) -> View:
        """Before serving: make sure a snapshot covers most of the corpus (so worker processes only
        replay a small delta), then open it."""
        path = snapshot.latest(self.folder)
        backlog = self.store.log_length() - (_log_position(path) if path else 0)
        indexed = json.loads((path / "meta.json").read_text())["n_docs"] if path else 0
        if path is None or backlog < 0 or backlog >= self.fold_threshold(indexed):
            self.build_now()
        return self.view()

    def build_now(self) -> Path:
        """Build a fresh snapshot of the whole corpus (the `reindex` command)."""
        with self._build_lock():
            path = self._build_snapshot()
        snapshot.prune(self.folder)
        with self._lock:
            self._view = None
        return path

    @contextmanager
    def _build_lock(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def first_additions(entries, indexed=lambda paper_id: False):
    """The papers the log's 'a' entries add, each once and only if not `indexed` yet: a paper can be
    logged twice when a writer died mid-add and the next add of it finished the job."""
    seen = set()
    for _, kind, paper in entries:
        if kind == "a" and paper is not None and paper.id not in seen and not indexed(paper.id):
            seen.add(paper.id)
            yield paper


def _log_position(path: Path) -> int:
    return json.loads((path / "meta.json").read_text())["log_position"]
