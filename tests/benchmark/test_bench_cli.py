"""`python -m domainllm bench rag`: the labs' comparison from the command line, as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domainllm.cli.commands import main
from tests.book.book_site import REPO_ROOT


@pytest.mark.slow
def test_bench_rag_writes_metrics_with_intervals_n_tokens_and_latency(tmp_path: Path) -> None:
    out = tmp_path / "rag.json"
    command = [sys.executable, "-m", "domainllm", "bench", "rag", "--n", "2", "--json", str(out)]
    command += ["--pipelines", "closed_book", "compressed_rag"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["split"] == "test_paraphrase" and result["n_sample"] == 2
    for name in ("closed_book", "compressed_rag"):
        report = result["pipelines"][name]
        assert report["n"] == 2 and report["prompt_tokens"] > 0 and report["seconds_per_answer"] > 0
        f1 = report["metrics"]["f1"]
        assert f1["low"] <= f1["mean"] <= f1["high"]
    retrieval = result["pipelines"]["compressed_rag"]["retrieval_all"]
    assert retrieval["n"] == result["n_split"] and 0 <= retrieval["metrics"]["recall@k"]["mean"] <= 1
    at_five = result["pipelines"]["compressed_rag"]["retrieval_at_target_k"]
    assert at_five["k"] == 5 and len(at_five["per_question"]["recall@k"]) == result["n_split"]
    assert result["pipelines"]["compressed_rag"]["latency_ms"]["p50"] > 0
    assert result["indexing"]["chunks"] > 0 and result["indexing"]["chunks_per_s"] > 0
    # the targets are printed and saved; without naive_rag the relative ones stay unjudged
    assert "Targets of the RAG labs" in done.stdout and "indexing" in done.stdout
    oks = [t["ok"] for t in result["targets"]]
    # recall@5 and latency are judged; the gain over naive and the F1 ratio need naive_rag
    assert oks[0] in (True, False) and oks[1] is None and oks[2] is None
    assert oks[3] in (True, False) and oks[4] in (True, False)


def test_unknown_pipeline_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "rag", "--pipelines", "telepathy"]) == 2
    assert "Unknown pipeline" in capsys.readouterr().err
