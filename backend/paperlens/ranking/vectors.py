"""Papers' embedding vectors at query time: int8 rows looked up by the 64-bit hash of the paper's id
(the hash PaperTable keys ids by), and the cosine of a query vector with them. Plain arrays, no I/O:
the vectors of a snapshot's papers are memory-mapped from it (MappedVectors, shared by every worker
through the page cache), those that arrived since sit in a small per-process overlay the domain fills
from Redis, and a VectorTable answers from both (the overlay first: it holds the newer vectors).

Vectors are unit length when made; stored as int8 (each scaled by its largest component), they lose
about 1% of a cosine's precision and take 4x less room than float32. A cosine is computed against
each row's own norm, so the scale never matters."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .index import term_hash


def quantize(unit: np.ndarray) -> np.ndarray:
    """float32 vectors ([n, dim]) as int8: each row scaled so that its largest component is 127."""
    unit = np.atleast_2d(np.asarray(unit, dtype=np.float32))
    peak = np.maximum(np.abs(unit).max(axis=1, keepdims=True), 1e-12)
    return np.round(unit * (127.0 / peak)).astype(np.int8)


def inverse_norms(rows: np.ndarray) -> np.ndarray:
    """1 / the length of each int8 row, float32 (one formula for the overlay and the mapped rows, so a
    cosine is the same number wherever its vector is kept)."""
    norms = np.linalg.norm(np.asarray(rows).astype(np.float32), axis=1)
    return (1.0 / np.maximum(norms, 1e-12)).astype(np.float32)


def unit_of(row: np.ndarray) -> np.ndarray:
    """An int8 (or any) vector back at unit length, float32."""
    v = np.asarray(row, dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-12)


@dataclass(frozen=True)
class VectorSource:
    """Where a snapshot build reads the papers' vectors (the domain makes one; see domain/meaning.py):
    the model they belong to, how far the vector filler has got in the corpus log, and the int8
    vectors of a batch of paper ids (None for a paper without one)."""

    model: str
    dim: int
    position: Callable[[], int]
    get_many: Callable[[list[str]], list]


@dataclass(frozen=True)
class MappedVectors:
    """The vectors a snapshot holds, memory-mapped: int8 rows in document order for the papers that
    had one when it was built, each document's row (-1: none), and the snapshot's own sorted id
    hashes to find a paper's document. Every log entry before `covered` has its vector here (a paper
    whose vector was not stored yet then was logged at or after `covered`)."""

    model: str
    dim: int
    covered: int
    matrix: np.ndarray  # int8 [rows, dim]
    doc_rows: np.ndarray  # int32 [documents]: the row of each document's vector, -1 for none
    id_hashes: np.ndarray  # uint64, ascending: the paper table's
    id_docs: np.ndarray  # int64: the document of each hash

    def __len__(self) -> int:
        return len(self.matrix)

    def rows_of(self, hashes: np.ndarray) -> np.ndarray:
        """The row of each hash, -1 for a paper not in the snapshot or without a vector in it."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        if not len(self.id_hashes) or not len(self.matrix):
            return np.full(len(hashes), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.id_hashes, hashes), len(self.id_hashes) - 1)
        found = self.id_hashes[pos] == hashes
        rows = np.full(len(hashes), -1, dtype=np.int64)
        rows[found] = self.doc_rows[self.id_docs[pos[found]]]
        return rows


class _Rows:
    """The growing store of rows that successive tables share: a table sees only its first `count`
    rows, so appending past them never changes what an older table answers."""

    def __init__(self, dim: int, capacity: int = 1024):
        self.matrix = np.zeros((capacity, dim), dtype=np.int8)
        self.inv_norm = np.zeros(capacity, dtype=np.float32)
        self.used = 0
        self.lock = threading.Lock()


