"""Lab 8's feedback widget: a click that cannot save shows the error in the widget and loses nothing."""

from __future__ import annotations

from pathlib import Path

from domainllm.finetune.feedback import CandidatePair, FeedbackWidget, Label, LabelLog

PROMPT = ({"role": "user", "content": "Cure period of NDA-7?"},)


def _pair(qid: str) -> CandidatePair:
    return CandidatePair(qid, "Cure period of NDA-7?", "thirty (30) days", PROMPT, "30 days [1]", "45 days")


class BrokenLog(LabelLog):
    """A label log whose appends fail until ``broken`` is cleared (a full disk, a read-only folder)."""

    broken = True

    def append(self, label: Label) -> None:
        if self.broken:
            raise PermissionError(f"cannot write <{self.path.name}>")
        super().append(label)


def test_a_click_shows_the_label_count(tmp_path: Path) -> None:
    log = LabelLog(tmp_path / "labels.jsonl")
    widget = FeedbackWidget([_pair("q1"), _pair("q2")], log)
    widget.buttons[0].click()  # "A is better"
    assert [label.label for label in log.load()] == ["A"]
    assert "1 of 2 pairs labelled" in widget.status.value


def test_an_error_while_saving_is_shown_and_the_pair_stays(tmp_path: Path) -> None:
    log = BrokenLog(tmp_path / "labels.jsonl")
    widget = FeedbackWidget([_pair("q1"), _pair("q2")], log)
    widget.correction.value = "30 days"
    widget.buttons[3].click()  # "Both wrong": must not raise
    assert "PermissionError" in widget.status.value
    assert "cannot write &lt;labels.jsonl&gt;" in widget.status.value  # escaped
    assert [p.question_id for p in widget.queue] == ["q1", "q2"]  # nothing skipped
    assert widget.correction.value == "30 days"  # the typed correction is kept
    log.broken = False
    widget.buttons[3].click()
    assert [(x.pair.question_id, x.label, x.corrected) for x in log.load()] == [
        ("q1", "both_wrong", "30 days")
    ]
    assert "Error" not in widget.status.value and "1 of 2 pairs labelled" in widget.status.value
