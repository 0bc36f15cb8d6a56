"""Issue #23 (d, h, i): the bench commands check their input and output before a run, and an empty
sample is one clear error. No test here loads a model: the runs are replaced by stand-ins that
fail the test if they are reached when they should not be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.benchmark import rag_runner
from domainllm.cli.commands import main
from domainllm.runtime import models


class Reached(AssertionError):
    """A long run started although its arguments were bad."""


@pytest.fixture()
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise Reached("the run started")

    from domainllm.benchmark import multidoc_bench, systems

    monkeypatch.setattr(rag_runner, "run_rag_benchmark", refuse)
    monkeypatch.setattr(systems, "load_or_run_benchmark", refuse)
    monkeypatch.setattr(systems, "run_benchmark", refuse)
    monkeypatch.setattr(multidoc_bench, "run_multidoc_benchmark", refuse)
    monkeypatch.setattr(models, "load_generator", refuse)


@pytest.mark.parametrize("n", ["0", "-3", "many"])
def test_bench_rag_with_a_bad_n_is_refused_instead_of_running_the_default(
    no_runs: None, capsys: pytest.CaptureFixture[str], n: str
) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["bench", "rag", "--n", n])
    assert excinfo.value.code == 2 and "--n" in capsys.readouterr().err


def test_run_rag_benchmark_with_n_zero_raises_before_loading_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(models, "load_generator", lambda *a, **k: (_ for _ in ()).throw(Reached()))
    with pytest.raises(ValueError, match="n must be positive"):
        rag_runner.run_rag_benchmark(n=0, names=["closed_book"])


def _blocked_path(tmp_path: Path) -> str:
    """A path no one can write, even root: its folder is a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return str(blocker / "out.json")


@pytest.mark.parametrize("command", [["bench", "rag"], ["bench", "all"], ["bench", "multidoc"]])
@pytest.mark.parametrize("where", ["folder", "unwritable"])
def test_json_output_is_checked_before_the_run(
    no_runs: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], where: str
) -> None:
    target = str(tmp_path) if where == "folder" else _blocked_path(tmp_path)
    assert main([*command, "--json", target]) == 2
    err = capsys.readouterr().err
    assert target in err and err.count("\n") == 1
    assert list(tmp_path.glob(".*probe")) == []


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small") / "data"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "3"]) == 0
    assert (out / "qa" / "test_fresh.jsonl").read_text() == ""  # too small for fresh questions
    return out


def test_empty_split_is_one_clear_error_not_a_key_error(
    small_corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOMAINLLM_CORPUS", str(small_corpus))
    monkeypatch.setattr(models, "load_generator", lambda *a, **k: (_ for _ in ()).throw(Reached()))
    assert main(["bench", "rag", "--split", "test_fresh"]) == 2
    err = capsys.readouterr().err
    assert "test_fresh" in err and "no questions" in err and "KeyError" not in err


def test_empty_cuad_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cuad = tmp_path / "CUAD_v1.json"
    cuad.write_text(json.dumps({"data": []}))
    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{cuad}")
    monkeypatch.setattr(models, "load_generator", lambda *a, **k: (_ for _ in ()).throw(Reached()))
    assert main(["bench", "rag"]) == 2
    assert "no questions" in capsys.readouterr().err
    assert main(["bench", "all"]) == 2
    assert "no split" in capsys.readouterr().err.lower()
