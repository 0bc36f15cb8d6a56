"""Lab 9's committed full-size results: stale fingerprints and live estimates outside the committed
intervals fail the build, with the command that refreshes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.benchmark import committed
from domainllm.benchmark.committed import (
    BOOK_BUILD,
    REFRESH,
    LiveCheckError,
    StaleResultsError,
    code_digest,
    live_check,
    load_committed,
    system_fingerprints,
)


@pytest.fixture(autouse=True)
def _in_the_book_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BOOK_BUILD, "1")  # stale results stop the build (outside it, a lab runs live)


def test_the_code_digest_follows_the_answering_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "reader.py").write_text("THRESHOLD = -5.0\n")
    monkeypatch.setattr(committed, "ANSWER_CODE", ("pkg",))
    before = code_digest(tmp_path)
    assert code_digest(tmp_path) == before
    (tmp_path / "pkg" / "reader.py").write_text("THRESHOLD = -4.0\n")
    assert code_digest(tmp_path) != before


def test_missing_or_stale_results_name_the_refresh_command(tmp_path: Path) -> None:
    path = tmp_path / "benchmark.json"
    with pytest.raises(StaleResultsError, match="bench all --save"):
        load_committed(path)
    now = system_fingerprints(["closed_book"])
    path.write_text(json.dumps({"fingerprints": now, "bench": {}}))
    assert load_committed(path)["fingerprints"] == now
    path.write_text(json.dumps({"fingerprints": {"closed_book": "computed-by-other-code"}, "bench": {}}))
    with pytest.raises(StaleResultsError) as error:
        load_committed(path)
    assert "closed_book" in str(error.value) and REFRESH in str(error.value)


def test_fingerprints_differ_between_systems_and_settings() -> None:
    from domainllm.config import Settings

    prints = system_fingerprints(["closed_book", "naive_rag"], Settings())
    assert prints["closed_book"] != prints["naive_rag"]
    assert system_fingerprints(["closed_book"], Settings(seed=1))["closed_book"] != prints["closed_book"]
    assert system_fingerprints(["closed_book"], Settings(scale=2))["closed_book"] == prints["closed_book"]


def _bench(ids: list[str], scores: list[float]) -> dict:
    report = {"per_question": {"accuracy": scores}}
    return {"config": {"question_ids": {"dev": ids}}, "results": {"compressed_rag": {"dev": report}}}


def test_a_live_estimate_outside_the_committed_interval_fails() -> None:
    record = {"bench": _bench([f"q{i}" for i in range(16)], [1.0] * 8 + [0.0] * 8)}
    rows = live_check(_bench(["q0", "q1", "q8", "q9"], [1.0, 1.0, 0.0, 0.0]), record)
    assert rows[0]["within"] and rows[0]["live"] == 0.5  # same answers as committed
    with pytest.raises(LiveCheckError, match="compressed_rag on dev"):
        live_check(_bench(["q0", "q1", "q2", "q3", "q4", "q5"], [0.0] * 6), record)  # committed 6 of 6 right


def test_outside_the_book_build_stale_results_are_reported_and_the_lab_runs_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(BOOK_BUILD)
    path = tmp_path / "benchmark.json"
    assert load_committed(path) is None
    assert "No committed benchmark" in capsys.readouterr().out
    path.write_text(json.dumps({"fingerprints": {"closed_book": "computed-by-other-code"}, "bench": {}}))
    assert load_committed(path) is None
    printed = capsys.readouterr().out
    assert REFRESH in printed and "runs live" in printed
