"""A snapshot built from a stream of papers in chunks is the index built in memory: same terms,
postings, lengths, bounds and papers, and the same rankings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from paperlens.ranking import snapshot, snapshot_build, tokenize, top_k
from paperlens.ranking.index import Index

from .test_bm25_exactness import arxiv_texts


def papers_of(texts):
    return [(f"test:{i}", json.dumps({"id": f"test:{i}", "title": t[:40]}), t) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def texts():
    return arxiv_texts(2000)


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_snapshot_equals_the_index_built_in_memory(tmp_path, texts, workers, monkeypatch):
    monkeypatch.setattr(snapshot_build, "MERGE_POSTINGS", 3000)  # many merge ranges, some one term wide
    path = snapshot_build.build(tmp_path, iter(papers_of(texts)), corpus_version=7, log_position=2000,
                                workers=workers, chunk_docs=300)
    streamed, papers = snapshot.load(path)
    built = Index.build(texts)
    assert (streamed.corpus_version, streamed.log_position, streamed.n_docs) == (7, 2000, len(texts))
    np.testing.assert_array_equal(streamed.vocab.all_hashes(), built.vocab.all_hashes())
    np.testing.assert_array_equal(streamed.doc_len, built.doc_len)
    ours, theirs = streamed.segments[0], built.segments[0]
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.docs, theirs.docs)
    # pair codes are numbered in another order; the (tf, length) pairs they stand for are the same
    np.testing.assert_array_equal(streamed.pairs.tf[ours.codes], built.pairs.tf[theirs.codes])
    np.testing.assert_array_equal(streamed.pairs.dl[ours.codes], built.pairs.dl[theirs.codes])
    every_term = np.arange(len(built.vocab))
    np.testing.assert_array_equal(
        top_k.term_bounds(every_term, np.ones(len(every_term)), ours.bound_indptr, ours.bound_codes, streamed.g),
        top_k.term_bounds(every_term, np.ones(len(every_term)), theirs.bound_indptr, theirs.bound_codes, built.g),
    )
    for doc in (0, 299, 300, 1999):
        assert papers.doc_of(f"test:{doc}") == doc
        assert papers.paper(doc)["title"] == texts[doc][:40]
        query = tokenize(texts[doc])
        a, b = streamed.rank(streamed.query(query), 10, doc), built.rank(built.query(query), 10, doc)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_allclose(a[1], b[1], rtol=1e-12)


def test_an_empty_corpus_gives_an_empty_snapshot(tmp_path):
    path = snapshot_build.build(tmp_path, iter([]), corpus_version=0, log_position=0)
    index, papers = snapshot.load(path)
    assert index.n_docs == 0 and len(papers) == 0
    assert index.rank(index.query(["anything"]), 10)[0].size == 0


def test_a_failed_build_leaves_no_partial_snapshot(tmp_path, texts):
    def failing():
        yield from papers_of(texts[:500])
        raise RuntimeError("the stream broke")

    with pytest.raises(RuntimeError):
        snapshot_build.build(tmp_path, failing(), corpus_version=1, log_position=1, chunk_docs=100)
    assert list(tmp_path.iterdir()) == []
    assert snapshot.latest(tmp_path) is None
