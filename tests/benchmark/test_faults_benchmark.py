"""Issue #23 (b, e, l): report keys hash what the reports depend on, not ids; the F1 target is not
"met" at 0 / 0; a corrupt cached result is named and recomputed; ``--fresh`` replaces it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from domainllm.benchmark import systems
from domainllm.benchmark.rag_targets import f1_verdict
from domainllm.benchmark.systems import SYSTEMS_BY_NAME, benchmark_questions, report_key
from domainllm.cli.commands import main
from domainllm.config import Settings
from domainllm.files import read_json_cache

SPEC = SYSTEMS_BY_NAME["closed_book"]


def _key(questions, corpus: str = "corpus-a", weights: str = "weights-a") -> str:
    return report_key(SPEC, None, "test_fresh", questions, Settings(), corpus, weights)


@pytest.fixture(scope="module")
def questions():
    return benchmark_questions(Settings())["test_fresh"]


@pytest.mark.parametrize(
    "change",
    [{"question": "Something else entirely?"}, {"answer": "ninety days"}, {"aliases": ("90 days",)}],
    ids=["question-text", "gold-answer", "aliases"],
)
def test_report_key_changes_with_the_question_content_under_the_same_id(questions, change: dict) -> None:
    edited = [dataclasses.replace(questions[0], **change), *questions[1:]]
    assert [q.id for q in edited] == [q.id for q in questions]
    assert _key(edited) != _key(questions)


def test_report_key_changes_with_the_corpus_and_the_weights(questions) -> None:
    assert _key(questions, corpus="corpus-b") != _key(questions)
    assert _key(questions, weights="weights-b") != _key(questions)


@pytest.fixture(scope="module")
def seed_one_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed1") / "data"
    assert main(["corpus", "generate", "--out", str(out), "--seed", "1"]) == 0
    return out


def test_a_corpus_generated_with_another_seed_never_shares_report_keys(
    seed_one_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: with --seed 1, 9 of 12 base-system reports came back from the default corpus."""
    default = benchmark_questions(Settings())
    default_keys = {s: report_key(SPEC, None, s, qs, Settings(), weights="w") for s, qs in default.items()}
    monkeypatch.setenv("DOMAINLLM_CORPUS", str(seed_one_corpus))
    from domainllm.corpus.questions import load_questions

    # the same question ids in the other corpus (ids are numbered the same way in every generation)
    by_id = {split: {q.id: q for q in load_questions(split)} for split in default}
    other = {split: [by_id[split][q.id] for q in qs if q.id in by_id[split]] for split, qs in default.items()}
    same_ids = [s for s in other if other[s] and [q.id for q in other[s]] == [q.id for q in default[s]]]
    assert same_ids, "the ids coincide across seeds: the case the issue reports"
    for split, qs in other.items():
        if qs:
            assert report_key(SPEC, None, split, qs, Settings(), weights="w") != default_keys[split]


def _estimate(values: list[float]) -> dict[str, float]:
    mean = sum(values) / len(values)
    return {"mean": mean, "low": min(values), "high": max(values), "n": len(values)}


def _pipelines(naive: list[float], best: list[float]) -> dict:
    return {
        "pipelines": {
            name: {"metrics": {"f1": _estimate(f1)}, "per_question": {"f1": f1}}
            for name, f1 in (("naive_rag", naive), ("advanced_rag", best))
        }
    }


def test_f1_target_is_not_met_when_both_score_zero() -> None:
    verdict = f1_verdict(_pipelines([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]))
    assert verdict.ok is False and "undefined" in verdict.measured


def test_f1_target_over_a_naive_zero_is_met_by_any_gain_without_dividing_by_zero() -> None:
    verdict = f1_verdict(_pipelines([0.0, 0.0, 0.0], [0.5, 0.5, 0.0]))
    assert verdict.ok is True and "inf" not in verdict.measured


@pytest.fixture()
def cached_benchmark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    runs: list[int] = []

    def run(settings=None, names=None, questions=None, summarize=True):
        runs.append(summarize)
        return {"run": len(runs), "results": {}}

    monkeypatch.setattr(systems, "benchmark_key", lambda *args: "k")
    monkeypatch.setattr(systems, "run_benchmark", run)
    return {"path": tmp_path / "results" / "benchmark-k.json", "runs": runs}


def test_truncated_benchmark_result_is_named_and_recomputed(cached_benchmark: dict) -> None:
    path = cached_benchmark["path"]
    path.parent.mkdir(parents=True)
    path.write_text('{"run": 0, "results": {"closed_b')
    with pytest.warns(UserWarning, match=str(path)):
        result = systems.load_or_run_benchmark()
    assert result["run"] == 1 and json.loads(path.read_text())["run"] == 1


def test_a_run_without_summaries_is_asked_for_and_cached_apart(
    cached_benchmark: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(systems, "benchmark_key", lambda *args: f"k{args[-1]}")
    assert systems.load_or_run_benchmark(summarize=False)["run"] == 1
    assert systems.load_or_run_benchmark()["run"] == 2  # not the answers-only run's file
    assert cached_benchmark["runs"] == [False, True]


def test_the_live_check_run_summarizes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The book's live check compares answers; its systems write no summaries (the committed ones are shown)."""
    monkeypatch.setattr(systems, "trained_adapters", lambda *args: {})
    monkeypatch.setattr(systems, "evaluate_system", lambda spec, *args: {"n": 0})
    monkeypatch.setattr(systems, "summarize_with_system", lambda *args: pytest.fail("summarized"))
    bench = systems.run_benchmark(systems=["closed_book"], questions={"dev": []}, summarize=False)
    assert bench["summaries"] == {} and bench["config"]["summary_ids"] == []
    assert bench["results"] == {"closed_book": {"n": 0}}


def test_fresh_runs_again_and_rewrites_the_cached_result(cached_benchmark: dict) -> None:
    path = cached_benchmark["path"]
    assert systems.load_or_run_benchmark()["run"] == 1
    assert systems.load_or_run_benchmark()["run"] == 1  # cached
    assert systems.load_or_run_benchmark(fresh=True)["run"] == 2
    assert json.loads(path.read_text())["run"] == 2


@pytest.mark.parametrize("text", ['{"n": 3, "metr', "[1, 2]", ""], ids=["cut", "not-an-object", "empty"])
def test_corrupt_report_file_counts_as_missing_with_a_warning_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.warns(UserWarning, match=str(path)):
        assert read_json_cache(path) is None
