"""`python -m domainllm bench rag`: the labs' comparison from the command line, as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domainllm.cli import main
from tests.book_site import REPO_ROOT


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


def test_unknown_pipeline_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "rag", "--pipelines", "telepathy"]) == 2
    assert "Unknown pipeline" in capsys.readouterr().err
