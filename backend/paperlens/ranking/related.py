"""Related papers and search: a query's BM25 top k, each result with the words that put it there.

Every ranker here returns the same shape (a Ranking of Hits), so the API can page and decorate them
the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..corpus.paper import date_key
from . import closeness
from .fusion import Meaning
from .index import Query
from .live_index import View
from .spelling import usual_spelling
from .tokenizer import stem, words

MATCHED_TERMS = 5
FILTER_DEPTH = 20_000  # a filtered ranking (since=, a bibliography) looks at most this far down


@dataclass(frozen=True)
class Hit:
    doc: int
    score: float
    matched_terms: list[tuple[str, float]]  # readable word, its share of the score
    meaning: float | None = None  # cosine of the paper's vector with the query's, when both have one
    closeness: int | None = None  # 0-100 on the corpus's own scale, 50 = a typical related pair (closeness.py)


@dataclass(frozen=True)
class Ranking:
    hits: list[Hit]
    query_terms: int  # distinct query terms the index knows


def related_papers(view: View, text: str, k: int, exclude_id: str | None = None, since: str | None = None,
                   keep=None, meaning: Meaning | None = None) -> Ranking:
    """The k papers whose BM25 score for `text` (a title and abstract) is highest, excluding the
    paper itself; with `since` (YYYY-MM-DD), among the papers published that day or later; with
    `keep` (a test of a document number), among the papers it accepts; with `meaning`, BM25's top
    candidates re-scored by closeness in meaning (ranking/fusion.py)."""
    exclude = view.papers.doc_of(exclude_id) if exclude_id else -1
    return _rank(view, text, k, exclude, since, keep, meaning)


def search_papers(view: View, q: str, k: int, since: str | None = None, meaning: Meaning | None = None) -> Ranking:
    return _rank(view, q, k, -1, since, meaning=meaning)


def _rank(view: View, text: str, k: int, exclude: int, since: str | None, keep=None,
          meaning: Meaning | None = None) -> Ranking:
    # One pass over the words gives both the tokens (exactly tokenize(text)) and their spellings.
    spelled = [(word, token) for word, token in zip(*_words_and_tokens(text)) if token]
    query = view.index.query([token for _, token in spelled])
    if since is not None:
        keep = _both(published_since(view, since), keep)
    return Ranking(ranked_hits(view, query, k, exclude, _spellings(spelled), keep, meaning), len(query.terms))


def _both(first, second):
    return first if second is None else (lambda doc: first(doc) and second(doc))


def published_since(view: View, since: str):
    """A test of a document number: published on `since` (YYYY-MM-DD) or later. A date given as a
    year or a month counts as its first day; a paper without a date never passes."""
    def keep(doc: int) -> bool:
        return date_key(view.papers.paper(doc).get("published")) >= since
    return keep


def ranked_hits(view: View, query: Query, k: int, exclude, surface: dict[str, str], keep=None,
                meaning: Meaning | None = None) -> list[Hit]:
    """The k best documents for `query` (Index.rank), each with the words that contributed most,
    spelled as `surface` (stem -> readable word) says; only documents `keep` accepts, when given.
    With `meaning`, the top candidates are re-scored with closeness in meaning and each hit carries
    its cosine; the matched words are computed for the k returned only."""
    depth = meaning.candidates(k) if meaning is not None else k
    docs, scores = view.index.rank(query, depth, exclude) if keep is None else _kept(view, query, depth, exclude, keep)
    cosines = [None] * len(docs)
    if meaning is not None:
        docs, scores, found = meaning.apply(view.papers, docs, scores, k)
        cosines = [None if np.isnan(c) else round(float(c), 4) for c in found.tolist()]
    hits = []
    typical = closeness.typical_share(view) if len(docs) else 0.0
    shown = [closeness.telling(view.index, int(t), token) for t, token in zip(query.term_ids.tolist(), query.terms)]
    for doc, score, cosine in zip(docs.tolist(), scores.tolist(), cosines):
        shares = view.index.contributions(query, doc)
        best = [j for j in np.argsort(-shares, kind="stable").tolist() if shares[j] > 0 and shown[j]][:MATCHED_TERMS]
        terms = [(surface.get(query.terms[j], query.terms[j]), float(shares[j])) for j in best]
        hits.append(Hit(doc, float(score), terms, cosine, closeness.closeness(closeness.share(view.index, query, score), typical)))
    return hits


def _kept(view: View, query: Query, k: int, exclude, keep) -> tuple[np.ndarray, np.ndarray]:
    """The k best documents that `keep` accepts: the best 4k, then 16k, ... until k of them pass,
    the ranking runs out, or FILTER_DEPTH documents were looked at (a filter almost nothing passes
    must not read a whole million-paper ranking): exactly the filtered top k whenever it lies within
    the FILTER_DEPTH most related documents."""
    want, verdicts = min(max(4 * k, 100), FILTER_DEPTH), {}

    def passes(doc: int) -> bool:
        if doc not in verdicts:
            verdicts[doc] = keep(doc)
        return verdicts[doc]

    while True:
        docs, scores = view.index.rank(query, want, exclude)
        chosen = [n for n, doc in enumerate(docs.tolist()) if passes(doc)]
        if len(chosen) >= k or len(docs) < want or want >= FILTER_DEPTH:
            chosen = chosen[:k]
            return docs[chosen], scores[chosen]
        want = min(4 * want, FILTER_DEPTH)


def surface_words(text: str) -> dict[str, str]:
    """Stem -> the word form used most often in `text`, so users see 'attention', not 'attent'."""
    ws, tokens = _words_and_tokens(text)
    return _spellings([(w, t) for w, t in zip(ws, tokens) if t])


def _words_and_tokens(text: str) -> tuple[list[str], list[str | None]]:
    ws = words(text)
    return ws, list(map(stem, ws))


def _spellings(spelled: list[tuple[str, str]]) -> dict[str, str]:
    """Stem -> its usual spelling among (word, stem) pairs."""
    forms: dict[str, Counter] = {}
    for word, token in spelled:
        forms.setdefault(token, Counter())[word] += 1
    return {token: usual_spelling(counts) for token, counts in forms.items()}
