"""Where the ranking signals are fused, for both kinds of ranking. A query's ranking (related,
search, recommendations): BM25's exact top-N, re-scored by a mix of the signals on a common scale,
best first (`fused_scores`). A ranking by a reading list (POST /library/rank, the digest): each
signal's 0-100 score on the list's own scale, mixed (`mixed_scores`). No I/O: the caller hands in
the scores.

Each signal is z-scored over the N candidates (BM25 scores and cosines live on unrelated scales;
their spread within one query is what compares), then mixed with weight `bm25_weight` on BM25.
A candidate without a vector takes the mean closeness (z = 0): it is ranked by its BM25 score
alone, neither helped nor hurt. DEPTH and BM25_WEIGHT were chosen on training data only
(docs/quality.md, "Related by meaning")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEPTH = 30  # BM25 candidates re-scored
BM25_WEIGHT = 0.4


def zscores(values: np.ndarray) -> np.ndarray:
    """(value - mean) / standard deviation over the finite values; 0 where a value is NaN, and for
    every value when they do not spread (fewer than two, or all equal)."""
    values = np.asarray(values, dtype=np.float64)
    out = np.zeros(len(values))
    have = np.isfinite(values)
    if have.sum() >= 2:
        spread = values[have].std()
        if spread > 0:
            out[have] = (values[have] - values[have].mean()) / spread
    return out


def fused_scores(bm25: np.ndarray, cosines: np.ndarray, bm25_weight: float = BM25_WEIGHT) -> np.ndarray:
    return bm25_weight * zscores(bm25) + (1.0 - bm25_weight) * zscores(cosines)


def mixed_scores(words: np.ndarray, meaning: np.ndarray, bm25_weight: float = BM25_WEIGHT) -> np.ndarray:
    """0-100 scores: the words' and meaning's mixed; the words' alone where meaning is NaN."""
    words = np.asarray(words, dtype=np.float64)
    meaning = np.asarray(meaning, dtype=np.float64)
    return np.round(np.where(np.isnan(meaning), words, bm25_weight * words + (1 - bm25_weight) * meaning), 1)


@dataclass(frozen=True)
class Fused:
    order: np.ndarray  # positions into the candidates, best first
    fused: np.ndarray  # every candidate's fused score


def fuse(bm25: np.ndarray, cosines: np.ndarray, bm25_weight: float = BM25_WEIGHT) -> Fused:
    """The candidates re-ordered by the fused score (ties keep BM25's order)."""
    fused = fused_scores(bm25, cosines, bm25_weight)
    return Fused(np.argsort(-fused, kind="stable"), fused)


@dataclass(frozen=True)
class Meaning:
    """Closeness in meaning for one query: its unit vector and the papers' vectors. With `reorder`,
    a ranking's top `depth` by BM25 is re-scored by `fuse`; without, the BM25 order stands and each
    hit only carries its cosine (rank=bm25 still shows the closeness)."""

    vector: np.ndarray
    table: object  # ranking.vectors.VectorTable
    doc_hashes: object  # ranking.vectors.DocHashes
    reorder: bool = True
    depth: int = DEPTH
    bm25_weight: float = BM25_WEIGHT

    def candidates(self, k: int) -> int:
        """How many BM25 hits to ask for to return k."""
        return max(k, self.depth) if self.reorder else k

    def apply(self, papers, docs: np.ndarray, scores: np.ndarray, k: int):
        """(docs, BM25 scores, cosines) of the best k: fused order, or BM25's without `reorder`.
        A cosine is NaN for a paper without a vector."""
        cosines = self.table.cosines(self.vector, self.doc_hashes.of(papers, docs))
        if self.reorder and len(docs) > 1:
            chosen = fuse(scores, cosines, self.bm25_weight).order[:k]
        else:
            chosen = np.arange(min(k, len(docs)))
        return docs[chosen], scores[chosen], cosines[chosen]
