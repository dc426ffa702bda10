"""Closeness in meaning to a reading list, on the list's own 0-100 scale: the words' model
(ranking/list_closeness.py) with the papers' embeddings in place of tf-idf vectors. A candidate's raw
closeness is the mean cosine of its NEAREST closest saved papers; each saved paper's closeness to
the rest of the list (leave one out) is a point of reference, and a candidate scores the share of
those points it reaches. Listing ranks and the digest mix this score with the words' score
(fusion.mixed_scores); a candidate without a vector keeps the words' score alone. No I/O: the caller
hands in the vectors."""

from __future__ import annotations

import numpy as np

# the words' model's own measure (the mean of the nearest few saved papers) and reference sample,
# so that the two scores are made the same way
from .list_closeness import REFERENCE_PAPERS, nearest_mean


class ListMeaning:
    def __init__(self, saved: np.ndarray):
        """`saved`: the unit vectors of the saved papers that have one ([m, dim], m >= 2)."""
        self.saved = np.asarray(saved, dtype=np.float32)
        rows = np.unique(np.linspace(0, len(self.saved) - 1, min(len(self.saved), REFERENCE_PAPERS)).astype(np.int64))
        similarity = self.saved[rows] @ self.saved.T
        similarity[np.arange(len(rows)), rows] = -np.inf  # leave each one out
        self.reference = np.sort(nearest_mean(similarity))

    def scores(self, candidates: np.ndarray, itself: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(raw closeness, 0-100 score) per candidate ([n, dim] unit vectors, NaN rows for papers
        without one: NaN out); `itself[i]` is the saved row candidate i is (-1: none), left out."""
        candidates = np.asarray(candidates, dtype=np.float32)
        have = ~np.isnan(candidates).any(axis=1)
        similarity = np.full((len(candidates), len(self.saved)), -np.inf, dtype=np.float64)
        similarity[have] = candidates[have] @ self.saved.T
        mine = np.flatnonzero(itself >= 0)
        similarity[mine, itself[mine]] = -np.inf
        raw = np.where(have, nearest_mean(similarity), np.nan)
        n = len(self.reference)
        xs = np.maximum.accumulate(self.reference + np.arange(n) * 1e-12)
        xp = np.concatenate([[-1.0], xs, [max(1.0, xs[-1] + 1e-9)]])
        fp = np.concatenate([[0.0], 100.0 * (np.arange(n) + 0.5) / n, [100.0]])
        scaled = np.where(have, np.round(np.interp(np.nan_to_num(raw, nan=-1.0), xp, fp), 1), np.nan)
        return raw, scaled


def closeness_in_meaning(table, saved_ids: list[str], ids: list[str | None], itself: list[int]):
    """(raw closeness, 0-100 score) of each candidate (`ids[i]`, None for a paper the corpus does
    not hold; `itself[i]` its row among `saved_ids`, -1: none) to the saved papers, from the vectors
    `table` (ranking.vectors.VectorTable) holds; None when fewer than two saved papers have a vector
    (a scale needs two)."""
    saved = [table.vector_of(paper_id) for paper_id in saved_ids] if table is not None else []
    have = [n for n, v in enumerate(saved) if v is not None]
    if len(have) < 2:
        return None
    rows = {j: n for n, j in enumerate(have)}
    candidates = np.full((len(ids), table.dim), np.nan, dtype=np.float32)
    for n, paper_id in enumerate(ids):
        v = table.vector_of(paper_id) if paper_id else None
        if v is not None:
            candidates[n] = v
    own = np.array([rows.get(i, -1) for i in itself], dtype=np.int64)
    return ListMeaning(np.stack([saved[j] for j in have])).scores(candidates, own)
