"""The CUAD loader, tested on a small file in CUAD v1's format (invented text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.corpus.cuad import category_slug, parse_category, question_details
from domainllm.corpus.documents import load_corpus, resolve_source
from domainllm.corpus.questions import load_questions, load_summaries
from domainllm.files import DataFileError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "cuad_mini.json"
QUESTION = (
    'Highlight the parts (if any) of this contract related to "Governing Law" that should be reviewed by a '
    "lawyer. Details: Which state/country's law governs the interpretation of the contract?"
)


def test_category_and_details_are_parsed_from_the_question():
    assert parse_category(QUESTION) == "governing_law"
    assert (
        question_details(QUESTION) == "Which state/country's law governs the interpretation of the contract?"
    )
    assert category_slug("Cap On Liability") == "cap_on_liability"
    assert category_slug("Anti-Assignment") == "anti_assignment"
    assert parse_category("What is this?") == "unknown"


def test_documents_have_parties_type_and_effective_date():
    documents = load_corpus(f"cuad:{FIXTURE}")
    assert [doc.type for doc in documents] == ["distributor agreement", "license agreement"]
    acme = documents[0]
    assert acme.parties == ("Acme Widgets Corp.", "Blue Harbor Trading LLC")
    assert acme.effective_date == "February 1, 2019"
    assert documents[1].effective_date == ""
    assert acme.text.startswith("DISTRIBUTOR AGREEMENT")


def test_questions_keep_answers_evidence_and_unanswerables():
    questions = load_questions("test_paraphrase", f"cuad:{FIXTURE}")
    texts = {doc.id: doc.text for doc in load_corpus(f"cuad:{FIXTURE}")}
    assert len(questions) == 9
    answerable = [q for q in questions if q.kind == "fact"]
    for question in answerable:
        spans = [texts[e.doc_id][e.start : e.end] for e in question.evidence]
        assert spans and set(spans) == set(question.references)
    unanswerable = [q for q in questions if q.kind == "unanswerable"]
    assert {q.category for q in unanswerable} == {"cap_on_liability", "effective_date"}
    assert all(q.answer == "" and not q.evidence for q in unanswerable)
    parties = next(q for q in questions if q.category == "parties")
    assert parties.answers == ("Acme Widgets Corp.", "Blue Harbor Trading LLC")
    assert "ACMEWIDGETSCORP" in parties.question and parties.template == "cuad.parties"


def test_other_splits_and_summaries_are_empty_for_cuad():
    for split in ("train", "test_fresh", "test_multidoc"):
        assert load_questions(split, f"cuad:{FIXTURE}") == []
    assert load_summaries(f"cuad:{FIXTURE}") == []


def test_environment_variable_switches_to_cuad(monkeypatch):
    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{FIXTURE}")
    assert resolve_source().kind == "cuad"
    assert len(load_corpus()) == 2


def test_missing_or_malformed_cuad_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Zenodo"):
        load_corpus(f"cuad:{tmp_path / 'CUAD_v1.json'}")
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": [')
    with pytest.raises(DataFileError, match="broken.json"):
        load_corpus(f"cuad:{broken}")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"data": [{"title": "x"}]}))
    with pytest.raises(DataFileError, match=r"wrong\.json: data\[0\]"):
        load_corpus(f"cuad:{wrong}")
