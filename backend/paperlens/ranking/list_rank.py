"""Papers ranked by a reading list (POST /library/rank, the digest): each candidate one Hit with its
0-100 score against the list (list_closeness.py), the saved papers it is closest to (`because`) and
the words it shares with them; with the papers' vectors, its closeness in meaning too
(list_meaning.py), mixed into the score for rank=hybrid (fusion.mixed_scores). And the digest's
shortlist: a large window of new papers narrowed by the list's profile query (recommend.py). No I/O:
the caller hands in the list's model, the texts and the vectors."""

from __future__ import annotations

import numpy as np

from .fusion import mixed_scores
from .hits import Hit
from .list_closeness import ListModel, candidate_vectors
from .list_meaning import closeness_in_meaning
from .recommend import profile
from .similarity import bags
from .view import View


def by_list(view: View, model: ListModel, texts: list[str], itself: list[int], docs: list[int],
            ids: list[str | None], saved_ids: list[str], table=None, hybrid: bool = False) -> tuple[list[Hit], bool]:
    """One Hit per text, in the order given, and whether meaning was mixed in. `itself[i]`: the row
    of `saved_ids` (the model's rows) text i is, never compared with itself (-1: none); `docs[i]`
    its document number (-1: none); `ids[i]` its paper id for its vector in `table`
    (ranking.vectors.VectorTable; None: no vector). With `hybrid` and two saved papers with
    vectors, each score is the words' and meaning's mixed."""
    b = bags(texts, spelled=True)
    vectors = candidate_vectors(b, view.index)
    found = model.closeness(vectors, np.array(itself, dtype=np.int64))
    scores = found.scores
    meaning = closeness_in_meaning(table, saved_ids, ids, itself)
    raw = None
    if meaning is not None:
        raw, scaled = meaning
        if hybrid:
            scores = mixed_scores(scores, scaled)
    mixed = hybrid and meaning is not None
    return [Hit(doc, float(score), [(b.spelling(vectors.source[p]), round(w, 6)) for p, w in terms],
                None if raw is None or np.isnan(raw[n]) else round(float(raw[n]), 4), because=tuple(nearest))
            for n, (doc, score, nearest, terms) in enumerate(zip(docs, scores.tolist(), found.nearest,
                                                                 model.matched_terms(vectors, found.nearest)))], mixed


def shortlist(view: View, saved_texts: list[str], dismissed_texts: list[str], docs: list[int], n: int) -> list[int]:
    """Positions into `docs` of the n documents the list's profile query (the recommendations' BM25
    query) scores best, in their given order."""
    query = profile(view, saved_texts, dismissed_texts)
    scores = view.index.scores(query)[docs]
    best = np.argsort(-scores, kind="stable")[:n]
    return sorted(best.tolist())
