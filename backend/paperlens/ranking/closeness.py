"""How close a related paper is, on a scale that means the same for every query: 0-100, where 50 is
as close as a typical related pair of this corpus, and which words are shown as the evidence.

A BM25 score grows with the query's length, so "the top hit" is no yardstick (an off-topic paper
whose best hit shares one word would show 100%). Dividing a score by what the query's own text would
score as a document (a paper against itself) gives a share that compares across queries; the
corpus's own related pairs then say what share is typical: the median share of the 10 best hits of
a sample of its papers. No I/O: the caller hands in the index view.
"""

from __future__ import annotations

import json
import threading

import numpy as np

from . import bm25
from .index import Index, Query
from .tokenizer import stem, tokenize

SAMPLE = 64  # papers whose related lists calibrate the scale
TYPICAL_FALLBACK = 0.05  # a corpus too small to sample: about what small real corpora give
COMMON = 0.2  # a word in more than this share of the papers is no evidence of closeness

# Words that carry no topic, though not stop words for ranking (scores stay exactly BM25's): they
# are never shown as the reason a paper is related.
FILLER = frozenset("""
although also approach approaches based better best can challenge challenges common current data
demonstrate demonstrates despite different due effective efficient even existing experiment
experiments first furthermore given good however improve improved improves improving include
includes including introduce introduces large less like many may method methods model models moreover
much need needs new novel often one paper performance present presents problem problems propose
proposed proposes provide provides recent recently result results second several show shown shows
significant significantly small still study studies task tasks three thus two use used uses using
various via well whereas whether while within without work works yet
""".split())
FILLER_STEMS = frozenset(s for s in map(stem, FILLER) if s)

_typical: dict[int, float] = {}
_lock = threading.Lock()


def ceiling(index: Index, query: Query) -> float:
    """What the query's own text would score as a document of this corpus: the score of a paper
    against itself, the natural "as close as can be" (a longer query has a higher one, as its hits do)."""
    weights = np.asarray(query.weights, dtype=np.float64)
    if not len(weights):
        return 0.0
    idf = index.idf[query.term_ids]
    counts = np.where(idf > 0, np.rint(weights / np.where(idf > 0, idf, 1.0)), 0.0)  # weights are idf x count
    length = counts.sum()
    if length <= 0 or index.avgdl <= 0:
        return 0.0
    norm = bm25.K1 * (1.0 - bm25.B + bm25.B * length / index.avgdl)
    own = weights * counts * (bm25.K1 + 1.0) / (counts + norm)
    return float(own[own > 0].sum())


def share(index: Index, query: Query, score: float) -> float:
    top = ceiling(index, query)
    return min(1.0, score / top) if top > 0 else 0.0


def closeness(share_of_ceiling: float, typical: float) -> int:
    """0-100: 50 at the corpus's typical related share, rising towards 100, never past it."""
    if share_of_ceiling <= 0:
        return 0
    return int(round(100.0 * share_of_ceiling / (share_of_ceiling + typical)))


def typical_share(view) -> float:
    """The median share of the 10 best related hits over a sample of the view's papers, computed
    once per main segment (a new snapshot is a new segment) and kept for the process."""
    index = view.index
    key = id(index.segments[0]) if index.segments else 0
    with _lock:
        if key in _typical:
            return _typical[key]
    found = _measure(view)
    with _lock:
        _typical[key] = found
    return found


def _measure(view) -> float:
    index = view.index
    main = index.segments[0].n_docs if index.segments else 0
    if main < 30:
        return TYPICAL_FALLBACK
    shares = []
    for doc in np.linspace(0, main - 1, num=min(SAMPLE, main), dtype=np.int64).tolist():
        record = json.loads(view.papers.raw(doc))
        query = index.query(tokenize(f"{record.get('title') or ''} {record.get('abstract') or ''}"))
        top = ceiling(index, query)
        if top <= 0:
            continue
        _, scores = index.rank(query, 10, exclude=doc)
        shares.extend((scores / top).tolist())
    return float(np.median(shares)) if shares else TYPICAL_FALLBACK


def telling(index: Index, term_id: int, token: str) -> bool:
    """Whether a matched word is worth showing: not a number, not filler, not in most papers."""
    if token.isdigit() or token in FILLER_STEMS:
        return False
    n = index.n_docs
    return n < 50 or index.df[term_id] <= COMMON * n
