"""The gold question sets: sizes, wording separation between splits, evidence that holds the answer."""

from __future__ import annotations

import pytest

from domainllm.corpus.documents import load_corpus
from domainllm.corpus.questions import SPLITS, Question, load_questions, load_summaries
from domainllm.files import read_jsonl
from domainllm.paths import DATA_DIR


@pytest.fixture(scope="module")
def splits() -> dict[str, list[Question]]:
    return {split: load_questions(split, DATA_DIR) for split in SPLITS}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {doc.id: doc.text for doc in load_corpus(DATA_DIR)}


@pytest.fixture(scope="module")
def batches() -> dict[str, str]:
    return {doc.id: str(doc.metadata["batch"]) for doc in load_corpus(DATA_DIR)}


def test_split_sizes(splits):
    assert len(splits["train"]) >= 300
    assert len(splits["test_paraphrase"]) >= 100
    assert len(splits["test_fresh"]) >= 60
    assert len(splits["test_multidoc"]) >= 40
    assert len(load_summaries(DATA_DIR)) >= 10
    for split, questions in splits.items():
        assert all(question.split == split for question in questions)


def test_dev_is_held_out_of_training_and_asks_what_no_test_split_asks(splits):
    dev = splits["dev"]
    assert len(dev) >= 64
    assert {q.category for q in dev} >= {"governing_law", "parties", "agreement_date", "cap_on_liability"}
    facts = {split: {(q.evidence, q.answer) for q in splits[split]} for split in SPLITS if split != "dev"}
    dev_facts = {(q.evidence, q.answer) for q in dev}
    for split in ("train", "test_paraphrase", "test_fresh", "test_multidoc"):
        assert not dev_facts & facts[split], split
    trained = {e.doc_id for q in splits["train"] for e in q.evidence}
    assert all(e.doc_id in trained for q in dev for e in q.evidence)  # training-batch contracts


def test_ids_unique_across_splits(splits):
    ids = [question.id for questions in splits.values() for question in questions]
    assert len(ids) == len(set(ids))


def test_paraphrase_shares_facts_but_no_wording_with_train(splits):
    train, paraphrase = splits["train"], splits["test_paraphrase"]
    assert not {q.question for q in train} & {q.question for q in paraphrase}
    assert not {q.template for q in train} & {q.template for q in paraphrase}
    train_facts = {(q.evidence, q.answer) for q in train}
    assert all((q.evidence, q.answer) in train_facts for q in paraphrase)


def test_fresh_contracts_never_appear_in_training_questions(splits, batches):
    trained = {e.doc_id for q in splits["train"] for e in q.evidence}
    fresh = {e.doc_id for q in splits["test_fresh"] for e in q.evidence}
    assert len({doc_id.split("-A")[0] for doc_id in fresh}) >= 8
    assert not trained & fresh
    assert all(batches[doc_id] == "fresh" for doc_id in fresh)


def test_single_document_evidence_contains_an_accepted_answer(splits, texts):
    for split in ("train", "test_paraphrase", "test_fresh"):
        for question in splits[split]:
            (evidence,) = question.evidence
            span = texts[evidence.doc_id][evidence.start : evidence.end].casefold()
            assert any(ref.casefold() in span for ref in question.references), question.id


def test_amended_questions_point_at_the_amendment(splits):
    for split in ("train", "test_paraphrase", "test_fresh"):
        amended = [q for q in splits[split] if q.kind == "amended"]
        assert amended or split == "test_fresh"
        assert all(q.evidence[0].doc_id.endswith("-A1") for q in amended)


def test_multidoc_kinds_and_answer_lists(splits, texts):
    multidoc = splits["test_multidoc"]
    assert {q.kind for q in multidoc} >= {"list", "count", "compare", "amended"}
    for question in multidoc:
        assert question.answers and len({e.doc_id for e in question.evidence}) >= 2, question.id
        for evidence in question.evidence:
            assert 0 <= evidence.start < evidence.end <= len(texts[evidence.doc_id])
        if question.kind == "count":
            assert question.answer == str(len(question.answers))
        if question.kind == "list":
            assert question.answer == "; ".join(question.answers)


def test_answers_are_short(splits):
    single = [q for split in ("train", "test_paraphrase", "test_fresh") for q in splits[split]]
    assert max(len(q.answer.split()) for q in single) <= 6


def test_references_put_the_canonical_answer_first(splits):
    question = splits["train"][0]
    assert question.references == (question.answer, *question.aliases)


def test_unknown_split_lists_the_valid_ones():
    with pytest.raises(ValueError, match="test_paraphrase"):
        load_questions("validation", DATA_DIR)


def test_summaries_name_their_contract_and_key_terms():
    facts = read_jsonl(DATA_DIR / "facts.jsonl")
    law = {f["contract_id"]: f["value"] for f in facts if f["category"] == "governing_law"}
    for summary in load_summaries(DATA_DIR):
        assert summary.summary.startswith(summary.doc_id)
        assert law[summary.doc_id] in summary.summary


def test_environment_variable_selects_a_generated_folder(tmp_path, monkeypatch):
    from domainllm.cli.commands import main

    main(["corpus", "generate", "--out", str(tmp_path), "--contracts", "10", "--seed", "5"])
    monkeypatch.setenv("DOMAINLLM_CORPUS", str(tmp_path))
    assert len([d for d in load_corpus() if d.type != "amendment"]) == 10
    assert load_questions("train")[0].answer != load_questions("train", DATA_DIR)[0].answer
    monkeypatch.setenv("DOMAINLLM_CORPUS", "generated")
    assert len([d for d in load_corpus() if d.type != "amendment"]) == 48
