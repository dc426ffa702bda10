"""A snapshot built from a stream of papers in chunks is the index built in memory: same terms,
postings, lengths, bounds and papers, and the same rankings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from paperlens.ranking import postings, snapshot, snapshot_build, tokenize, top_k
from paperlens.ranking.index import Index, term_hash
from paperlens.ranking.vectors import VectorSource, VectorTable, quantize, unit_of

from .test_bm25_exactness import arxiv_texts


def papers_of(texts):
    return [(f"test:{i}", json.dumps({"id": f"test:{i}", "title": t[:40]}), t) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def texts():
    return arxiv_texts(2000)


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_snapshot_equals_the_index_built_in_memory(tmp_path, texts, workers, monkeypatch):
    monkeypatch.setattr(snapshot_build, "MERGE_POSTINGS", 3000)  # many merge ranges, some one term wide
    monkeypatch.setattr(postings, "RANGE_BITS", 7)  # 2-byte documents in ranges of 128 papers: 16 of them
    path = snapshot_build.build(tmp_path, iter(papers_of(texts)), corpus_version=7, log_position=2000,
                                workers=workers, chunk_docs=300)
    streamed, papers = snapshot.load(path)
    built = Index.build(texts)
    assert (streamed.corpus_version, streamed.log_position, streamed.n_docs) == (7, 2000, len(texts))
    np.testing.assert_array_equal(streamed.vocab.all_hashes(), built.vocab.all_hashes())
    np.testing.assert_array_equal(streamed.doc_len, built.doc_len)
    ours, theirs = streamed.segments[0], built.segments[0]
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    assert ours.range_bits == theirs.range_bits == 7
    for name in ("lows", "range_indptr", "range_ids", "range_starts"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    np.testing.assert_array_equal(ours.documents(), theirs.documents())
    # the skip array, taken as the merged postings went by, is every SKIP-th of them
    np.testing.assert_array_equal(ours.skip, theirs.skip)
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


def vector_source(vectors: dict, position: int, reads: list | None = None) -> VectorSource:
    """The filler's vectors as a snapshot build reads them: a batch of ids at a time."""
    def get_many(ids):
        if reads is not None:
            reads.append(len(ids))
        return [vectors.get(i) for i in ids]
    return VectorSource("test-model", 8, lambda: position, get_many)


def test_a_snapshot_holds_the_papers_vectors_in_document_order_and_answers_as_the_overlay_does(tmp_path, texts,
                                                                                               monkeypatch):
    monkeypatch.setattr(snapshot_build, "TOKENIZE_BATCH", 300)  # vectors read over several batches
    rng = np.random.default_rng(3)
    ids = [f"test:{i}" for i in range(len(texts))]
    vectors = {i: quantize(rng.standard_normal(8))[0] for n, i in enumerate(ids) if n % 7}  # every 7th has none
    reads = []
    path = snapshot_build.build(tmp_path, iter(papers_of(texts)), corpus_version=7, log_position=2000,
                                chunk_docs=500, vectors=vector_source(vectors, position=1500, reads=reads))
    _, papers = snapshot.load(path)
    mapped = papers.vectors
    assert reads == [300] * 6 + [200]  # one read per batch of papers, never one per paper
    assert (mapped.model, mapped.dim, mapped.covered, len(mapped)) == ("test-model", 8, 1500, len(vectors))
    assert isinstance(mapped.matrix, np.memmap)  # mapped from the file, shared by every worker
    with_vector = [n for n in range(len(ids)) if n % 7]
    np.testing.assert_array_equal(mapped.matrix, np.stack([vectors[ids[n]] for n in with_vector]))
    assert list(np.flatnonzero(mapped.doc_rows >= 0)) == with_vector

    # the same vectors held in a process's own table answer the same, number for number
    from_snapshot = VectorTable.empty(8, mapped)
    in_process = VectorTable.empty(8).with_vectors(np.array([term_hash(i) for i in vectors], np.uint64),
                                                   np.stack(list(vectors.values())), covered=1500)
    hashes = np.array([term_hash(i) for i in ids + ["test:elsewhere"]], np.uint64)
    query = unit_of(rng.standard_normal(8))
    np.testing.assert_array_equal(from_snapshot.cosines(query, hashes), in_process.cosines(query, hashes))
    assert np.isnan(from_snapshot.cosines(query, hashes)[[0, 7, 14, len(ids)]]).all()
    np.testing.assert_array_equal(from_snapshot.vector_of("test:1"), in_process.vector_of("test:1"))
    assert from_snapshot.vector_of("test:7") is None and len(from_snapshot) == len(vectors)
    assert from_snapshot.covered == 1500 and from_snapshot.overlay_size == 0

    # a vector that arrives later lives in the overlay, and wins over the snapshot's
    newer = quantize(rng.standard_normal(8))
    later = from_snapshot.with_vectors(np.array([term_hash("test:1"), term_hash("test:7")], np.uint64),
                                       np.stack([newer[0], newer[0]]), covered=1600)
    np.testing.assert_array_equal(later.vector_of("test:1"), unit_of(newer[0]))
    np.testing.assert_array_equal(later.vector_of("test:7"), unit_of(newer[0]))
    assert later.overlay_size == 2 and len(later) == len(vectors) + 1
    np.testing.assert_array_equal(later.vector_of("test:2"), from_snapshot.vector_of("test:2"))


