"""Lab 8 (feedback and DPO): preference feedback: candidate answer pairs, an append-only label log, and the labelling widget.

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
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from domainllm.files import append_jsonl, jsonl_records
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


MAX_CORRECTION_CHARS = 2000  # a corrected answer; the book's answers are a sentence or two
MAX_LABELLER_CHARS = 200


class LabelLogWarning(UserWarning):
    """A line of a label log could not be read; the message names the file and line."""


@dataclass(frozen=True)
class Label:
    """One judgement of a pair: which answer is better, by whom, optionally a corrected answer."""

    pair: CandidatePair
    label: str
    labeller: str
    corrected: str = ""
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if not isinstance(self.pair, CandidatePair):
            raise TypeError(f"pair must be a CandidatePair, got {type(self.pair).__name__}.")
        if self.label not in PREFERENCE_LABELS:
            raise ValueError(f"label must be one of {', '.join(PREFERENCE_LABELS)}; got {self.label!r}.")
        if not isinstance(self.labeller, str) or not self.labeller.strip():
            raise ValueError(f"labeller must name who labelled (a non-empty name); got {self.labeller!r}.")
        if len(self.labeller) > MAX_LABELLER_CHARS:
            raise ValueError(
                f"labeller must be at most {MAX_LABELLER_CHARS} characters; got {len(self.labeller)}."
            )
        if not isinstance(self.corrected, str):
            raise ValueError(
                f"corrected must be the corrected answer as text (or empty); got {type(self.corrected).__name__} "
                f"{self.corrected!r}."
            )
        corrected = self.corrected.strip()
        if self.corrected and not corrected:
            raise ValueError(
                "corrected is only whitespace: leave it empty for no correction, or type the correct answer."
            )
        if len(corrected) > MAX_CORRECTION_CHARS:
            raise ValueError(
                f"corrected is {len(corrected):,} characters; a corrected answer may have at most "
                f"{MAX_CORRECTION_CHARS:,} (it becomes a training target)."
            )
        object.__setattr__(self, "labeller", self.labeller.strip())
        object.__setattr__(self, "corrected", corrected)

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
        corrected = row.get("corrected", "")
        if isinstance(corrected, str) and not corrected.strip():
            corrected = ""  # older logs kept a whitespace-only correction: it means none
        return cls(
            CandidatePair.from_dict(row["pair"]),
            row["label"],
            row.get("labeller", "human"),
            corrected,
            row.get("created", ""),
        )


class LabelLog:
    """An append-only JSONL file of labels (each line self-contained: the pair travels with it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, label: Label) -> None:
        """Add one label; when this returns, the label is on disk (earlier lines are never touched).

        The write is locked, continued after a short write and fsynced; a line cut off by an
        earlier crash gets its newline first, so it never swallows this label
        (:func:`~domainllm.files.append_jsonl`).
        """
        if not isinstance(label, Label):
            raise TypeError(f"LabelLog.append takes a Label, got {type(label).__name__}.")
        append_jsonl(self.path, label.to_dict())

    def load(self) -> list[Label]:
        """Every readable label, in order. A bad line (cut off by a crash, not JSON, not a valid
        label) is skipped with a warning naming the file and line; the lines after it still load."""
        if not self.path.exists():
            return []
        records, problems = jsonl_records(self.path)
        labels = []
        for number, row in records:
            try:
                labels.append(Label.from_dict(row))
            except KeyError as exc:
                problems.append(f"{self.path}: line {number}: not a label (field {exc} is missing).")
            except (TypeError, ValueError, AttributeError) as exc:
                problems.append(f"{self.path}: line {number}: not a valid label ({exc}).")
        for problem in problems:
            warnings.warn(f"{problem} The line was skipped.", LabelLogWarning, stacklevel=2)
        return labels

    def latest(self) -> dict[str, Label]:
        """The most recent label of each pair (a relabelled pair counts once)."""
        return {label.pair.pair_id: label for label in self.load()}


def evidence_text(question: Any, documents: dict[str, Any]) -> str:
    """The gold evidence of a question, cut from its documents (what a labeller reads)."""
    return " … ".join(documents[e.doc_id].text[e.start : e.end].strip() for e in question.evidence)


class FeedbackWidget:
    """Show a pair, take a click (A better, B better, tie, both wrong) and an optional correction.

    Every click appends a :class:`Label` to ``log`` and moves to the next unlabelled pair. If
    saving fails (say the log's folder is read-only), the error is shown under the buttons and
    the pair and the typed correction stay on screen, so nothing is lost silently.
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
            try:
                self.record(label, self.correction.value)
            except Exception as error:  # shown in the widget, and logged with its traceback
                import logging

                logging.getLogger(__name__).exception("The feedback widget could not save a label")
                self.status.value = (
                    f"<p style='color:#b00020'><b>Error:</b> {html.escape(type(error).__name__)}: "
                    f"{html.escape(str(error))}<br>The label was not saved; the pair stays on screen.</p>"
                )

        return handler

    def record(self, label: str, corrected: str = "") -> None:
        """Label the pair on screen and show the next one (the pair moves on only once saved)."""
        if not self.queue:
            return
        self.log.append(Label(self.queue[0], label, self.labeller, corrected.strip()))
        self.queue.pop(0)
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
