"""Papers like the ones a user saved: one BM25 query built from the whole reading list.

The query is a profile of the list rather than the concatenation of every abstract (which would
let one long abstract drown the rest and cost a query term per word):

  weight(term) = idf(term) * (use(term, saved papers) - use(term, dismissed papers))
  use(term, papers) = mean over the papers of (1 + ln tf) where the paper has the term, else 0

so a word most saved papers share outweighs a word one paper repeats, and a word that dismissed
("not interested") papers use as much as saved ones counts for nothing. Words no other paper in
the corpus has (df < 2) cannot find anything and are left out. The profile keeps the
PROFILE_TERMS highest-weighted terms (as Elasticsearch's more_like_this keeps the most telling
terms) and up to NEGATIVE_TERMS negative ones: papers that share the dismissed papers' own words
score lower. BM25 scores are linear in the query weights, so this is one pass over the index.
Saved and dismissed papers are never recommended.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .hits import Ranking
from .index import Query
from .related import ranked_hits, surface_words
from .tokenizer import tokenize
from .view import View

PROFILE_TERMS = 40
NEGATIVE_TERMS = 20
DISMISSED_WEIGHT = 1.0


def profile(view: View, saved_texts: list[str], dismissed_texts: list[str]) -> Query:
    """The weighted query for a reading list (see the module docstring)."""
    saved = _use(saved_texts)
    dismissed = _use(dismissed_texts)
    terms = list(dict.fromkeys([*saved, *dismissed]))
    if not terms or not saved_texts:
        return Query([], np.empty(0, np.int64), np.empty(0, np.float64))
    known = view.index.query(terms)  # each term once: its weight is its idf
    share = np.array([saved.get(t, 0.0) for t in known.terms], dtype=np.float64)
    share -= DISMISSED_WEIGHT * np.array([dismissed.get(t, 0.0) for t in known.terms], dtype=np.float64)
    weights = known.weights * share
    weights[view.index.df[known.term_ids] < 2] = 0.0
    order = np.argsort(-weights, kind="stable")
    positive = [j for j in order[:PROFILE_TERMS] if weights[j] > 0]
    negative = [j for j in order[::-1][:NEGATIVE_TERMS] if weights[j] < 0]
    keep = positive + negative
    return Query([known.terms[j] for j in keep], known.term_ids[keep], weights[keep])


def _use(texts: list[str]) -> dict[str, float]:
    total: Counter = Counter()
    for text in texts:
        for term, tf in Counter(tokenize(text)).items():
            total[term] += 1.0 + math.log(tf)
    return {term: value / len(texts) for term, value in total.items()}


def recommend(view: View, saved_texts: list[str], dismissed_texts: list[str], exclude_ids: set[str],
              k: int, meaning=None) -> tuple[Ranking, list[tuple[str, float]]]:
    """The k best papers for the list, and the profile as (readable word, weight) pairs; with
    `meaning` (the list's mean vector), the profile's top candidates re-scored by meaning too."""
    query = profile(view, saved_texts, dismissed_texts)
    surface = surface_words("\n".join(saved_texts + dismissed_texts))
    terms = [(surface.get(t, t), float(w)) for t, w in zip(query.terms, query.weights)]
    if len(query.terms) == 0 or not np.any(query.weights > 0) or view.index.n_docs == 0:
        return Ranking([], 0), terms
    excluded = {view.papers.doc_of(paper_id) for paper_id in exclude_ids}
    hits = ranked_hits(view, query, k, excluded, surface, meaning=meaning)
    return Ranking(hits, int(np.sum(query.weights > 0))), terms
