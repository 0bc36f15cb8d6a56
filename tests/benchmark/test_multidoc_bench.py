"""The comparison runner of lab 5 and ``bench multidoc`` (no generator is loaded here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from domainllm.benchmark.multidoc_bench import (
    KINDS,
    QUESTION_CATEGORIES,
    extraction_requests,
    llm_extraction_report,
    pattern_on_requests,
    score_answers,
    stratified_sample,
)
from domainllm.cli.commands import main
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.questions import load_questions
from domainllm.graph.triple_extraction import CATEGORY_KINDS, PatternExtractor, load_gold_facts


def test_stratified_sample_is_balanced_and_seeded() -> None:
    questions = load_questions("test_multidoc")
    sample = stratified_sample(questions, 12, seed=0)
    assert [sum(q.kind == kind for q in sample) for kind in KINDS] == [3, 3, 3, 3]
    assert [q.id for q in sample] == [q.id for q in stratified_sample(questions, 12, seed=0)]
    assert [q.id for q in sample] != [q.id for q in stratified_sample(questions, 12, seed=1)]
    assert len(stratified_sample(questions, 500)) == len(questions)
    with pytest.raises(ValueError):
        stratified_sample(questions, 0)


def test_score_answers_reports_each_kind_with_intervals() -> None:
    questions = stratified_sample(load_questions("test_multidoc"), 8)
    gold = [q.answer if q.kind != "compare" else q.answers[0] for q in questions]
    report = score_answers(questions, gold)
    assert report["n"] == 8 and set(report["metrics"]) == {"set_f1", "list_f1", "count", "compare", "amended"}
    assert report["metrics"]["set_f1"]["mean"] == 1.0
    wrong = score_answers(questions, ["no idea"] * 8)
    assert wrong["metrics"]["set_f1"] == {"mean": 0.0, "low": 0.0, "high": 0.0, "n": 8}


def test_extraction_requests_hold_positives_and_same_kind_negatives() -> None:
    documents = load_corpus()
    gold = load_gold_facts()
    requests, wanted = extraction_requests(documents, gold, positives=2, negatives=3, seed=0)
    assert len(wanted) == 2 * len(QUESTION_CATEGORIES) and len(requests) == len(wanted) + 3
    texts = {d.id: d.text for d in documents}
    for (clause, category), fact in zip(requests, wanted, strict=False):
        assert category == fact.category and texts[clause.doc_id][clause.start : clause.end] == clause.text
    for clause, category in requests[len(wanted) :]:
        stated = {g.category for g in gold if (g.doc_id, g.start) == (clause.doc_id, clause.start)}
        assert category not in stated and {CATEGORY_KINDS[c] for c in stated} == {CATEGORY_KINDS[category]}
    again, _ = extraction_requests(documents, gold, positives=2, negatives=3, seed=0)
    assert again == requests
    triples = pattern_on_requests(requests, documents, PatternExtractor())
    assert len(triples) == len(wanted)  # the patterns find every positive and nothing in the negatives


@dataclass
class Reply:
    text: str


class CopyModel:
    """Replies null to every other request and unparseable text to the rest."""

    def chat(self, conversations, max_new_tokens=24, batch_size=8, progress=None):
        return [Reply('{"value": null}') if i % 2 else Reply("not json") for i, _ in enumerate(conversations)]


def test_llm_extraction_report_with_a_fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    documents = load_corpus()
    report = llm_extraction_report(CopyModel(), documents, load_gold_facts(), PatternExtractor())
    stats = report["llm_stats"]
    assert stats["requests"] == report["requests"] == len(report["results"])
    assert stats["rejected"] + stats["valid_first"] + stats["valid_after_retry"] == stats["requests"]
    assert stats["rejected"] > 0 and report["llm"]["total"]["tp"] == 0
    assert report["pattern"]["total"]["recall"] == 1.0
    assert report["llm_precision"] is None and report["llm_recall"]["mean"] == 0.0


def test_cli_map_reduce_alone_needs_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "multidoc.json"
    assert (
        main(
            [
                "bench",
                "multidoc",
                "--approaches",
                "map_reduce",
                "--no-extraction",
                "--n",
                "8",
                "--json",
                str(out),
            ]
        )
        == 0
    )
    result = json.loads(out.read_text())
    assert result["n_sample"] == 8 and result["n_split"] == 83
    assert result["approaches"]["map_reduce"]["metrics"]["set_f1"]["mean"] == 1.0
    assert result["map_reduce_all"]["n"] == 83
    assert "map_reduce" in capsys.readouterr().out


def test_cli_rejects_unknown_approaches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "multidoc", "--approaches", "telepathy"]) == 2
    assert "Unknown approach" in capsys.readouterr().err
