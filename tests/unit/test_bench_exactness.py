"""The benchmark's exactness checker: it must catch a wrong score and a wrong top 10."""

from __future__ import annotations

import numpy as np
import pytest

from bench.exactness import max_relative_difference, top10_agreement


def test_equal_scores_differ_by_nothing():
    scores = np.array([0.0, 1.5, 2.25, 0.0])
    assert max_relative_difference(scores, scores.copy()) == 0.0


def test_relative_difference_is_measured_against_the_reference():
    assert max_relative_difference(np.array([1.0, 2.0 + 2e-6]), np.array([1.0, 2.0])) == pytest.approx(1e-6, rel=1e-6)


def test_a_score_where_the_reference_has_none_counts_as_fully_wrong():
    assert max_relative_difference(np.array([0.5, 1.0]), np.array([0.0, 1.0])) == 1.0


def test_top10_agreement_counts_overlap_and_identical_lists():
    ref = [{"docs": [1, 2, 3], "scores": [3.0, 2.0, 1.0]}, {"docs": [4, 5], "scores": [2.0, 1.0]}]
    ours = [{"docs": [1, 2, 3], "scores": [3.0, 2.0, 1.0]}, {"docs": [4, 9], "scores": [2.0, 1.0]}]
    result = top10_agreement(ours, ref)
    assert result["identical_lists"] == 1
    assert result["mean_overlap"] == (1.0 + 0.5) / 2


def test_lists_differing_only_inside_exact_ties_count_as_identical():
    ref = [{"docs": [7, 3, 1], "scores": [2.0, 2.0, 1.0]}]
    ours = [{"docs": [3, 7, 1], "scores": [2.0, 2.0, 1.0]}]
    assert top10_agreement(ours, ref)["identical_lists"] == 1
