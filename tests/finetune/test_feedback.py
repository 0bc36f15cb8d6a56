"""Preference labels: the append-only log, crash safety, the widget, and DPO examples."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from domainllm.costs.pareto import pareto_front
from domainllm.finetune.feedback import CandidatePair, FeedbackWidget, Label, LabelLog
from domainllm.finetune.preferences import (
    OUTCOME_OF_B,
    agreement,
    ai_labels,
    dpo_examples,
    head_to_head,
    merge_labels,
    reference_win_rate,
)

PROMPT = (
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "Cure period of NDA-7?"},
)


def _pair(a: str = "30 days [1]", b: str = "45 days", qid: str = "train-1") -> CandidatePair:
    return CandidatePair(qid, "Cure period of NDA-7?", "The cure period is thirty (30) days.", PROMPT, a, b)


def test_labels_round_trip_and_relabelling_keeps_the_latest(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    assert log.load() == []
    log.append(Label(_pair(), "B", "human"))
    log.append(Label(_pair(), "A", "human"))
    log.append(Label(_pair(qid="train-2"), "both_wrong", "human", corrected="30 days"))
    assert [label.label for label in log.load()] == ["B", "A", "both_wrong"]
    latest = log.latest()
    assert len(latest) == 2 and latest[_pair().pair_id].label == "A"
    assert latest[_pair(qid="train-2").pair_id].pair.prompt == PROMPT


def test_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match="label must be one of"):
        Label(_pair(), "C", "human")


WRITER = """
import json, os, sys, time
path, line = sys.argv[1], sys.argv[2].encode()
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(fd, line[: len(line) // 2])
os.fsync(fd)
print("half written", flush=True)
time.sleep(60)
os.write(fd, line[len(line) // 2 :])
"""


def test_a_writer_killed_mid_label_loses_only_that_label(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    log = LabelLog(path)
    log.append(Label(_pair(), "A", "human"))
    log.append(Label(_pair(qid="train-2"), "tie", "human"))
    line = json.dumps(Label(_pair(qid="train-3"), "B", "human").to_dict()) + "\n"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), line], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "half written"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    with pytest.warns(UserWarning):
        labels = log.load()
    assert [label.pair.question_id for label in labels] == ["train-1", "train-2"]


def test_widget_appends_each_click_and_skips_labelled_pairs(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    pairs = [_pair(), _pair(qid="train-2"), _pair(qid="train-3")]
    widget = FeedbackWidget(pairs, log)
    widget.record("A")
    widget.record("both_wrong", "30 days")
    assert [(x.label, x.corrected) for x in log.load()] == [("A", ""), ("both_wrong", "30 days")]
    again = FeedbackWidget(pairs, log)
    assert [p.question_id for p in again.queue] == ["train-3"]
    again.record("tie")
    again.record("A")  # nothing left: ignored
    assert len(log.load()) == 3 and all(b.disabled for b in again.buttons)


def test_dpo_examples_follow_the_labels() -> None:
    labels = [
        Label(_pair(), "A", "human"),
        Label(_pair(qid="train-2"), "B", "ai"),
        Label(_pair(qid="train-3"), "tie", "ai"),
        Label(_pair(qid="train-4"), "both_wrong", "human", corrected="30 days"),
        Label(_pair(qid="train-5"), "both_wrong", "human"),
    ]
    rows = dpo_examples(labels)
    pairs = [(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows]
    assert pairs == [
        ("30 days [1]", "45 days"),
        ("45 days", "30 days [1]"),
        ("30 days", "30 days [1]"),
        ("30 days", "45 days"),
    ]
    assert rows[0]["prompt"] == [dict(m) for m in PROMPT]


def test_human_labels_win_and_agreement_counts_shared_pairs() -> None:
    human = [Label(_pair(), "A", "human"), Label(_pair(qid="train-2"), "B", "human")]
    ai = [
        Label(_pair(), "B", "ai"),
        Label(_pair(qid="train-2"), "B", "ai"),
        Label(_pair(qid="train-3"), "A", "ai"),
    ]
    merged = {label.pair.question_id: label.labeller for label in merge_labels(human, ai)}
    assert merged == {"train-1": "human", "train-2": "human", "train-3": "ai"}
    rate, n = agreement(human, ai)
    assert n == 2 and rate is not None and rate.mean == pytest.approx(0.5)


class _FixedJudge:
    def __init__(self, verdicts: list[str]) -> None:
        self.verdicts = verdicts

    def prefer_many(self, pairs: list[tuple[str, str, str, str]]) -> list[str]:
        return self.verdicts[: len(pairs)]


def test_ai_labels_correct_both_wrong_pairs_with_the_reference_only() -> None:
    pairs = [_pair(qid="train-1"), _pair(qid="train-2"), _pair(qid="train-3")]
    judge = _FixedJudge(["both_wrong", "both_wrong", "A"])
    labels = ai_labels(judge, pairs, references={"train-1": "30 days [1]", "train-3": "30 days [1]"})
    assert [(label.label, label.corrected) for label in labels] == [
        ("both_wrong", "30 days [1]"),
        ("both_wrong", ""),
        ("A", ""),
    ]
    assert len(dpo_examples(labels)) == 3  # two from the corrected pair, one from "A"


def test_head_to_head_counts_ties_and_both_wrong_as_half() -> None:
    verdicts = ["B", "A", "tie", "both_wrong"]
    estimate, outcomes = head_to_head(_FixedJudge(verdicts), ["q"] * 4, ["e"] * 4, ["a"] * 4, ["b"] * 4)
    assert outcomes == [OUTCOME_OF_B[v] for v in verdicts] == [1.0, 0.0, 0.5, 0.5]
    assert estimate.mean == pytest.approx(0.5)


def test_reference_win_rate_compares_scores_question_by_question() -> None:
    estimate, outcomes = reference_win_rate([0.0, 0.5, 1.0, 0.2], [1.0, 0.5, 0.0, 0.4])
    assert outcomes == [1.0, 0.5, 0.0, 1.0]
    assert estimate.mean == pytest.approx(0.625) and estimate.n == 4


def test_pareto_front_by_hand() -> None:
    points = {"cheap bad": (1.0, 0.1), "dear good": (10.0, 0.5), "dominated": (5.0, 0.05), "tie": (1.0, 0.1)}
    assert pareto_front(points) == ["cheap bad", "dear good", "tie"]


def test_evidence_text_cuts_each_span_from_its_document() -> None:
    from domainllm.corpus.documents import load_corpus
    from domainllm.corpus.questions import load_questions
    from domainllm.finetune.feedback import evidence_text

    documents = {d.id: d for d in load_corpus()}
    question = load_questions("train")[0]
    text = evidence_text(question, documents)
    span = question.evidence[0]
    assert text == documents[span.doc_id].text[span.start : span.end].strip()
    assert question.answer.split()[0] in text
