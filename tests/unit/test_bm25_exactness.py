"""The engine's scores are rank_bm25.BM25Okapi's, to 1e-6 relative, on real text and edge cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from paperlens.ranking import tokenize
from paperlens.ranking.index import Index

from tests.corpus import demo_papers, FIXTURES

RTOL = 1e-6


def arxiv_texts(n: int = 3000) -> list[str]:
    with gzip.open(FIXTURES / "arxiv-cs-3000.jsonl.gz", "rt") as f:
        return [(lambda d: d["title"] + "\n" + d["abstract"])(json.loads(line)) for line in list(f)[:n]]


def assert_same_scores(index: Index, reference: BM25Okapi, tokens: list[str]) -> None:
    ours = index.scores(index.query(tokens))
    theirs = reference.get_scores(tokens)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-9)


@pytest.fixture(scope="module")
def real_corpus():
    texts = arxiv_texts()
    return texts, Index.build(texts), BM25Okapi([tokenize(t) for t in texts])


def test_long_queries_score_like_rank_bm25_on_real_abstracts(real_corpus):
    texts, index, reference = real_corpus
    for i in (0, 17, 1234, 2999):
        assert_same_scores(index, reference, tokenize(texts[i]))


def test_short_queries_score_like_rank_bm25(real_corpus):
    _, index, reference = real_corpus
    for q in ("graph neural networks", "diffusion", "reinforcement learning reward shaping", "LLM agents tool use"):
        assert_same_scores(index, reference, tokenize(q))


def test_query_terms_absent_from_the_corpus_add_nothing(real_corpus):
    _, index, reference = real_corpus
    tokens = tokenize("zyxwvut qwertyuiop transformer")
    assert "zyxwvut" in tokens
    assert_same_scores(index, reference, tokens)
    assert not index.scores(index.query(tokenize("zyxwvut qwertyuiop"))).any()


def test_repeated_query_terms_count_each_time(real_corpus):
    _, index, reference = real_corpus
    assert_same_scores(index, reference, tokenize("graph graph graph attention"))


def test_top_ten_is_rank_bm25_top_ten(real_corpus):
    texts, index, reference = real_corpus
    tokens = tokenize(texts[42])
    docs, scores = index.rank(index.query(tokens), 10)
    ref = reference.get_scores(tokens)
    expected = np.argsort(-ref, kind="stable")[:10]
    assert list(docs) == list(expected)
    np.testing.assert_allclose(scores, ref[expected], rtol=RTOL)


def test_seed_corpus_scores_like_rank_bm25():
    texts = [p.indexed_text for p in demo_papers()]
    index, reference = Index.build(texts), BM25Okapi([tokenize(t) for t in texts])
    for text in texts[::10]:
        assert_same_scores(index, reference, tokenize(text))


def test_negative_idf_terms_get_rank_bm25_epsilon_floor():
    # "common" is in 4 of 5 documents: its raw IDF is negative, so rank_bm25 uses 0.25 * mean IDF.
    docs = ["common alpha", "common beta beta", "common gamma", "common delta alpha", "epsilon zeta"]
    index, reference = Index.build(docs), BM25Okapi([tokenize(d) for d in docs])
    assert min(reference.idf.values()) > 0 and any(v == 0.25 * reference.average_idf for v in reference.idf.values())
    for q in ("common", "common alpha", "beta common common", "zeta"):
        assert_same_scores(index, reference, tokenize(q))


def test_idf_exactly_zero_is_kept():
    # a term in exactly half of an even corpus has IDF ln(2.5) - ln(2.5) = 0, which rank_bm25 keeps
    docs = ["half one", "half two", "three", "four"]
    index, reference = Index.build(docs), BM25Okapi([tokenize(d) for d in docs])
    assert_same_scores(index, reference, tokenize("half two"))


def test_papers_added_later_keep_scores_exact_for_the_whole_corpus(real_corpus):
    texts, _, _ = real_corpus
    first, second, third = texts[:2000], texts[2000:2600], texts[2600:]
    index = Index.build(first)
    index = index.with_documents(second, corpus_version=2, log_position=2600)
    index = index.with_documents(third, corpus_version=3, log_position=3000)
    assert len(index.segments) == 2  # main + one delta, rebuilt, never a chain
    reference = BM25Okapi([tokenize(t) for t in texts])
    for i in (5, 2100, 2999):
        assert_same_scores(index, reference, tokenize(texts[i]))


def test_empty_index_and_empty_query_return_nothing():
    index = Index.build([])
    assert index.rank(index.query(tokenize("anything")), 10)[0].size == 0
    index = Index.build(["some text here"])
    assert index.rank(index.query([]), 10)[0].size == 0


def test_ties_break_by_document_order():
    docs = ["shared token", "shared token", "other", "shared token", "more", "else", "again", "still"]
    index = Index.build(docs)
    assert list(index.rank(index.query(tokenize("shared token")), 3)[0]) == [0, 1, 3]


def test_only_positive_scores_are_results():
    # every term here is in most documents: rank_bm25's floor is then negative, and a negative
    # score means "less related than an empty match", so such documents are not results
    docs = ["shared token", "shared token", "other", "shared token"]
    index = Index.build(docs)
    scores = index.scores(index.query(tokenize("shared")))
    assert scores.max() == 0 and scores.min() < 0
    assert index.rank(index.query(tokenize("shared")), 3)[0].size == 0


def test_rank_leaves_out_one_or_many_excluded_documents(real_corpus):
    texts, index, reference = real_corpus
    tokens = tokenize(texts[42])
    ref = reference.get_scores(tokens)
    order = [int(d) for d in np.argsort(-ref, kind="stable")]
    assert list(index.rank(index.query(tokens), 5, 42)[0]) == [d for d in order if d != 42][:5]
    excluded = set(order[:3]) | {-1, 10**9}  # numbers outside the index are ignored
    assert list(index.rank(index.query(tokens), 5, excluded)[0]) == [d for d in order if d not in excluded][:5]
    assert list(index.rank(index.query(tokens), 5, np.array(order[:2]))[0]) == order[2:7]
    # the score buffer is reused: an exclusion never leaks into the next query
    assert list(index.rank(index.query(tokens), 5)[0]) == order[:5]


def test_saturation_is_the_g_table_rank_bm25_uses():
    from paperlens.ranking import bm25

    tf, dl = np.array([1.0, 3.0]), np.array([10.0, 40.0])
    assert bm25.saturation(tf, dl, 20.0).tolist() == (tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / 20.0))).tolist()
    assert bm25.g_table(np.array([1, 3]), np.array([10, 40]), 20.0).tolist() == bm25.saturation(tf, dl, 20.0).tolist()
