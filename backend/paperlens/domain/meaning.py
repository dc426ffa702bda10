"""The semantic signal in a server process: whether it is on here (the `semantic` extra and a
model folder), the papers' vectors as this process knows them (those of the index snapshot's papers
memory-mapped from it, and a small overlay filled from Redis as the background filler stores more,
without a restart), the query's vector, and the choice between rank=bm25 and rank=hybrid for each
request. What a snapshot built here writes of the vectors comes from here too (snapshot_vectors).

A process without the extra or the model answers every ranking with BM25 alone and says why in
/health; a paper without a vector yet is ranked by BM25 alone (ranking/fusion.py)."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np

from ..embedding.model_files import ModelCard, model_folder, why_unavailable
from ..ranking.fusion import Meaning
from ..ranking.index import term_hash
from ..ranking.vectors import DocHashes, MappedVectors, VectorSource, VectorTable
from ..settings import Settings
from ..store import Store, StoreUnavailable

log = logging.getLogger(__name__)

BM25, HYBRID = "bm25", "hybrid"
RANKS = (BM25, HYBRID)
LOAD_BATCH = 2000  # vectors per round trip when catching up with the filler
PUBLISH_BATCH = 100_000  # log entries loaded before the requests see a new table


def reader_name(model: str) -> str:
    """The name of the filler's log reader and lease for `model` (a new model starts over)."""
    return f"vectors:{model}"


def snapshot_vectors(store: Store, settings: Settings) -> VectorSource | None:
    """What each index snapshot built in this process writes of the papers' vectors (the filler's,
    from Redis), so that servers map them instead of each loading its own copy; None while the
    signal is off here. No model runs for it: the card names the model and its size."""
    if why_unavailable(settings) is not None:
        return None
    try:
        card = ModelCard.read(model_folder(settings))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    vectors = store.vectors(card.name)
    return VectorSource(card.name, card.dim, store.log_reader(reader_name(card.name)).position,
                        lambda ids: vectors.get_many(ids, card.dim))


def ranked_by(meaning: Meaning | None) -> str:
    """What a ranking was made with: hybrid when closeness in meaning re-ordered it, else bm25 (the
    signal is off, rank=bm25 was asked, or the query had no vector)."""
    return HYBRID if meaning is not None and meaning.reorder else BM25