@dataclass(frozen=True)
class VectorTable:
    """An unchanging set of vectors by id hash: a snapshot's mapped vectors (if any) under an overlay
    of those loaded since. `covered` is how far the vector log reaches in the two together (what a
    cached ranking that used it must name): the overlay is filled from where the snapshot's end."""

    dim: int
    rows: _Rows
    count: int
    sorted_hashes: np.ndarray  # uint64, ascending: the overlay's
    sorted_rows: np.ndarray  # int64: the overlay row of each hash
    covered: int = 0
    mapped: MappedVectors | None = None

    @classmethod
    def empty(cls, dim: int, mapped: MappedVectors | None = None) -> "VectorTable":
        """A table of a snapshot's vectors alone (none without `mapped`), to be filled from its `covered` on."""
        return cls(dim, _Rows(dim), 0, np.empty(0, np.uint64), np.empty(0, np.int64),
                   mapped.covered if mapped is not None else 0, mapped)

    def __len__(self) -> int:
        return self._papers

    @cached_property
    def _papers(self) -> int:
        """Papers with a vector: the mapped ones and those only the overlay has."""
        if self.mapped is None:
            return len(self.sorted_hashes)
        return len(self.mapped) + int((self.mapped.rows_of(self.sorted_hashes) < 0).sum())

    @property
    def overlay_size(self) -> int:
        """Vectors this process holds in its own memory (the rest are mapped from the snapshot)."""
        return len(self.sorted_hashes)

    def with_vectors(self, hashes: np.ndarray, vectors: np.ndarray, covered: int) -> "VectorTable":
        """A table that also holds `vectors` (int8, [n, dim]) under `hashes` (a newer vector for a
        hash already held replaces it)."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        vectors = np.asarray(vectors, dtype=np.int8).reshape(len(hashes), self.dim)
        rows = self.rows
        with rows.lock:
            if rows.used != self.count:  # a newer table appended already: start a store of our own
                rows = self._copied(self.count + len(hashes))
            elif rows.used + len(hashes) > len(rows.matrix):
                rows = self._copied(max(2 * len(rows.matrix), rows.used + len(hashes)))
            start = rows.used
            rows.matrix[start:start + len(hashes)] = vectors
            rows.inv_norm[start:start + len(hashes)] = inverse_norms(vectors)
            rows.used = start + len(hashes)
        all_hashes = np.concatenate([self.sorted_hashes, hashes])
        all_rows = np.concatenate([self.sorted_rows, np.arange(start, start + len(hashes), dtype=np.int64)])
        # the newest row of a hash wins: a stable sort keeps rows in order within a hash, take the last
        order = np.argsort(all_hashes, kind="stable")
        all_hashes, all_rows = all_hashes[order], all_rows[order]
        last = np.ones(len(all_hashes), dtype=bool)
        last[:-1] = all_hashes[1:] != all_hashes[:-1]
        return VectorTable(self.dim, rows, rows.used, all_hashes[last], all_rows[last], covered, self.mapped)

    def _copied(self, capacity: int) -> _Rows:
        rows = _Rows(self.dim, capacity)
        rows.matrix[:self.count] = self.rows.matrix[:self.count]
        rows.inv_norm[:self.count] = self.rows.inv_norm[:self.count]
        rows.used = self.count
        return rows

    def covering(self, covered: int) -> "VectorTable":
        """The same vectors, now known to cover the log up to `covered` (nothing new was stored)."""
        return VectorTable(self.dim, self.rows, self.count, self.sorted_hashes, self.sorted_rows, covered, self.mapped)

    def rows_of(self, hashes: np.ndarray) -> np.ndarray:
        """The overlay row of each hash, -1 for a paper the overlay has no vector of."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        if not len(self.sorted_hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.sorted_hashes, hashes), len(self.sorted_hashes) - 1)
        return np.where(self.sorted_hashes[pos] == hashes, self.sorted_rows[pos], -1)

    def vector_of(self, paper_id: str) -> np.ndarray | None:
        """A paper's vector at unit length (float32), or None."""
        hashes = np.array([term_hash(paper_id)], dtype=np.uint64)
        row = int(self.rows_of(hashes)[0])
        if row >= 0:
            return unit_of(self.rows.matrix[row])
        row = int(self.mapped.rows_of(hashes)[0]) if self.mapped is not None else -1
        return unit_of(self.mapped.matrix[row]) if row >= 0 else None

    def cosines(self, query: np.ndarray, hashes: np.ndarray) -> np.ndarray:
        """The cosine of the unit vector `query` with each paper's vector; NaN for a paper without one."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        query = np.asarray(query, np.float32)
        rows = self.rows_of(hashes)
        out = np.full(len(rows), np.nan, dtype=np.float32)
        have = rows >= 0
        if have.any():
            chosen = rows[have]
            out[have] = (self.rows.matrix[chosen].astype(np.float32) @ query) * self.rows.inv_norm[chosen]
        if self.mapped is not None and not have.all():
            rest = np.flatnonzero(~have)
            mapped_rows = self.mapped.rows_of(hashes[rest])
            found = mapped_rows >= 0
            if found.any():
                chosen = self.mapped.matrix[mapped_rows[found]]
                out[rest[found]] = (chosen.astype(np.float32) @ query) * inverse_norms(chosen)
        return out


class DocHashes:
    """Document number -> id hash for one paper table, built once per snapshot (the main part's
    arrays are shared by every view of it) plus the few papers added since."""

    def __init__(self):
        self._main: tuple[int, np.ndarray] | None = None
        self._lock = threading.Lock()

    def of(self, papers, docs: np.ndarray) -> np.ndarray:
        main = len(papers.offsets) - 1
        table = self._main_hashes(papers, main)
        docs = np.asarray(docs, dtype=np.int64)
        out = np.zeros(len(docs), dtype=np.uint64)
        inside = docs < main
        out[inside] = table[docs[inside]]
        for n in np.flatnonzero(~inside):  # papers added since the snapshot: a handful at most
            out[n] = term_hash(papers.paper(int(docs[n]))["id"])
        return out

    def _main_hashes(self, papers, main: int) -> np.ndarray:
        kept = self._main
        if kept is not None and kept[0] == id(papers.id_hashes):
            return kept[1]
        with self._lock:
            table = np.zeros(main, dtype=np.uint64)
            table[papers.id_docs] = papers.id_hashes
            self._main = (id(papers.id_hashes), table)
            self._keep_alive = papers.id_hashes  # the id above stays this array's while it is kept
        return table
