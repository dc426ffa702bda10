"""Papers' embedding vectors at query time: int8 rows looked up by the 64-bit hash of the paper's id
(the hash PaperTable keys ids by), and the cosine of a query vector with them. Plain arrays, no I/O:
the domain fills a table from Redis and hands it to the rankers.

Vectors are unit length when made; stored as int8 (each scaled by its largest component), they lose
about 1% of a cosine's precision and take 4x less room than float32. A cosine is computed against
each row's own norm, so the scale never matters."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .index import term_hash


def quantize(unit: np.ndarray) -> np.ndarray:
    """float32 vectors ([n, dim]) as int8: each row scaled so that its largest component is 127."""
    unit = np.atleast_2d(np.asarray(unit, dtype=np.float32))
    peak = np.maximum(np.abs(unit).max(axis=1, keepdims=True), 1e-12)
    return np.round(unit * (127.0 / peak)).astype(np.int8)


def unit_of(row: np.ndarray) -> np.ndarray:
    """An int8 (or any) vector back at unit length, float32."""
    v = np.asarray(row, dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-12)


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
    """An unchanging set of vectors by id hash; `covered` is how far the vector log it was filled from
    reaches (what a cached ranking that used it must name)."""

    dim: int
    rows: _Rows
    count: int
    sorted_hashes: np.ndarray  # uint64, ascending
    sorted_rows: np.ndarray  # int64: the row of each hash
    covered: int = 0

    @classmethod
    def empty(cls, dim: int) -> "VectorTable":
        return cls(dim, _Rows(dim), 0, np.empty(0, np.uint64), np.empty(0, np.int64), 0)

    def __len__(self) -> int:
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
            norms = np.linalg.norm(vectors.astype(np.float32), axis=1)
            rows.inv_norm[start:start + len(hashes)] = 1.0 / np.maximum(norms, 1e-12)
            rows.used = start + len(hashes)
        all_hashes = np.concatenate([self.sorted_hashes, hashes])
        all_rows = np.concatenate([self.sorted_rows, np.arange(start, start + len(hashes), dtype=np.int64)])
        # the newest row of a hash wins: a stable sort keeps rows in order within a hash, take the last
        order = np.argsort(all_hashes, kind="stable")
        all_hashes, all_rows = all_hashes[order], all_rows[order]
        last = np.ones(len(all_hashes), dtype=bool)
        last[:-1] = all_hashes[1:] != all_hashes[:-1]
        return VectorTable(self.dim, rows, rows.used, all_hashes[last], all_rows[last], covered)

    def _copied(self, capacity: int) -> _Rows:
        rows = _Rows(self.dim, capacity)
        rows.matrix[:self.count] = self.rows.matrix[:self.count]
        rows.inv_norm[:self.count] = self.rows.inv_norm[:self.count]
        rows.used = self.count
        return rows

    def covering(self, covered: int) -> "VectorTable":
        """The same vectors, now known to cover the log up to `covered` (nothing new was stored)."""
        return VectorTable(self.dim, self.rows, self.count, self.sorted_hashes, self.sorted_rows, covered)

    def rows_of(self, hashes: np.ndarray) -> np.ndarray:
        """The row of each hash, -1 for a paper without a vector."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        if not len(self.sorted_hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.sorted_hashes, hashes), len(self.sorted_hashes) - 1)
        return np.where(self.sorted_hashes[pos] == hashes, self.sorted_rows[pos], -1)

    def vector_of(self, paper_id: str) -> np.ndarray | None:
        """A paper's vector at unit length (float32), or None."""
        row = int(self.rows_of(np.array([term_hash(paper_id)], dtype=np.uint64))[0])
        return unit_of(self.rows.matrix[row]) if row >= 0 else None

    def cosines(self, query: np.ndarray, hashes: np.ndarray) -> np.ndarray:
        """The cosine of the unit vector `query` with each paper's vector; NaN for a paper without one."""
        rows = self.rows_of(hashes)
        out = np.full(len(rows), np.nan, dtype=np.float32)
        have = rows >= 0
        if have.any():
            chosen = rows[have]
            out[have] = (self.rows.matrix[chosen].astype(np.float32) @ np.asarray(query, np.float32)) \
                * self.rows.inv_norm[chosen]
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
