"""The one shape of a ranking: hits best first (or in the order asked), each with its score and the
evidence for it: the words that matched, and each further signal's own (closeness in meaning, the
0-100 closeness, the saved papers it is closest to). Every ranker in ranking/ returns Hits, so the
domain pages and decorates any of them the same way (domain/corpus.py, Corpus.results)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    doc: int  # document number in the view; -1 when the ranked text is not one of its documents
    score: float
    matched_terms: list[tuple[str, float]]  # readable word, its share of the score
    meaning: float | None = None  # cosine of the paper's vector with the query's (or the list's), when both have one
    closeness: int | None = None  # 0-100 on the corpus's own scale, 50 = a typical related pair (closeness.py)
    because: tuple[int, ...] = ()  # ranked by a reading list: rows of the saved papers it is closest to, closest first


@dataclass(frozen=True)
class Ranking:
    hits: list[Hit]
    query_terms: int  # distinct query terms the index knows
