"""Issue #23 (f): the label log survives any crash and keeps every acknowledged label; label input
is validated before it reaches the log (and DPO)."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from domainllm.finetune.feedback import (
    MAX_CORRECTION_CHARS,
    CandidatePair,
    Label,
    LabelLog,
    LabelLogWarning,
)
from domainllm.finetune.preferences import dpo_examples

PROMPT = ({"role": "user", "content": "Cure period of NDA-7?"},)


def _pair(qid: str = "train-1", a: str = "30 days", b: str = "45 days") -> CandidatePair:
    return CandidatePair(qid, "Cure period of NDA-7?", "thirty (30) days", PROMPT, a, b)


def _labels(n: int) -> list[Label]:
    return [Label(_pair(f"train-{i}"), "A", "ann") for i in range(n)]


def _cut_last_line(path: Path) -> None:
    """What SIGKILL in the middle of a write leaves: the last line without its end."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])


def test_append_after_a_cut_line_keeps_every_acknowledged_label(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    first, cut, later = _labels(3)
    log.append(first)
    log.append(cut)
    _cut_last_line(log.path)  # killed while writing `cut`: it was never acknowledged
    log.append(later)
    with pytest.warns(LabelLogWarning, match=r"labels\.jsonl: line 2"):
        loaded = log.load()
    assert [label.pair.pair_id for label in loaded] == [first.pair.pair_id, later.pair.pair_id]
    log.append(Label(_pair("train-9"), "B", "ann"))  # and the log stays appendable and readable
    with pytest.warns(LabelLogWarning):
        assert len(log.load()) == 3


def test_short_writes_are_continued_so_the_label_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    real_write = os.write
    calls = []

    def short_write(fd: int, data: bytes) -> int:
        if fd > 2:  # only the log, never pytest's own output
            calls.append(len(data))
            return real_write(fd, bytes(data[:7]))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", short_write)
    label = Label(_pair(), "both_wrong", "ann", "thirty days")
    log.append(label)
    monkeypatch.setattr(os, "write", real_write)
    assert len(calls) > 10
    (loaded,) = log.load()
    assert loaded.pair == label.pair and loaded.corrected == "thirty days"


def test_line_with_an_unknown_label_is_skipped_with_file_and_line(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    a, b = _labels(2)
    log.append(a)
    bad = a.to_dict() | {"label": "maybe"}
    with log.path.open("a") as handle:
        handle.write(json.dumps(bad) + "\n")
    log.append(b)
    with pytest.warns(LabelLogWarning, match=r"labels\.jsonl: line 2: not a valid label.*'maybe'"):
        loaded = log.load()
    assert [x.pair.pair_id for x in loaded] == [a.pair.pair_id, b.pair.pair_id]


@pytest.mark.parametrize(
    "line",
    ['{"label": "A"}', "[1, 2]", "not json at all", '{"pair": 5, "label": "A", "labeller": "x"}'],
    ids=["missing-pair", "not-an-object", "not-json", "pair-not-an-object"],
)
def test_malformed_lines_in_the_middle_are_skipped_not_fatal(tmp_path: Path, line: str) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    a, b = _labels(2)
    log.append(a)
    with log.path.open("a") as handle:
        handle.write(line + "\n")
    log.append(b)
    with pytest.warns(LabelLogWarning, match=r"line 2"):
        assert len(log.load()) == 2


@pytest.mark.parametrize(
    ("labeller", "corrected", "message"),
    [
        ("ann", "   \n\t", "only whitespace"),
        ("ann", 42, "must be the corrected answer as text"),
        ("ann", "x" * (50 * 1024 * 1024), "at most"),
        ("", "", "labeller"),
        ("   ", "", "labeller"),
        (None, "", "labeller"),
    ],
    ids=["whitespace-correction", "number-correction", "50MB-correction", "empty-labeller",
         "blank-labeller", "no-labeller"],
)  # fmt: skip
def test_bad_label_input_is_refused_before_it_reaches_the_log(
    labeller: object, corrected: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Label(_pair(), "both_wrong", labeller, corrected)  # type: ignore[arg-type]


def test_corrections_are_stripped_and_bounded() -> None:
    label = Label(_pair(), "both_wrong", " ann ", "  thirty days \n")
    assert (label.labeller, label.corrected) == ("ann", "thirty days")
    Label(_pair(), "both_wrong", "ann", "x" * MAX_CORRECTION_CHARS)  # the bound itself is fine


def test_whitespace_correction_in_an_old_log_is_no_correction_not_a_dpo_answer(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    row = Label(_pair(), "both_wrong", "ann").to_dict() | {"corrected": "   "}
    log.path.write_text(json.dumps(row) + "\n")
    (label,) = log.load()
    assert label.corrected == "" and dpo_examples([label]) == []


def _append_many(path: str, worker: int) -> None:
    log = LabelLog(path)
    for i in range(40):
        log.append(Label(_pair(f"w{worker}-{i}", a="x" * 3000), "A", f"worker-{worker}"))


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = str(tmp_path / "labels.jsonl")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(path, w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len(LabelLog(path).load()) == 120
