"""The headroom replay's count of open-phase postings (bench/pruning_headroom.py): one range over
the whole corpus must count what one bound per term counts, and finer ranges never more."""

from __future__ import annotations

import numpy as np

from bench.pruning_headroom import open_postings
from paperlens.ranking import tokenize
from paperlens.ranking.index import Index

from .test_bm25_exactness import arxiv_texts


def test_ranges_count_no_more_open_postings_than_one_bound_per_term():
    texts = arxiv_texts(400)
    index = Index.build(texts, workers=1)
    seg = index.segments[0]
    for text in texts[:5]:
        terms, weights, bounds = index._plan(seg, index.query(tokenize(text)))
        scores = np.sort(index.scores(index.query(tokenize(text))))[::-1]
        theta = scores[9]
        whole, one_range = open_postings(seg, index.g, terms, weights, bounds, theta, seg.n_docs)
        assert one_range == whole
        assert whole > 0
        counts = [open_postings(seg, index.g, terms, weights, bounds, theta, width)[1] for width in (64, 8, 1)]
        assert all(c <= whole for c in counts)
        assert counts[-1] < whole  # a range of one paper closes as soon as that paper cannot make it
