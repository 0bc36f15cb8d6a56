"""The exact half of the dense search benchmark: brute-force top-k, seeded vectors and queries, agreement."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.benchmark.dense_search import (
    near_queries,
    synthetic_unit_vectors,
    top_k_agreement,
)
from domainllm.rag.ann import brute_force_top_k


def test_brute_force_top_k_ranks_by_cosine_not_length() -> None:
    corpus = np.array([[10.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0]])
    top = brute_force_top_k(corpus, np.array([1.0, 0.1]), k=3)
    assert top.tolist() == [[0, 2, 1]]  # the long row 0 wins on angle, not on length


def test_brute_force_top_k_breaks_ties_by_index_and_caps_k() -> None:
    corpus = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    assert brute_force_top_k(corpus, np.array([[1.0, 0.0]]), k=2).tolist() == [[0, 1]]
    assert brute_force_top_k(corpus, np.array([[0.0, 1.0]]), k=10).shape == (1, 3)


def test_brute_force_top_k_matches_a_full_sort() -> None:
    corpus = synthetic_unit_vectors(300, 16, seed=3)
    queries = near_queries(corpus, 7, seed=4)
    expected = np.argsort(-(queries @ corpus.T), axis=1, kind="stable")[:, :5]
    assert (brute_force_top_k(corpus, queries, 5, normalized=True) == expected).all()


def test_brute_force_top_k_checks_its_input() -> None:
    with pytest.raises(ValueError, match="k must be positive"):
        brute_force_top_k(np.eye(2), np.eye(2), 0)
    with pytest.raises(ValueError, match="dimensions differ"):
        brute_force_top_k(np.eye(2), np.eye(3), 1)


def test_near_queries_find_their_source_row() -> None:
    corpus = synthetic_unit_vectors(500, 64, seed=0)
    rng = np.random.default_rng(1)
    rows = rng.choice(500, size=20, replace=False)
    queries = near_queries(corpus, 20, seed=1)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert brute_force_top_k(corpus, queries, 1)[:, 0].tolist() == rows.tolist()


def test_top_k_agreement_counts_sets_orders_and_overlap() -> None:
    result = top_k_agreement([[1, 2], [3, 4], [5, 6]], [[1, 2], [4, 3], [5, 7]])
    assert result["same_set"] == pytest.approx(2 / 3)
    assert result["same_order"] == pytest.approx(1 / 3)
    assert result["overlap"] == pytest.approx((1 + 1 + 0.5) / 3)
