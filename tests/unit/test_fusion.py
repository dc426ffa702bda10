"""Fusion of BM25 and closeness in meaning (ranking/fusion.py) and the vector table
(ranking/vectors.py): pure arrays, no Redis, no model."""

from __future__ import annotations

import numpy as np

from paperlens.ranking.fusion import fuse, fused_scores, zscores
from paperlens.ranking.index import term_hash
from paperlens.ranking.vectors import VectorTable, quantize, unit_of


def test_zscores_put_each_signal_on_a_common_scale_and_leave_missing_values_at_the_mean():
    z = zscores(np.array([1.0, 2.0, 3.0, np.nan]))
    assert np.allclose(z[:3], [-1.224745, 0.0, 1.224745]) and z[3] == 0.0
    assert np.all(zscores(np.array([5.0, 5.0])) == 0.0)  # no spread: no information
    assert np.all(zscores(np.array([np.nan, 1.0])) == 0.0)  # one value alone does not spread


def test_the_mix_is_weight_a_on_bm25_and_the_rest_on_meaning():
    bm25, cos = np.array([10.0, 8.0, 6.0]), np.array([0.1, 0.5, 0.9])
    assert np.allclose(fused_scores(bm25, cos, 1.0), zscores(bm25))
    assert np.allclose(fused_scores(bm25, cos, 0.0), zscores(cos))
    assert list(fuse(bm25, cos, 1.0).order) == [0, 1, 2]
    assert list(fuse(bm25, cos, 0.0).order) == [2, 1, 0]
    assert list(fuse(bm25, cos, 0.3).order) == [2, 1, 0]  # 0.3*z(bm25) + 0.7*z(cos)


def test_a_paper_without_a_vector_is_ranked_by_its_bm25_score_alone():
    bm25, cos = np.array([9.0, 7.0, 5.0, 3.0]), np.array([0.2, np.nan, 0.9, 0.1])
    fused = fused_scores(bm25, cos, 0.5)
    assert np.isclose(fused[1], 0.5 * zscores(bm25)[1])  # its meaning counts as the mean
    assert np.all(np.isfinite(fused))


def test_int8_vectors_keep_cosines_within_a_hundredth():
    rng = np.random.default_rng(1)
    v = rng.standard_normal((50, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    q = quantize(v)
    assert q.dtype == np.int8 and np.abs(q).max() == 127
    exact = v @ v[0]
    table = VectorTable.empty(384).with_vectors(np.arange(50, dtype=np.uint64), q, covered=50)
    assert np.abs(table.cosines(v[0], np.arange(50, dtype=np.uint64)) - exact).max() < 0.01
    assert np.allclose(np.linalg.norm(unit_of(q[3])), 1.0)


def test_the_table_answers_by_paper_id_and_a_newer_vector_replaces_an_older_one():
    a, b = quantize(np.eye(4, dtype=np.float32)[:2])
    first = VectorTable.empty(4).with_vectors(np.array([term_hash("arxiv:1"), term_hash("arxiv:2")], np.uint64),
                                              np.stack([a, b]), covered=2)
    second = first.with_vectors(np.array([term_hash("arxiv:1")], np.uint64), np.stack([b]), covered=3)
    assert np.allclose(first.vector_of("arxiv:1"), [1, 0, 0, 0]) and first.vector_of("arxiv:9") is None
    assert np.allclose(second.vector_of("arxiv:1"), [0, 1, 0, 0]) and len(second) == 2
    assert np.allclose(first.vector_of("arxiv:1"), [1, 0, 0, 0])  # a table never changes under a request
    hashes = np.array([term_hash("arxiv:2"), term_hash("nope")], np.uint64)
    cos = second.cosines(np.array([0, 1, 0, 0], np.float32), hashes)
    assert np.isclose(cos[0], 1.0) and np.isnan(cos[1])
    # an older table that grows again does not disturb the newer one's rows
    other = first.with_vectors(np.array([term_hash("arxiv:3")], np.uint64), np.stack([a]), covered=3)
    assert np.allclose(second.vector_of("arxiv:1"), [0, 1, 0, 0]) and np.allclose(other.vector_of("arxiv:3"), [1, 0, 0, 0])


def test_the_api_documents_the_depth_the_fusion_uses():
    from paperlens import schemas
    from paperlens.ranking import fusion

    assert schemas.FUSION_DEPTH == fusion.DEPTH
