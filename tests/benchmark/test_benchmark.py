"""The benchmark's bookkeeping: systems, samples, cache keys, tables and paired comparisons."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domainllm.benchmark.benchmark_report import results_table, split_chart_data
from domainllm.benchmark.comparisons import HEADLINE_METRIC
from domainllm.benchmark.systems import (
    BENCH_SPLITS,
    SYSTEMS,
    SYSTEMS_BY_NAME,
    benchmark_questions,
    benchmark_summaries,
    comparisons,
    questions_per_split,
    report_key,
)
from domainllm.config import Settings
from domainllm.finetune.adapters import TrainingRun


def _report(scores: list[float]) -> dict:
    mean = sum(scores) / len(scores)
    return {
        "n": len(scores),
        "metrics": {HEADLINE_METRIC: {"mean": mean, "low": mean - 0.1, "high": mean + 0.1, "n": len(scores)}},
        "per_question": {HEADLINE_METRIC: scores},
    }


def test_seven_systems_cover_rag_fine_tuning_and_both() -> None:
    flags = {s.name: (s.retrieval, s.fine_tuned) for s in SYSTEMS}
    assert flags == {
        "closed_book": (False, False),
        "naive_rag": (True, False),
        "compressed_rag": (True, False),
        "span_reader_rag": (True, True),  # the reader is a fine-tuned MiniLM (lab 4b)
        "sft_closed_book": (False, True),
        "raft_rag": (True, True),
        "raft_dpo_rag": (True, True),
    }


def test_samples_are_seeded_and_scale_with_the_setting() -> None:
    assert questions_per_split(Settings(scale=2)) == 2 * questions_per_split(Settings())
    first, again = benchmark_questions(Settings()), benchmark_questions(Settings())
    assert list(first) == list(BENCH_SPLITS)
    assert {s: [q.id for q in qs] for s, qs in first.items()} == {
        s: [q.id for q in qs] for s, qs in again.items()
    }
    assert all(q.split == split for split, qs in first.items() for q in qs)


def test_summary_sample_is_seeded_and_scales_with_the_setting() -> None:
    first = benchmark_summaries(Settings())
    assert first == benchmark_summaries(Settings()) and len(first) == 4
    assert len(benchmark_summaries(Settings(scale=2))) == 8
    assert len({s.doc_id for s in first}) == len(first)


def test_report_key_changes_with_adapter_questions_and_settings() -> None:
    from domainllm.finetune.adapters import TrainedAdapter

    questions = benchmark_questions(Settings())["test_fresh"]
    spec = SYSTEMS_BY_NAME["raft_rag"]
    run = TrainingRun("sft-raft", "sft", "abc")
    adapter = TrainedAdapter(run.folder(), run, {})
    other = TrainedAdapter(run.folder(), dataclasses.replace(run, max_steps=99), {})
    key = report_key(spec, adapter, "test_fresh", questions, Settings())
    assert key == report_key(spec, adapter, "test_fresh", questions, Settings())
    assert key != report_key(spec, other, "test_fresh", questions, Settings())
    assert key != report_key(spec, adapter, "test_fresh", questions[:-1], Settings())
    assert key != report_key(spec, adapter, "test_fresh", questions, Settings(seed=1))


def test_tables_and_paired_comparisons_from_results() -> None:
    results = {
        "closed_book": {split: _report([0.0, 0.1, 0.0, 0.1]) for split in BENCH_SPLITS},
        "compressed_rag": {split: _report([0.5, 0.6, 0.4, 0.5]) for split in BENCH_SPLITS},
    }
    table = results_table(results)
    assert list(table.index) == ["Base model, closed-book", "Advanced RAG (compressed)"]
    assert table.loc["Advanced RAG (compressed)", "test_fresh"].startswith("0.500 [0.400, 0.600]")
    chart = split_chart_data(results)
    assert chart["train"]["Advanced RAG (compressed)"].mean == pytest.approx(0.5)
    rows = comparisons(results)
    assert [(r["a"], r["b"], r["split"]) for r in rows] == [
        ("closed_book", "compressed_rag", split) for split in BENCH_SPLITS[1:]
    ]
    assert all(r["diff"] == pytest.approx(0.45) and r["low"] > 0 for r in rows)


def test_micro_batches_must_divide_the_batch() -> None:
    run = TrainingRun("x", "sft", "d", batch_size=4, micro_batch_size=2)
    assert run.accumulation_steps == 2
    with pytest.raises(ValueError, match="divisor"):
        TrainingRun("x", "sft", "d", batch_size=4, micro_batch_size=3)


def test_own_labels_change_the_training_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from domainllm.finetune.feedback import LabelLog
    from domainllm.finetune.finetuned import EXAMPLE_LABELS, labels_file, my_labels_path, training_fingerprint

    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    assert labels_file() == EXAMPLE_LABELS
    before = training_fingerprint()
    example = LabelLog(EXAMPLE_LABELS).load()[0]
    LabelLog(my_labels_path()).append(example)
    assert labels_file() == my_labels_path()
    assert training_fingerprint() != before


CUAD_FIXTURE = Path(__file__).parent.parent / "fixtures" / "cuad_mini.json"


@pytest.fixture
def cuad_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CUAD fixture as the corpus, in an empty cache that borrows the materialized models."""
    from domainllm.paths import cache_dir

    models = cache_dir("models")
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{CUAD_FIXTURE}")
    (tmp_path / "models").symlink_to(models, target_is_directory=True)
    return tmp_path


