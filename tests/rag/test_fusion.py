"""Reciprocal rank fusion in plain Python."""

from __future__ import annotations

import pytest

from domainllm.rag.fusion import reciprocal_rank_fusion


def test_scores_are_sums_of_reciprocal_ranks():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)


def test_order_is_best_first_and_top_n_cuts():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "d", "c"]
    assert reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], top_n=2) == fused[:2]
    assert reciprocal_rank_fusion([["a"]], top_n=0) == []


def test_ties_keep_first_appearance_order():
    # x: ranks (1, 2); y: ranks (2, 1) -> equal scores; x is seen first (ranking 0, rank 1)
    assert [i for i, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]
    assert [i for i, _ in reciprocal_rank_fusion([["y", "x"], ["x", "y"]])] == ["y", "x"]
    # equal single votes from different lists: ranking 0's id first
    assert [i for i, _ in reciprocal_rank_fusion([["p"], ["q"]])] == ["p", "q"]


def test_small_k_rewards_top_ranks_more():
    rankings = [["a", "b", "c", "d"], ["d", "c", "b", "a"], ["a", "x", "y", "z"]]
    assert reciprocal_rank_fusion(rankings, k=0)[0][0] == "a"
    assert reciprocal_rank_fusion(rankings, k=0)[0][1] == pytest.approx(1 + 1 / 4 + 1)


def test_duplicates_inside_a_ranking_count_once_and_empty_inputs_work():
    assert dict(reciprocal_rank_fusion([["a", "a", "b"]]))["a"] == pytest.approx(1 / 61)
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []


def test_bad_arguments():
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], top_n=-1)
    with pytest.raises(TypeError):
        reciprocal_rank_fusion(["abc"])
