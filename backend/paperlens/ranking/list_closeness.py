"""How close any paper is to a reading list, as a score from 0 to 100 with the saved papers it is
closest to and the words it shares with them (POST /library/rank, the daily digest).

Each paper is a tf-idf vector ((1 + ln tf) × the corpus's BM25 idf, unit length). A candidate's
closeness is the mean cosine of its NEAREST most similar saved papers, minus the same for the papers
marked "not interested": a paper as close to what was dismissed as to what was saved comes out at 0.
bench/for_you_quality.py chose this model over BM25 max/mean, a centroid and the recommendations'
profile query (docs/quality.md): it keeps libraries of two fields apart, where a centroid blurs them.

The 0-100 scale is the list's own: each saved paper's closeness to the rest of the list (leave one
out) is a point of reference, and a candidate scores the share of those points it beats (linear in
between): 50 is as close as the median saved paper is to the others, 100 as close as the closest.
It depends only on the list and the corpus's statistics, never on the other candidates, so scores
of one list compare across calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import Index
from .similarity import Bags, Postings, Vectors, bags, pairwise, shared_parts, tfidf

NEAREST = 3  # saved (and dismissed) papers a candidate's closeness averages over
BECAUSE = 3  # saved papers named as the reason
MATCHED_TERMS = 5
REFERENCE_PAPERS = 200  # saved papers whose leave-one-out closeness sets the scale (a fixed sample)
# The scale of a list of one paper (no other paper to leave out against): the median leave-one-out
# closeness of the 20-paper libraries in bench/for_you_quality.py.
DEFAULT_REFERENCE = 0.08


def candidate_vectors(b: Bags, index: Index) -> Vectors:
    """What a candidate is compared as (the same weighting the list's papers get)."""
    return tfidf(b, index)


@dataclass(frozen=True)
class Closeness:
    raw: np.ndarray  # per candidate: mean cosine of its nearest saved papers minus that of dismissed ones
    scores: np.ndarray  # 0-100 on the list's scale
    nearest: list[list[int]]  # per candidate: rows of the saved papers it is closest to, closest first
    similarity: np.ndarray  # (candidates, saved papers) cosines


@dataclass(frozen=True)
class ListModel:
    """A reading list (or one tag of it) ready to score candidates: built once per list and index."""

    saved: Postings
    dismissed: Postings | None
    reference: np.ndarray  # sorted leave-one-out closeness of (a sample of) the saved papers

    @classmethod
    def build(cls, saved_texts: list[str], dismissed_texts: list[str], index: Index) -> "ListModel":
        return cls.from_bags(bags(saved_texts), bags(dismissed_texts) if dismissed_texts else None, index)

    @classmethod
    def from_bags(cls, saved_bags: Bags, dismissed_bags: Bags | None, index: Index) -> "ListModel":
        """The model of the saved (and dismissed) papers' term counts under `index`'s statistics."""
        saved = Postings.build(candidate_vectors(saved_bags, index))
        dismissed = Postings.build(candidate_vectors(dismissed_bags, index)) if dismissed_bags else None
        return cls(saved, dismissed, cls(saved, dismissed, np.empty(0))._reference())

    @property
    def size(self) -> int:
        return len(self.saved.of)

    def raw(self, candidates: Vectors, itself: np.ndarray | None = None) -> np.ndarray:
        """Closeness before scaling (see the module docstring)."""
        return self._raw(self._similarity(candidates, itself), candidates)

    def closeness(self, candidates: Vectors, itself: np.ndarray | None = None) -> Closeness:
        """Scores of each candidate; `itself[i]` is the saved row candidate i is (-1: none), which it
        is never compared with."""
        similarity = self._similarity(candidates, itself)
        raw = self._raw(similarity, candidates)
        return Closeness(raw, self.scale(raw), _nearest(similarity), similarity)

    def scale(self, raw: np.ndarray) -> np.ndarray:
        """0-100: the share of the list's reference points that `raw` reaches, linear in between."""
        points = self.reference if len(self.reference) else np.array([DEFAULT_REFERENCE])
        n = len(points)
        # strictly increasing x for interp: equal points are nudged apart by a hair
        xs = np.maximum.accumulate(np.clip(points, 1e-9, 1.0 - 1e-6) + np.arange(n) * 1e-12)
        xp = np.concatenate([[0.0], xs, [max(1.0, xs[-1] + 1e-9)]])
        fp = np.concatenate([[0.0], 100.0 * (np.arange(n) + 0.5) / n, [100.0]])
        return np.round(np.interp(np.maximum(raw, 0.0), xp, fp), 1)

    def _similarity(self, candidates: Vectors, itself: np.ndarray | None) -> np.ndarray:
        similarity = pairwise(candidates, self.saved)
        if itself is not None:
            mine = np.flatnonzero(itself >= 0)
            similarity[mine, itself[mine]] = -np.inf  # left out, never a "because"
        return similarity

    def _raw(self, similarity: np.ndarray, candidates: Vectors) -> np.ndarray:
        raw = nearest_mean(similarity)
        if self.dismissed is not None:
            raw = raw - nearest_mean(pairwise(candidates, self.dismissed))
        return np.maximum(raw, 0.0)

    def _reference(self) -> np.ndarray:
        """Leave-one-out closeness of up to REFERENCE_PAPERS saved papers (every k-th, so the same
        list always gives the same sample)."""
        if self.size < 2:
            return np.empty(0)
        rows = np.unique(np.linspace(0, self.size - 1, min(self.size, REFERENCE_PAPERS)).astype(np.int64))
        return np.sort(self.raw(self.saved.of.rows(rows), itself=rows))

    def matched_terms(self, candidates: Vectors, nearest: list[list[int]]) -> list[list[tuple[int, float]]]:
        """Per candidate, (its vector's entry, that word's part of the closeness) for the words it
        shares with its nearest saved papers, most telling first."""
        table = np.full((len(nearest), BECAUSE), -1, dtype=np.int64)
        for i, rows in enumerate(nearest):
            table[i, : len(rows)] = rows
        parts = shared_parts(candidates, self.saved.of, table) / np.repeat(
            np.maximum([len(rows) for rows in nearest], 1), np.diff(candidates.indptr))
        row = np.repeat(np.arange(len(nearest)), np.diff(candidates.indptr))
        order = np.lexsort((candidates.terms, -parts, row))  # per candidate: largest part first
        found = []
        for i in range(len(nearest)):
            best = order[candidates.indptr[i]: candidates.indptr[i] + MATCHED_TERMS]
            found.append([(int(p), float(parts[p])) for p in best if parts[p] > 0])
        return found


def _nearest(similarity: np.ndarray) -> list[list[int]]:
    """Per row, the columns of its BECAUSE largest positive values, largest first."""
    rows, cols = similarity.shape
    k = min(BECAUSE, cols)
    if k == 0:
        return [[] for _ in range(rows)]
    best = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(similarity, best, axis=1)
    order = np.lexsort((best, -values), axis=1)
    best, values = np.take_along_axis(best, order, axis=1), np.take_along_axis(values, order, axis=1)
    return [[int(j) for j, v in zip(b, vs) if v > 0] for b, vs in zip(best.tolist(), values.tolist())]


def nearest_mean(similarity: np.ndarray) -> np.ndarray:
    """Per row, the mean of its NEAREST largest values, left-out (-inf) ones not counted."""
    rows, cols = similarity.shape
    k = min(NEAREST, cols)
    if rows == 0 or k == 0:
        return np.zeros(rows)
    best = -np.partition(-similarity, k - 1, axis=1)[:, :k]
    counted = np.isfinite(best)
    return np.where(counted, best, 0.0).sum(axis=1) / np.maximum(counted.sum(axis=1), 1)
