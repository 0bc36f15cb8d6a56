"""`bench rag` on real contracts (lab 4b): skips what needs train questions, says why, never stops."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domainllm.benchmark.rag_runner import reading_lines
from tests.book.book_site import REPO_ROOT

FIXTURE = Path(__file__).parent.parent / "fixtures" / "cuad_mini.json"


def test_reading_lines_name_reader_metrics_and_length() -> None:
    metric = {"mean": 0.5, "low": 0.4, "high": 0.6, "n": 2}
    result = {
        "pipelines": {
            "clause_rag": {
                "reader": "clause",
                "metrics": {
                    "span_f1": metric,
                    "token_recall": metric,
                    "answer_chars": {**metric, "mean": 300.0},
                },
            }
        }
    }
    (line,) = reading_lines(result)
    assert "clause reader" in line and "span_f1 0.500" in line and "300 characters" in line


@pytest.mark.slow
def test_bench_rag_runs_on_cuad_with_skips_and_reasons(tmp_path: Path) -> None:
    out = tmp_path / "cuad.json"
    command = [sys.executable, "-m", "domainllm", "bench", "rag", "--n", "2", "--json", str(out)]
    command += ["--pipelines", "closed_book", "tuned_rag", "clause_rag"]
    env = {**os.environ, "DOMAINLLM_CORPUS": f"cuad:{FIXTURE}"}
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "skipped tuned_rag" in done.stdout and "train questions" in done.stdout
    result = json.loads(out.read_text())
    assert "tuned_rag" in result["skipped"] and "tuned_rag" not in result["pipelines"]
    clause = result["pipelines"]["clause_rag"]
    assert (
        clause["reader"] == "clause"
        and "span_f1" in clause["metrics"]
        and "accuracy" not in clause["metrics"]
    )
    # questions without gold evidence are left out of recall, and the run says how many
    assert clause["retrieval_all"]["n"] == result["n_with_evidence"] < result["n_split"]
    assert any("without gold evidence" in note for note in result["notes"])


def test_commands_without_questions_on_cuad_say_what_to_run_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    from domainllm.benchmark.multidoc_bench import run_multidoc_benchmark
    from domainllm.benchmark.rag_runner import run_rag_benchmark

    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{FIXTURE}")
    with pytest.raises(ValueError, match="use --split test_paraphrase"):
        run_rag_benchmark("dev")
    with pytest.raises(ValueError, match="no multi-document questions"):
        run_multidoc_benchmark(n=2, extraction=False)