def test_a_snapshots_vectors_cover_no_further_than_its_papers(tmp_path, texts):
    # the filler may be ahead of the snapshot: papers logged after it are the overlay's to load
    path = snapshot_build.build(tmp_path, iter(papers_of(texts[:50])), corpus_version=1, log_position=50,
                                vectors=vector_source({}, position=80))
    _, papers = snapshot.load(path)
    assert papers.vectors.covered == 50 and len(papers.vectors) == 0
    table = VectorTable.empty(8, papers.vectors)  # a paper without a vector: BM25 alone (a NaN cosine)
    assert np.isnan(table.cosines(unit_of(np.ones(8)), np.array([term_hash("test:1")], np.uint64))).all()
    assert table.covered == 50 and table.vector_of("test:1") is None


def test_a_snapshot_of_an_older_format_is_rebuilt_not_misread(tmp_path, texts):
    old = snapshot_build.build(tmp_path, iter(papers_of(texts[:50])), corpus_version=1, log_position=50)
    meta = json.loads((old / "meta.json").read_text())
    (old / "meta.json").write_text(json.dumps({**meta, "format": 3}))  # as format 3 wrote it: no vectors
    assert snapshot.latest(tmp_path) is None  # never loaded: the server builds a new one
    new = snapshot_build.build(tmp_path, iter(papers_of(texts[:50])), corpus_version=1, log_position=50)
    assert new == old and snapshot.latest(tmp_path) == new  # the new one takes the name
    assert json.loads((new / "meta.json").read_text())["format"] == snapshot.FORMAT
    # the same papers again, now with their vectors: a newer snapshot, not one discarded as a duplicate
    vectors = {f"test:{i}": quantize(np.ones(8))[0] for i in range(50)}
    with_vectors = snapshot_build.build(tmp_path, iter(papers_of(texts[:50])), corpus_version=1, log_position=50,
                                        vectors=vector_source(vectors, position=50))
    assert with_vectors != new and snapshot.latest(tmp_path) == with_vectors
    assert len(snapshot.load(with_vectors)[1].vectors) == 50


def test_a_snapshot_built_without_the_signal_holds_no_vectors(tmp_path, texts):
    path = snapshot_build.build(tmp_path, iter(papers_of(texts[:50])), corpus_version=1, log_position=50)
    assert snapshot.load(path)[1].vectors is None and not (path / "vectors.npy").exists()