def test_cuad_has_one_scorable_split_and_only_untrained_systems(cuad_corpus: Path) -> None:
    from domainllm.benchmark.systems import default_systems, run_benchmark
    from domainllm.corpus.questions import load_questions

    questions = benchmark_questions(Settings())
    assert list(questions) == ["test_paraphrase"]
    every = load_questions("test_paraphrase")
    assert any(not q.answer for q in every), "the fixture should hold an unanswerable question"
    assert all(q.answer for q in questions["test_paraphrase"])
    # the span reader trained on the generated portfolio reads CUAD too; the LoRA systems need train
    assert default_systems(questions) == ["closed_book", "naive_rag", "compressed_rag", "span_reader_rag"]
    with pytest.raises(ValueError, match="no train split"):
        run_benchmark(systems=["closed_book", "raft_rag"])


@pytest.mark.slow
def test_benchmark_runs_the_untrained_systems_on_cuad(cuad_corpus: Path) -> None:
    from domainllm.benchmark.systems import run_benchmark

    bench = run_benchmark()
    results = bench["results"]
    assert list(results) == ["closed_book", "naive_rag", "compressed_rag", "span_reader_rag"]
    n = len(benchmark_questions(Settings())["test_paraphrase"])
    for splits in results.values():
        assert list(splits) == ["test_paraphrase"]
        assert splits["test_paraphrase"]["n"] == n
    assert "recall@k" in results["naive_rag"]["test_paraphrase"]["metrics"]
    # CUAD's questions are clauses: value accuracy, the headline metric, is not defined for them, so
    # there is no headline comparison (and no crash); span metrics carry the comparison instead
    assert bench["comparisons"] == []
    assert "span_f1" in results["compressed_rag"]["test_paraphrase"]["metrics"]
    assert all(report["n"] == 0 for report in bench["summaries"].values())
    assert bench["training"] == {}


def test_a_system_named_after_a_pipeline_recipe_runs_that_recipe() -> None:
    """One name, one pipeline: lab 9's systems may not reuse a recipe's name for another recipe."""
    from domainllm.rag.recipes import PIPELINES

    for spec in SYSTEMS_BY_NAME.values():
        if spec.name in PIPELINES:
            assert spec.pipeline == spec.name, f"system {spec.name} runs recipe {spec.pipeline}"
