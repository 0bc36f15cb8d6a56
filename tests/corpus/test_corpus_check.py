"""``corpus check`` and the loaders reject bad input with messages that say where."""

from __future__ import annotations

import json
import shutil

import pytest

from domainllm.cli.commands import main
from domainllm.corpus.documents import load_corpus, parse_document
from domainllm.corpus.portfolio.checks import check_corpus
from domainllm.corpus.questions import load_questions
from domainllm.files import DataFileError
from domainllm.paths import DATA_DIR


@pytest.fixture()
def small(tmp_path):
    out = tmp_path / "data"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "12"]) == 0
    return out


def test_committed_corpus_passes_check(capsys):
    assert main(["corpus", "check", str(DATA_DIR)]) == 0
    printed = capsys.readouterr().out
    assert "contracts: 48" in printed and "OK" in printed


def test_out_of_range_evidence_span_is_reported(small, capsys):
    path = small / "facts.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["evidence"]["end"] = 10**7
    rows[1]["evidence"] = {"doc_id": rows[1]["doc_id"], "start": 0, "end": 5}
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["corpus", "check", str(small)]) == 1
    printed = capsys.readouterr().out
    assert "lies outside" in printed and rows[0]["doc_id"] in printed
    assert "does not contain the answer" in printed


def test_duplicate_ids_are_reported(small):
    first = sorted((small / "corpus").glob("*.md"))[0]
    shutil.copy(first, small / "corpus" / "ZZZ-copy.md")
    report = check_corpus(small)
    assert any("duplicate id" in problem for problem in report.problems)


def test_missing_front_matter_field_names_file_and_field(small):
    path = sorted((small / "corpus").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.split("\n") if not line.startswith("effective_date:")))
    with pytest.raises(DataFileError, match=rf"{path.name}.*effective_date"):
        parse_document(path)
    report = check_corpus(small)
    assert any(path.name in problem and "effective_date" in problem for problem in report.problems)
    assert main(["corpus", "check", str(small)]) == 1


def test_non_utf8_file_is_named(small):
    path = sorted((small / "corpus").glob("*.md"))[0]
    path.write_bytes(path.read_bytes().replace(b"Kestrel", "Késtrel".encode("latin-1"), 1))
    with pytest.raises(DataFileError, match=path.name):
        load_corpus(small)


def test_corrupted_jsonl_line_names_file_and_line(small):
    path = small / "qa" / "train.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2][: len(lines[2]) // 2] + "\n"
    path.write_text("".join(lines))
    with pytest.raises(DataFileError, match=r"train\.jsonl: line 3"):
        load_questions("train", small)
    report = check_corpus(small)
    assert any("line 3" in problem for problem in report.problems)


def test_check_of_missing_folder_fails_cleanly(tmp_path, capsys):
    assert main(["corpus", "check", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err
