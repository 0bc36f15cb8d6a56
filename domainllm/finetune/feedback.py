"""Preference feedback: candidate answer pairs, an append-only label log, and the labelling widget.

A :class:`CandidatePair` is everything a labeller (a person or a judge) sees: the question,
the evidence, two answers, and the exact prompt that produced them (so a label turns into a
DPO example without regenerating anything). Labels are one of
:data:`domainllm.finetune.judge.PREFERENCE_LABELS`, optionally with a corrected answer, and are
appended one JSON line at a time to a log that is never rewritten: a crash mid-write loses at
most the line being written, and loading such a log keeps every complete label with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from domainllm.files import append_jsonl, iter_jsonl
from domainllm.finetune.judge import PREFERENCE_LABELS
from domainllm.runtime.generation import Message


@dataclass(frozen=True)
class CandidatePair:
    """Two answers to one question, with the prompt both came from and the evidence to judge by."""

    question_id: str
    question: str
    evidence: str
    prompt: tuple[Message, ...]
    answer_a: str
    answer_b: str

    @property
    def pair_id(self) -> str:
        """Stable id from the question and both answers."""
        text = json.dumps([self.question_id, self.answer_a, self.answer_b])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "prompt": [dict(m) for m in self.prompt], "pair_id": self.pair_id}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> CandidatePair:
        return cls(
            row["question_id"],
            row["question"],
            row["evidence"],
            tuple(dict(m) for m in row["prompt"]),
            row["answer_a"],
            row["answer_b"],
        )


@dataclass(frozen=True)
class Label:
    """One judgement of a pair: which answer is better, by whom, optionally a corrected answer."""

    pair: CandidatePair
    label: str
    labeller: str
    corrected: str = ""
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.label not in PREFERENCE_LABELS:
            raise ValueError(f"label must be one of {', '.join(PREFERENCE_LABELS)}; got {self.label!r}.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair_id": self.pair.pair_id,
            "label": self.label,
            "labeller": self.labeller,
            "corrected": self.corrected,
            "created": self.created,
            "pair": self.pair.to_dict(),
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Label:
        return cls(
            CandidatePair.from_dict(row["pair"]),
            row["label"],
            row.get("labeller", "human"),
            row.get("corrected", ""),
            row.get("created", ""),
        )


class LabelLog:
    """An append-only JSONL file of labels (each line self-contained: the pair travels with it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, label: Label) -> None:
        """Add one label (a single write and fsync; earlier lines are never touched)."""
        append_jsonl(self.path, label.to_dict())

    def load(self) -> list[Label]:
        """Every complete label; a last line cut off by a crash is skipped with a warning."""
        if not self.path.exists():
            return []
        return [Label.from_dict(row) for row in iter_jsonl(self.path, tolerate_truncated_tail=True)]

    def latest(self) -> dict[str, Label]:
        """The most recent label of each pair (a relabelled pair counts once)."""
        return {label.pair.pair_id: label for label in self.load()}


def evidence_text(question: Any, documents: dict[str, Any]) -> str:
    """The gold evidence of a question, cut from its documents (what a labeller reads)."""
    return " … ".join(documents[e.doc_id].text[e.start : e.end].strip() for e in question.evidence)


class FeedbackWidget:
    """Show a pair, take a click (A better, B better, tie, both wrong) and an optional correction.

    Every click appends a :class:`Label` to ``log`` and moves to the next unlabelled pair.
    """

    BUTTONS = {"A": "A is better", "B": "B is better", "tie": "Tie", "both_wrong": "Both wrong"}

    def __init__(self, pairs: Sequence[CandidatePair], log: LabelLog, labeller: str = "human") -> None:
        import ipywidgets as widgets

        self.log = log
        self.labeller = labeller
        done = set(log.latest())
        self.queue = [p for p in pairs if p.pair_id not in done]
        self.total = len(pairs)
        self.view = widgets.HTML()
        self.correction = widgets.Text(placeholder="optional: the correct answer", layout={"width": "60%"})
        self.buttons = [widgets.Button(description=text) for text in self.BUTTONS.values()]
        for button, label in zip(self.buttons, self.BUTTONS, strict=True):
            button.on_click(self._clicked(label))
        self.status = widgets.HTML()
        self.box = widgets.VBox([self.view, self.correction, widgets.HBox(self.buttons), self.status])
        self._show()

    def _clicked(self, label: str) -> Callable[[Any], None]:
        def handler(_: Any) -> None:
            self.record(label, self.correction.value)

        return handler

    def record(self, label: str, corrected: str = "") -> None:
        """Label the pair on screen and show the next one."""
        if not self.queue:
            return
        self.log.append(Label(self.queue.pop(0), label, self.labeller, corrected.strip()))
        self.correction.value = ""
        self._show()

    def _show(self) -> None:
        labelled = self.total - len(self.queue)
        self.status.value = f"<small>{labelled} of {self.total} pairs labelled; saved to {html.escape(str(self.log.path))}</small>"
        if not self.queue:
            self.view.value = "<b>All pairs are labelled.</b> Run the next cell to train on them."
            for button in self.buttons:
                button.disabled = True
            return
        pair = self.queue[0]
        self.view.value = (
            f"<p><b>Question:</b> {html.escape(pair.question)}</p>"
            f"<p><b>Evidence:</b> <i>{html.escape(pair.evidence)}</i></p>"
            f"<p><b>A:</b> {html.escape(pair.answer_a)}<br><b>B:</b> {html.escape(pair.answer_b)}</p>"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def labels_by_pair(labels: Iterable[Label]) -> dict[str, Label]:
    """Index labels by pair id (later ones win)."""
    return {label.pair.pair_id: label for label in labels}
