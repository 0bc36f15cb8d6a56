"""Issue #23 (j): ``corpus check`` reports wrong-typed fields and cut lines, naming file and line,
without tracebacks, and one bad line neither hides the rest of its file nor the real problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.cli.commands import main
from domainllm.corpus.portfolio.checks import check_corpus


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "data"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "6"]) == 0
    return out


@pytest.fixture()
def small(generated: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(generated, tmp_path / "data"))


def _edit_first_row(path: Path, **fields: object) -> None:
    lines = path.read_text().splitlines()
    row = json.loads(lines[0])
    row.update(fields)
    lines[0] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("file", "fields", "expected"),
    [
        ("facts.jsonl", {"evidence": [1, 2]}, "field 'evidence' must be an object"),
        ("facts.jsonl", {"evidence": "clause 7"}, "field 'evidence' must be an object"),
        ("facts.jsonl", {"aliases": None}, "field 'aliases' must be a list, got null"),
        ("facts.jsonl", {"aliases": ["ok", 5]}, "field 'aliases' must be a list of strings"),
        ("qa/train.jsonl", {"evidence": "NDA-1 0-10"}, "field 'evidence' must be a list"),
        ("qa/train.jsonl", {"evidence": ["NDA-1"]}, "evidence must be an object"),
        ("qa/train.jsonl", {"aliases": None}, "field 'aliases' must be a list, got null"),
        ("qa/train.jsonl", {"answer": 30}, "field 'answer' must be a string"),
    ],
    ids=["fact-evidence-list", "fact-evidence-string", "fact-aliases-null", "fact-alias-number",
         "question-evidence-string", "question-span-string", "question-aliases-null", "question-answer-number"],
)  # fmt: skip
def test_wrong_typed_field_is_one_problem_naming_file_line_and_field(
    small: Path, capsys: pytest.CaptureFixture[str], file: str, fields: dict, expected: str
) -> None:
    _edit_first_row(small / file, **fields)
    assert main(["corpus", "check", str(small)]) == 1
    out = capsys.readouterr().out
    name = Path(file).name
    assert expected in out and f"{name} line 1" in out
    assert "Traceback" not in out


def test_one_cut_line_is_reported_first_and_the_rest_of_the_file_still_counts(small: Path) -> None:
    path = small / "qa" / "train.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    total = len(lines)
    lines[4] = lines[4][: len(lines[4]) // 2] + "\n"
    path.write_text("".join(lines))
    report = check_corpus(small)
    assert report.problems[0].startswith(f"{path}: line 5: not valid JSON")
    assert len(report.problems) == 1
    assert report.summary["questions"]["train"] == total - 1


def test_cut_facts_line_does_not_bury_the_problem(small: Path) -> None:
    path = small / "facts.jsonl"
    data = path.read_text()
    path.write_text(data[: len(data) - 30])  # cut inside the last line, as a crash would
    report = check_corpus(small)
    assert report.problems[0].endswith("cut off (incomplete write).")
    assert len(report.problems) == 1
