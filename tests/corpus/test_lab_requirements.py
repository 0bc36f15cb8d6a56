"""The lab guard: nothing on a corpus with the splits a lab needs; a message and skipped cells without."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from domainllm.corpus.lab_requirements import SKIPPED_CELL, _skip_cell, lab_needs, missing_splits

CUAD = Path(__file__).resolve().parents[1] / "fixtures" / "cuad_three.json"


@pytest.fixture
def shell() -> InteractiveShell:
    shell = InteractiveShell.instance()
    yield shell
    shell.input_transformers_cleanup[:] = [t for t in shell.input_transformers_cleanup if t is not _skip_cell]


def test_nothing_happens_on_a_corpus_with_every_split(
    shell: InteractiveShell, capsys: pytest.CaptureFixture
) -> None:
    assert missing_splits("train", "dev", "test_multidoc") == []
    lab_needs("train", "dev", why="trains", shell=shell)
    assert capsys.readouterr().out == ""
    assert shell.transform_cell("x = 1\n") == "x = 1\n"


def test_a_corpus_without_train_questions_skips_the_rest_of_the_lab(
    shell: InteractiveShell, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{CUAD}")
    assert missing_splits("train", "test_paraphrase") == ["train"]
    lab_needs("train", why="fine-tunes the generator on train questions", shell=shell)
    lab_needs("train", why="again", shell=shell)  # a second guard adds no second transformer
    message = capsys.readouterr().out
    assert "skipped" in message and "no train questions" in message and "fine-tunes the generator" in message
    assert shell.transform_cell("x = 1\n") == SKIPPED_CELL
    shell.run_cell("y = 1")
    assert "y" not in shell.user_ns
    assert sum(t is _skip_cell for t in shell.input_transformers_cleanup) == 1
