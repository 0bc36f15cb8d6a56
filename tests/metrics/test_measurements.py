"""Summaries of repeated measurements: percentiles, run-to-run spread, where a curve crosses a target."""

from __future__ import annotations

import pytest

from domainllm.metrics.measurements import crossing_point, describe, latency_ms, spread


def test_describe_percentiles_are_linearly_interpolated() -> None:
    summary = describe([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert summary["n"] == 10 and summary["mean"] == 5.5
    assert summary["p50"] == pytest.approx(5.5)
    assert summary["p95"] == pytest.approx(9.55)
    assert (summary["min"], summary["max"]) == (1, 10)


def test_latency_ms_converts_seconds() -> None:
    assert latency_ms([0.001, 0.003])["p50"] == pytest.approx(2.0)


def test_describe_refuses_nothing() -> None:
    with pytest.raises(ValueError, match="at least one"):
        describe([])


def test_spread_is_range_over_mean() -> None:
    result = spread([90.0, 110.0])
    assert result["runs"] == [90.0, 110.0] and result["mean"] == 100.0
    assert result["relative"] == pytest.approx(0.2)
    assert spread([5.0])["relative"] == 0.0


def test_crossing_point_interpolates_on_log_axes() -> None:
    crossing = crossing_point([10, 1000], [1.0, 100.0], 10.0)
    assert crossing == {"size": pytest.approx(100.0), "how": "interpolated"}


def test_crossing_point_extrapolates_along_the_last_power_law() -> None:
    crossing = crossing_point([100, 10, 1000], [2.0, 1.0, 4.0], 16.0)  # unsorted on purpose
    assert crossing is not None and crossing["how"] == "extrapolated"
    assert crossing["size"] == pytest.approx(100_000.0)


def test_crossing_point_edge_cases() -> None:
    assert crossing_point([10, 100], [30.0, 40.0], 20.0) == {
        "size": 10.0,
        "how": "at or below the smallest size",
    }
    assert crossing_point([10, 100], [5.0, 4.0], 20.0) is None
    with pytest.raises(ValueError):
        crossing_point([0, 10], [1.0, 2.0], 5.0)
