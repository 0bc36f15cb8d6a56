"""Issue #23 (g): ``corpus generate`` never deletes or overwrites what it did not write.

The tests that would touch the repository's ``data/`` point the generator's idea of it at a
copy, so even the old code, which deleted files there, could not damage the committed corpus.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domainllm.cli.commands import build_parser, main
from domainllm.corpus.portfolio import generate as generate_module
from domainllm.paths import DATA_DIR


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def user_folder(tmp_path: Path) -> Path:
    """The issue's folder: a user's own contract, facts, questions and notes, no generation.json."""
    folder = tmp_path / "mine"
    (folder / "corpus").mkdir(parents=True)
    (folder / "qa").mkdir()
    (folder / "corpus" / "MY-CONTRACT.md").write_text("---\nid: MY-CONTRACT\n---\nmy own contract\n")
    (folder / "facts.jsonl").write_text('{"id": "mine"}\n')
    (folder / "qa" / "train.jsonl").write_text('{"id": "my-question"}\n')
    (folder / "notes.txt").write_text("my notes\n")
    return folder


def test_folder_not_written_by_the_generator_is_refused_and_left_untouched(
    user_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(user_folder)
    assert main(["corpus", "generate", "--out", str(user_folder), "--contracts", "2"]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "MY-CONTRACT.md" in err and err.count("\n") == 1
    assert _snapshot(user_folder) == before


def test_force_writes_the_corpus_but_never_deletes_the_users_files(user_folder: Path) -> None:
    assert main(["corpus", "generate", "--out", str(user_folder), "--contracts", "2", "--force"]) == 0
    assert (user_folder / "corpus" / "MY-CONTRACT.md").read_text().endswith("my own contract\n")
    assert (user_folder / "notes.txt").read_text() == "my notes\n"
    assert (user_folder / "generation.json").is_file()


def test_out_is_required_so_the_committed_corpus_is_never_the_default() -> None:
    with pytest.raises(SystemExit) as excinfo:
        build_parser().parse_args(["corpus", "generate", "--contracts", "2"])
    assert excinfo.value.code == 2


def test_regenerating_the_committed_corpus_with_other_settings_needs_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = tmp_path / "data"
    shutil.copytree(DATA_DIR, committed)
    monkeypatch.setattr(generate_module, "DATA_DIR", committed)  # the repository's data/, as a copy
    before = _snapshot(committed)
    assert main(["corpus", "generate", "--out", str(committed), "--contracts", "2"]) == 2
    assert "committed corpus" in capsys.readouterr().err
    assert _snapshot(committed) == before
    # the documented command (same settings) still rewrites it, byte for byte, keeping README etc.
    assert main(["corpus", "generate", "--out", str(committed)]) == 0
    assert _snapshot(committed) == before


def test_a_file_added_to_a_generated_corpus_is_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "3"]) == 0
    mine = out / "corpus" / "MY-CONTRACT.md"
    mine.write_text("mine\n")
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "2"]) == 2
    assert mine.read_text() == "mine\n"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "2", "--force"]) == 0
    assert mine.read_text() == "mine\n"


def test_regenerating_its_own_folder_removes_only_its_own_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "4"]) == 0
    (out / "notes.txt").write_text("kept\n")
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "2"]) == 0
    fresh = tmp_path / "fresh"
    assert main(["corpus", "generate", "--out", str(fresh), "--contracts", "2"]) == 0
    assert sorted(p.name for p in (out / "corpus").iterdir()) == sorted(
        p.name for p in (fresh / "corpus").iterdir()
    )
    assert (out / "notes.txt").read_text() == "kept\n"


def test_a_run_cut_short_can_be_rerun_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "gen"

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generate_module, "build_question_sets", crash)
    with pytest.raises(KeyboardInterrupt):
        generate_module.generate_portfolio(out, contracts=3)
    monkeypatch.undo()
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "3"]) == 0


@pytest.mark.parametrize(
    "arguments",
    [["--seed", "-1"], ["--contracts", "0"], ["--contracts", "many"]],
    ids=["negative-seed", "zero-contracts", "words"],
)
def test_bad_numbers_are_refused_when_parsed(arguments: list[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["corpus", "generate", "--out", str(tmp_path / "x"), *arguments])
    assert excinfo.value.code == 2
    assert not (tmp_path / "x").exists()


def test_out_naming_a_file_is_one_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    assert main(["corpus", "generate", "--out", str(target), "--contracts", "2"]) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "not a folder"
