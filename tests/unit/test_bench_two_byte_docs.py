"""bench/two_byte_docs.py: both layouts of a query's lists must add up to the same scores, and to
the index's own scores for those terms."""

from __future__ import annotations

import numpy as np

from bench.two_byte_docs import layout, scan2, scan4
from paperlens.ranking import bm25, tokenize
from paperlens.ranking.index import Index

from .test_bm25_exactness import arxiv_texts


def test_two_byte_documents_give_the_same_scores():
    texts = arxiv_texts(400)
    index = Index.build(texts, workers=1)
    seg = index.segments[0]
    for text in texts[:5]:
        terms, weights, _ = index._plan(seg, index.query(tokenize(text)))
        for span in (64, 256):  # several ranges over 400 papers
            d32, d16, codes, off = layout(seg, terms, span)
            assert len(d32) == sum(int(seg.indptr[t + 1] - seg.indptr[t]) for t in terms) > 0
            four, two = np.zeros(seg.n_docs), np.zeros(seg.n_docs)
            scan4(four, d32, codes, index.g, off, weights)
            scan2(two, d16, codes, index.g, off, weights, span)
            assert np.array_equal(four, two)
            expected = np.zeros(seg.n_docs)
            bm25.accumulate(expected, 0, seg.lists, terms, weights, index.g)
            assert np.allclose(four, expected, rtol=1e-12, atol=0)
            assert np.count_nonzero(four) > 0