class MeaningSignal:
    def __init__(self, store: Store, settings: Settings, index=None):
        """`index` (a LiveIndex): the snapshot whose mapped vectors the table stands on is its current view's."""
        self.store = store
        self.settings = settings
        self.index = index
        self.why_off = why_unavailable(settings)
        self.card = None
        if self.why_off is None:
            try:
                self.card = ModelCard.read(model_folder(settings))
            except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged card: BM25, and say why
                self.why_off = f"the model card in {model_folder(settings)} is unreadable: {exc}"
        self._encoder = None
        self._encoder_lock = threading.Lock()
        self._encoder_error: str | None = None  # why this process's model could not run, once it failed
        self._table = VectorTable.empty(self.card.dim) if self.card else None
        self._catching_up = threading.Lock()  # one background catch-up started at a time
        self._loading = threading.Lock()  # one catch-up runs at a time (a test may call it directly)
        self.caught_up = threading.Event()  # set after each catch-up: what tests wait on
        self._last_check = 0.0
        self._fold_asked = object()  # the snapshot vectors under the overlay when a fold was last asked for
        self.doc_hashes = DocHashes()

    @property
    def on(self) -> bool:
        return self.card is not None

    @property
    def model(self) -> str | None:
        return self.card.name if self.card else None

    # -- what requests call -----------------------------------------------------------------------
    def rank_used(self, asked: str | None) -> str:
        """The ranking a request gets: what it asked for, hybrid by default; BM25 while the signal is off."""
        if not self.on:
            return BM25
        return asked or HYBRID

    def table(self) -> VectorTable | None:
        """The vectors this process knows, caught up with the filler at most every refresh interval
        (in a thread of its own: a request never waits for thousands of vectors to load)."""
        if not self.on:
            return None
        self._adopt_snapshot()
        if time.monotonic() - self._last_check >= self.settings.index_refresh_seconds:
            self._last_check = time.monotonic()
            if self._catching_up.acquire(blocking=False):
                threading.Thread(target=self._catch_up_then_release, name="paperlens-vectors", daemon=True).start()
        return self._table

    def meaning(self, rank: str, *, paper_id: str | None = None, text: str | None = None,
                vector: np.ndarray | None = None) -> Meaning | None:
        """What re-scoring by meaning needs for one query (None when the signal is off, or the
        query has no vector: BM25 alone then). The query's vector: the one given, else the stored
        paper's, else its text embedded now."""
        table = self.table()
        if table is None:
            return None
        if vector is None and paper_id:
            vector = table.vector_of(paper_id)
        if vector is None and text and rank == BM25:
            return None  # rank=bm25 shows closeness only when it costs no model run
        if vector is None and text and self._encoder_error is None:
            try:
                vector = self.embed([text])[0]
            except Exception as exc:  # a model that cannot run: queries that need it are ranked by BM25
                self._encoder_error = f"the model cannot run: {exc}"
                log.exception("embedding a query failed; queries without a stored vector use BM25 alone")
                return None
        if vector is None:
            return None
        return Meaning(vector, table, self.doc_hashes, reorder=rank == HYBRID)

    def mean_vector(self, paper_ids: list[str]) -> np.ndarray | None:
        """The unit mean of the papers' vectors (a reading list's meaning), None if none has one."""
        table = self.table()
        if table is None:
            return None
        found = [v for v in map(table.vector_of, paper_ids) if v is not None]
        if not found:
            return None
        mean = np.mean(found, axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for texts, with this process's copy of the model (loaded on first use)."""
        if self._encoder is None:
            with self._encoder_lock:
                if self._encoder is None:
                    from ..embedding.encoder import Encoder

                    self._encoder = Encoder(model_folder(self.settings), threads=1)
        return self._encoder.embed(texts)

    def cache_part(self, rank: str) -> str:
        """What a cached ranking must name so that one made with fewer vectors is not served forever:
        the ranking, and how far the vectors it used reach (asking catches up, as a ranking would)."""
        table = self.table()
        return f"{rank}:{table.covered if table is not None else 0}"

    # -- health ------------------------------------------------------------------------------------
    def backlog(self) -> int | None:
        """Corpus-log entries without vectors yet; None while the signal is off."""
        if not self.on:
            return None
        return max(0, self.store.papers.log_length() - self.store.log_reader(reader_name(self.card.name)).position())

    def health(self) -> dict:
        table = self._table
        return {"on": self.on, "model": self.model, "why_off": self.why_off or self._encoder_error,
                "vectors_loaded": len(table) if table is not None else 0}

    def status_line(self) -> str:
        """`paperlens status`'s line: the signal, and how far the filler has got."""
        if not self.on:
            return f"related by meaning: off ({self.why_off}); rankings are BM25 alone"
        name = reader_name(self.card.name)
        logged = self.store.papers.log_length()
        done = min(self.store.log_reader(name).position(), logged)
        holder = self.store.lease(name).lock_holder()
        return (f"vectors ({self.card.name}): {done:,} of {logged:,} log entries embedded, backlog {logged - done:,}"
                + (f" ({holder} is working)" if holder else " (no filler running)"))

    def start_filler(self, start, say):
        """For `paperlens serve`: start the vector filler process when the signal is on here (what
        `start(module)` returns, else None), and say what happens."""
        if not self.on:
            say(f"related by meaning: off ({self.why_off}); rankings are BM25 alone")
            return None
        if self.settings.embed_cpu <= 0:
            say("related by meaning: on, but PAPERLENS_EMBED_CPU=0: no vectors are computed here")
            return None
        filler = start("paperlens.domain.vectors_ahead")
        say(f"related by meaning: on ({self.card.name}); papers embedded in the background (pid {filler.pid}, at "
            f"most {self.settings.embed_cpu:g} cores); `paperlens status` shows the backlog")
        return filler

    # -- the snapshot's vectors and the overlay ---------------------------------------------------------
    def _mapped(self) -> MappedVectors | None:
        """The vectors of the index's current snapshot, if it holds this model's."""
        if self.index is None:
            return None
        mapped = self.index.view().papers.vectors
        if mapped is None or mapped.model != self.card.name or mapped.dim != self.card.dim:
            return None
        return mapped

    def _adopt_snapshot(self) -> None:
        """Stand on a newer snapshot's vectors at once when they reach at least as far as the table
        does (its overlay holds nothing they lack); otherwise catching up rebuilds the overlay."""
        if self.index is None or not self._loading.acquire(blocking=False):
            return  # a catch-up is running: it moves onto the snapshot itself
        try:
            mapped = self._mapped()
            if mapped is not None and mapped is not self._table.mapped and mapped.covered >= self._table.covered:
                self._table = VectorTable.empty(self.card.dim, mapped)
        except StoreUnavailable:
            pass  # the index could not open: the table keeps serving what it has
        finally:
            self._loading.release()

    # -- catching up with the filler ----------------------------------------------------------------
    def _catch_up_then_release(self) -> None:
        try:
            self.catch_up()
        except StoreUnavailable as exc:
            log.warning("vectors not refreshed, Redis unreachable: %s", exc)
        except Exception:  # the table keeps serving what it has; say why in the log
            log.exception("loading vectors failed")
        finally:
            self._catching_up.release()

    def catch_up(self) -> VectorTable:
        """Load the vectors the filler stored since this table was filled: the log entries it has
        passed, read LOAD_BATCH at a time (a paper logged again gets its newer vector). When the
        index has moved onto another snapshot, the overlay starts again from where that snapshot's
        vectors end (a snapshot without them: from the start), and the current table answers until
        the new one reaches as far."""
        with self._loading:
            table = self._table
            done = self.store.log_reader(reader_name(self.card.name)).position()
            mapped = self._mapped()
            if mapped is not table.mapped:
                table = VectorTable.empty(self.card.dim, mapped)
            vectors = self.store.vectors(self.card.name)
            position = table.covered
            while position < done:
                # up to PUBLISH_BATCH entries read LOAD_BATCH at a time, then one new table (each
                # table re-sorts its index, so a cold start of a million papers makes a few, not 500)
                stop = min(done, position + PUBLISH_BATCH)
                found: list[tuple[str, np.ndarray]] = []
                while position < stop:
                    end = min(stop, position + LOAD_BATCH)
                    ids = list(dict.fromkeys(e[2:] for e in self.store.papers.log_entries(position, end - 1)))
                    found += [(i, v) for i, v in zip(ids, vectors.get_many(ids, self.card.dim)) if v is not None]
                    position = end
                if found:
                    hashes = np.array([term_hash(i) for i, _ in found], dtype=np.uint64)
                    table = table.with_vectors(hashes, np.stack([v for _, v in found]), position)
                else:
                    table = table.covering(position)
                if table.mapped is self._table.mapped or table.covered >= self._table.covered:
                    self._table = table
            self._table = table
        self._fold_if_large(table)
        self.caught_up.set()
        return table

    def _fold_if_large(self, table: VectorTable) -> None:
        """An overlay grown to a fold's worth (the filler working through a corpus indexed before it
        ran) is folded into a new snapshot, which every worker maps instead of holding its own copy:
        asked once per snapshot the overlay stands on."""
        if self.index is None or table.mapped is self._fold_asked:
            return
        if table.overlay_size and table.overlay_size >= self.index.fold_threshold(len(self.index.view().papers)):
            self._fold_asked = table.mapped
            self.index.fold_vectors(table.covered)
