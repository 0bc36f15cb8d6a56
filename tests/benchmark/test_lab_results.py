"""Labs 2 and 4's committed full-size results: recording, staleness, the live check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.benchmark.committed import BOOK_BUILD, LiveCheckError, StaleResultsError
from domainllm.benchmark.lab_results import (
    FULL_LAB_QUESTIONS,
    RECORDING,
    LabScores,
    estimate,
    lab_comparison,
    lab_fingerprint,
    notebook_code_digest,
    whole_contracts,
)
from domainllm.corpus.questions import load_questions
from domainllm.rag.injection_trial import CONTROL, AttackTrial

IDS = [f"q{i}" for i in range(8)]


@pytest.fixture(autouse=True)
def _in_the_book_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BOOK_BUILD, "1")  # stale results stop the build (outside it, a lab runs live)


def _committed(scores: dict) -> dict:
    return {"question_ids": IDS, "scores": scores}


def test_scores_must_cover_every_question() -> None:
    scores = LabScores("lab04", IDS[:3], None)
    with pytest.raises(ValueError, match="2 scores for 3 questions"):
        scores.add("f1", "naive", [0.1, 0.2])


def test_full_scores_are_the_committed_ones_when_there_are_any() -> None:
    live = LabScores("lab04", IDS[:2], None)
    live.add("f1", "naive", [0.5, 1.0])
    assert live.full("f1", "naive") == [0.5, 1.0] and live.full_n() == 2
    committed = LabScores("lab04", IDS[:2], _committed({"f1": {"naive": [0.0] * 8}}))
    assert committed.full("f1", "naive") == [0.0] * 8 and committed.full_n() == 8
    with pytest.raises(StaleResultsError, match="bench labs --save --labs lab04"):
        committed.full("f1", "advanced")


def test_live_check_passes_when_intervals_overlap_and_fails_when_they_part() -> None:
    committed = _committed({"contains": {"advanced": [1.0] * 8}})
    agreeing = LabScores("lab04", IDS[:4], committed)
    agreeing.add("contains", "advanced", [1.0, 1.0, 1.0, 0.0])
    (row,) = agreeing.finish()
    assert row["within"] and row["n"] == 4
    parting = LabScores("lab04", IDS, committed)
    parting.add("contains", "advanced", [0.0] * 8)
    with pytest.raises(LiveCheckError, match="advanced"):
        parting.finish()


def test_recording_writes_the_scores_for_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "lab.json"
    monkeypatch.setenv(RECORDING, str(target))
    scores = LabScores("lab02", IDS[:2], None)
    scores.add("recall@k", "rewrite alone", [1.0, 0.0])
    assert scores.finish() == []
    assert json.loads(target.read_text()) == {
        "question_ids": IDS[:2],
        "scores": {"recall@k": {"rewrite alone": [1.0, 0.0]}},
    }


def test_full_trial_rebuilds_rates_and_verdicts_from_committed_success() -> None:
    success = {(CONTROL, "none"): [0.0] * 8, ("order", "none"): [1.0] * 8}
    committed = _committed({"attack success": {f"{a} | {d}": v for (a, d), v in success.items()}})
    live = AttackTrial([], [], {}, {key: values[:2] for key, values in success.items()})
    full = LabScores("lab04", IDS[:2], committed).full_trial(live)
    assert full.rate("order").n == 8 and full.rate("order").mean == 1.0
    assert full.against_control("order").label == "higher"


def test_binary_metrics_get_wilson_intervals_and_graded_ones_a_bootstrap() -> None:
    assert estimate("contains", [1.0, 1.0]).low < 1.0  # Wilson: 2 of 2 is not certainty
    assert estimate("f1", [1.0, 1.0]).low == 1.0  # a bootstrap of equal values has no width


def test_only_code_cells_make_a_notebook_digest(tmp_path: Path) -> None:
    def write(prose: str, code: str) -> str:
        cells = [
            {"cell_type": "markdown", "metadata": {}, "source": prose},
            {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None},
        ]
        (tmp_path / "labs").mkdir(exist_ok=True)
        (tmp_path / "labs" / "04-post-retrieval.ipynb").write_text(json.dumps({"cells": cells}))
        return notebook_code_digest("lab04", root=tmp_path)

    assert write("one", "x = 1") == write("two", "x = 1") != write("one", "x = 2")


def test_the_lab_sample_is_a_stratified_subsample_of_the_committed_questions(tmp_path: Path) -> None:
    questions = load_questions("dev")
    path = tmp_path / "labs.json"
    with pytest.raises(StaleResultsError, match="No committed results of lab04"):
        lab_comparison("lab04", questions, live_n=12, path=path)
    full_ids = [q.id for q in questions[:FULL_LAB_QUESTIONS]]
    path.write_text(json.dumps({"lab04": {"fingerprint": "old", "question_ids": full_ids, "scores": {}}}))
    with pytest.raises(StaleResultsError, match="other code, settings or data"):
        lab_comparison("lab04", questions, live_n=12, path=path)
    record = {"fingerprint": lab_fingerprint("lab04"), "question_ids": full_ids, "scores": {}}
    path.write_text(json.dumps({"lab04": record}))
    scores, sample = lab_comparison("lab04", questions, live_n=12, path=path)
    assert len(sample) == 12 and {q.id for q in sample} <= set(full_ids)
    assert scores.full_n() == FULL_LAB_QUESTIONS and scores.question_ids == [q.id for q in sample]


def test_recording_answers_the_full_stratified_size(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(RECORDING, str(tmp_path / "lab.json"))
    scores, sample = lab_comparison("lab02", load_questions("dev"), live_n=12, path=tmp_path / "none.json")
    assert len(sample) == FULL_LAB_QUESTIONS and scores.committed is None and scores.recording


def test_the_bench_labs_command_parses_its_labs() -> None:
    from domainllm.cli.commands import build_parser

    args = build_parser().parse_args(["bench", "labs", "--labs", "lab02", "--save"])
    assert args.labs == ["lab02"] and args.save
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "labs", "--labs", "lab09"])


def test_the_command_offers_exactly_the_recorded_labs() -> None:
    from domainllm.benchmark.lab_results import LABS
    from domainllm.cli.commands import LAB_NAMES

    assert tuple(LABS) == LAB_NAMES


def test_a_second_comparison_is_recorded_beside_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "lab.json"
    monkeypatch.setenv(RECORDING, str(target))
    hypothetical = LabScores("lab02", IDS[4:6], None, part="hypothetical questions")
    hypothetical.add("recall@k", "questions, dense", [0.0, 1.0])
    hypothetical.finish()
    transforms = LabScores("lab02", IDS[:2], None)
    transforms.add("recall@k", "rewrite alone", [1.0, 0.0])
    transforms.finish()
    record = json.loads(target.read_text())
    assert record["question_ids"] == IDS[:2]
    assert record["parts"]["hypothetical questions"]["scores"]["recall@k"]["questions, dense"] == [0.0, 1.0]


def test_a_committed_part_is_read_and_a_missing_one_is_stale(tmp_path: Path) -> None:
    questions = load_questions("dev")
    ids = [q.id for q in questions]
    part = {"question_ids": ids[48:60], "scores": {}}
    record = {"fingerprint": lab_fingerprint("lab02"), "question_ids": ids[:48], "scores": {}}
    path = tmp_path / "labs.json"
    path.write_text(json.dumps({"lab02": record}))
    with pytest.raises(StaleResultsError, match="hold no 'hypothetical questions'"):
        lab_comparison(
            "lab02", questions, 6, path=path, stratify=whole_contracts, part="hypothetical questions"
        )
    path.write_text(json.dumps({"lab02": {**record, "parts": {"hypothetical questions": part}}}))
    scores, sample = lab_comparison(
        "lab02", questions, 6, path=path, stratify=whole_contracts, part="hypothetical questions"
    )
    assert scores.full_n() == 12 and {q.id for q in sample} <= set(ids[48:60]) and len(sample) >= 6


def test_whole_contracts_takes_every_question_of_each_contract_it_picks() -> None:
    from collections import Counter

    from domainllm.rag.contract_context import contract_ids_in

    questions = load_questions("dev")
    picked = whole_contracts(questions, 48, seed=0)
    contracts = {contract_ids_in(q.question)[0] for q in picked}
    assert len(picked) >= 48 and picked == [q for q in questions if q in picked]
    assert picked == [q for q in questions if contract_ids_in(q.question)[0] in contracts]
    assert whole_contracts(questions, 48, seed=0) == picked
    counts = Counter(contract_ids_in(q.question)[0] for q in questions)
    assert min(counts[c] for c in contracts) >= max(counts[c] for c in set(counts) - contracts)


def test_outside_the_book_build_a_stale_lab_runs_live_on_a_stratified_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(BOOK_BUILD)
    questions = load_questions("dev")
    path = tmp_path / "labs.json"
    path.write_text(json.dumps({"lab04": {"fingerprint": "old", "question_ids": [], "scores": {}}}))
    scores, sample = lab_comparison("lab04", questions, live_n=12, path=path)
    assert scores.committed is None and len(sample) == 12 and scores.question_ids == [q.id for q in sample]
    printed = capsys.readouterr().out
    assert "bench labs --save --labs lab04" in printed and "runs live" in printed
