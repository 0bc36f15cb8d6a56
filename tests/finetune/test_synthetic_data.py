"""Synthetic data, leakage and fact checks: pairs, parsing, de-duplication, leaks, gold labels (tiny corpus, fakes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainllm.cache.records import JsonDiskCache
from domainllm.corpus.documents import load_corpus
from domainllm.finetune.fact_checks import (
    PROBE_KINDS,
    Probe,
    asked_categories,
    gold_correct,
    judge_probes,
    probe_win_rates,
)
from domainllm.finetune.judge import LexicalJudge
from domainllm.finetune.leakage import LeakageError, fresh_contract_ids, leakage_report, without_leaks
from domainllm.finetune.llm_pairs import MalformedOutput, generate_llm_pairs, name_contract, parse_pair
from domainllm.finetune.passages import (
    facts_by_chunk,
    load_facts,
    passage_chunks,
    sample_passages,
    training_documents,
)
from domainllm.finetune.qa_pairs import QAPair, closest_questions, deduplicate
from domainllm.finetune.synthetic_data import SOURCES, build_synthetic_set, training_pairs
from domainllm.finetune.template_pairs import template_pairs
from domainllm.runtime.generation import Completion

SUPPLY = """# Supply Agreement

Agreement No. SUP-00001

This Agreement is entered into by Kestrel Fluidics, Inc. ("Kestrel") and Halberd Logistics GmbH (the "Supplier").

## 3. Payment

3.2 The Buyer shall pay each invoice within ninety days of receipt. The cure period for a breach is thirty (30) days.

## 14. Governing Law

14.1 This Agreement is governed by the laws of the State of Ohio.
"""
AMENDMENT = """# First Amendment to Supply Agreement SUP-00001

1.1 The liability cap of the Agreement is replaced by USD 3,000,000.
"""
FRESH = """# Master Services Agreement

Agreement No. SRV-00005

The Customer shall pay each invoice within 30 days.
"""
FRESH_AMENDMENT = """# First Amendment to Master Services Agreement SRV-00005

1.1 The payment period is replaced by 45 days.
"""


def _front(doc_id: str, title: str, kind: str, batch: str, extra: str = "") -> str:
    return (
        f'---\nid: "{doc_id}"\ntitle: "{title}"\ntype: "{kind}"\n'
        f'parties: ["Kestrel Fluidics, Inc.", "Halberd Logistics GmbH"]\neffective_date: "2021-10-03"\n'
        f'batch: "{batch}"\n{extra}---\n'
    )


def _fact(doc_id, contract_id, category, value, surface, body, aliases=(), current=True):
    start = body.index(surface)
    return {
        "id": f"{doc_id}/{category}",
        "contract_id": contract_id,
        "doc_id": doc_id,
        "category": category,
        "value": value,
        "aliases": list(aliases),
        "start": start,
        "end": start + len(surface),
        "current": current,
    }


def _question(qid, split, text, doc_id, answer="x"):
    evidence = [{"doc_id": doc_id, "start": 0, "end": 5}]
    fields = {"category": "payment_terms", "split": split, "template": "t"}
    return {"id": qid, "question": text, "answer": answer, "evidence": evidence, **fields}


PARAPHRASE = (
    "How long after invoicing is payment due under the supply agreement SUP-00001 with Halberd Logistics?"
)
FRESH_QUESTION = "What are the payment terms of the master services agreement SRV-00005 with Corvane Motors?"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A two-contract portfolio (one fresh) with an amendment each, facts and one question per split."""
    root = tmp_path / "data"
    (root / "corpus").mkdir(parents=True)
    (root / "qa").mkdir()
    docs = {
        "SUP-00001": (
            _front("SUP-00001", "Supply Agreement between Kestrel and Halberd", "supply", "train"),
            SUPPLY,
        ),
        "SUP-00001-A1": (
            _front("SUP-00001-A1", "First Amendment", "amendment", "train", 'amends: "SUP-00001"\n'),
            AMENDMENT,
        ),
        "SRV-00005": (
            _front("SRV-00005", "Master Services Agreement between K and C", "services", "fresh"),
            FRESH,
        ),
        "SRV-00005-A1": (
            _front("SRV-00005-A1", "First Amendment", "amendment", "train", 'amends: "SRV-00005"\n'),
            FRESH_AMENDMENT,
        ),
    }
    for doc_id, (front, body) in docs.items():
        (root / "corpus" / f"{doc_id}.md").write_text(front + body)
    facts = [
        _fact("SUP-00001", "SUP-00001", "parties", "Halberd Logistics GmbH", "Halberd Logistics GmbH", SUPPLY,
              ["Halberd Logistics"]),
        _fact("SUP-00001", "SUP-00001", "payment_terms", "90 days", "ninety days", SUPPLY, ["ninety days"]),
        _fact("SUP-00001", "SUP-00001", "termination_for_breach", "30 days", "thirty (30) days", SUPPLY),
        _fact("SUP-00001", "SUP-00001", "governing_law", "Ohio", "Ohio", SUPPLY),
        _fact("SUP-00001", "SUP-00001", "insurance", "USD 1", "Supply", SUPPLY, current=False),
        _fact("SUP-00001-A1", "SUP-00001", "cap_on_liability", "USD 3,000,000", "USD 3,000,000", AMENDMENT),
        _fact("SRV-00005", "SRV-00005", "payment_terms", "30 days", "30 days", FRESH),
    ]  # fmt: skip
    (root / "facts.jsonl").write_text("".join(json.dumps(f) + "\n" for f in facts))
    questions = {
        "train": [_question("train-1", "train", "What are the payment terms of SUP-00001?", "SUP-00001")],
        "dev": [
            _question(
                "dev-1", "dev", "Name the insurer of the warehouse stock held under SUP-00001.", "SUP-00001"
            )
        ],
        "test_paraphrase": [_question("tp-1", "test_paraphrase", PARAPHRASE, "SUP-00001")],
        "test_fresh": [_question("tf-1", "test_fresh", FRESH_QUESTION, "SRV-00005")],
        "test_multidoc": [
            _question(
                "tm-1", "test_multidoc", "How many of Kestrel's Supply Agreements name Ohio law?", "SUP-00001"
            )
        ],
    }
    for split, rows in questions.items():
        (root / "qa" / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def _pair(question: str, doc_id: str = "SUP-00001", answer: str = "90 days", source: str = "llm") -> QAPair:
    return QAPair(question, answer, doc_id, source, "evidence", f"{doc_id}:sentence:0")


# ---------------------------------------------------------------- corpus and templates


def test_fresh_contracts_and_their_amendments_are_held_out(corpus: Path) -> None:
    assert fresh_contract_ids(corpus) == {"SRV-00005", "SRV-00005-A1"}
    assert [d.id for d in training_documents(corpus)] == ["SUP-00001", "SUP-00001-A1"]


def test_template_pairs_state_each_current_fact(corpus: Path) -> None:
    chunks = passage_chunks(training_documents(corpus))
    pairs = template_pairs(chunks, load_facts(corpus), load_corpus(corpus))
    by_category = {p.category: p for p in pairs}
    # One pair per current fact; the superseded insurance fact is skipped.
    expected = {"parties", "payment_terms", "termination_for_breach", "governing_law", "cap_on_liability"}
    assert set(by_category) == expected
    payment = by_category["payment_terms"]
    assert payment.question == (
        "How long does the paying party have to settle an invoice under SUP-00001 (supply agreement with "
        "Halberd Logistics)?"
    )
    assert payment.answer == "90 days" and payment.source == "template" and "ninety days" in payment.evidence
    assert by_category["parties"].question == "Apart from Kestrel, who signed SUP-00001 (supply agreement)?"
    cap = by_category["cap_on_liability"]
    assert cap.doc_id == "SUP-00001-A1" and "SUP-00001 (supply agreement" in cap.question
    assert all(gold_correct(p, facts_by_chunk(chunks, load_facts(corpus))[p.chunk_id]) for p in pairs)
    record = {"question": payment.question, "answer": "90 days", "doc_id": "SUP-00001", "source": "template"}
    assert payment.record() == record


def test_sample_passages_is_seeded_and_keeps_order(corpus: Path) -> None:
    chunks = passage_chunks(training_documents(corpus))
    first = sample_passages(chunks, 2, seed=3)
    assert first == sample_passages(chunks, 2, seed=3) and len(first) == 2
    assert [chunks.index(c) for c in first] == sorted(chunks.index(c) for c in first)
    assert sample_passages(chunks, 100) == chunks


# ---------------------------------------------------------------- gold checks and probes


def test_gold_correct_checks_free_form_pairs_against_the_asked_category(corpus: Path) -> None:
    facts = [f for f in load_facts(corpus) if f["doc_id"] == "SUP-00001" and f["current"]]
    ask = "In SUP-00001, within how many days must an invoice be paid?"
    assert gold_correct(_pair(ask, answer="ninety (90) days"), facts) is True
    assert (
        gold_correct(_pair(ask, answer="30 days"), facts) is False
    )  # the cure period, not the payment period
    assert gold_correct(
        _pair("In SUP-00001, how long is the cure period for a breach?", answer="30 days"), facts
    )
    assert gold_correct(_pair("In SUP-00001, who signs purchase orders?", answer="the Buyer"), facts) is None


def test_asked_categories_match_word_starts_only() -> None:
    assert asked_categories("When does the agreement end?") == {"expiration_date"}
    assert asked_categories("What is the yearly minimum spend?") == {"minimum_commitment"}  # not "end"
    assert asked_categories("Which law governs it?") == {"governing_law"}
    assert asked_categories("Who signs purchase orders?") == {"minimum_commitment"}


def test_judge_probes_pair_each_true_value_with_wrong_ones(corpus: Path) -> None:
    chunks = passage_chunks(training_documents(corpus))
    facts = load_facts(corpus)
    pairs = [p for p in template_pairs(chunks, facts, load_corpus(corpus)) if p.category == "payment_terms"]
    probes = judge_probes(pairs, chunks, facts)
    assert [(p.kind, p.correct) for p in probes] == [
        ("true value", True),
        ("value from another contract", False),
        ("other value in the passage", False),
    ]
    assert [p.pair.answer for p in probes] == ["90 days", "30 days", "30 days"]
    verdicts = LexicalJudge().grade_many([p.pair.item for p in probes])
    assert [v.keep for v in verdicts] == [True, True, True]  # 30 days is in the passage: lexical cannot tell


def test_probe_win_rates_compare_scores_within_a_question() -> None:
    a, b = _pair("Q1?"), _pair("Q2?")
    probes = [Probe(p, kind, kind == PROBE_KINDS[0]) for p in (a, b) for kind in PROBE_KINDS]
    scores = [0.9, 0.1, 0.95, 0.5, 0.5, 0.2]  # Q1: beats other contract, loses to passage; Q2: tie, beats
    rates = probe_win_rates(probes, scores)
    assert rates["value from another contract"].mean == pytest.approx(0.75)
    assert rates["other value in the passage"].mean == pytest.approx(0.5)


# ---------------------------------------------------------------- parsing LLM output


def test_parse_pair_accepts_exactly_two_lines() -> None:
    assert parse_pair("Question: When must invoices be paid?\nAnswer: 90 days.") == (
        "When must invoices be paid?",
        "90 days",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The contract says 90 days.", "no question line"),
        ("Question: When must invoices be paid?", "no answer line"),
        ("Question: When must invoices be paid?\nAnswer: 90 days\nQuestion: And?", "extra text"),
        ("Question: When must invoices be paid\nAnswer: 90 days", "question without '?'"),
        ("Question: When must invoices be paid?\nAnswer: .", "empty answer"),
        ("Question: When must invoices be paid?\nAnswer: " + "very " * 12 + "late", "answer too long"),
    ],
)
def test_parse_pair_rejects_malformed_output(text: str, reason: str) -> None:
    with pytest.raises(MalformedOutput) as caught:
        parse_pair(text)
    assert caught.value.reason == reason


def test_name_contract_adds_the_passage_contract() -> None:
    assert (
        name_contract("What is the payment period?", "SUP-00001")
        == "In SUP-00001, what is the payment period?"
    )
    assert name_contract("Kestrel pays when?", "SUP-00001-A1") == "In SUP-00001, Kestrel pays when?"
    assert name_contract("When does SUP-00001 end?", "SUP-00001") == "When does SUP-00001 end?"
    with pytest.raises(MalformedOutput, match="names another contract"):
        name_contract("When does SRV-00099 end?", "SUP-00001")


class FakeChat:
    """Answers each passage with the next canned output; counts the passages it was asked about."""

    def __init__(self, outputs: list[tuple[str, int]]) -> None:
        self.outputs = outputs
        self.asked = 0

    def chat(self, conversations, system=None, max_new_tokens=48, batch_size=8, progress=None):
        replies = [
            Completion(text, 100, tokens) for text, tokens in self.outputs[self.asked :][: len(conversations)]
        ]
        self.asked += len(conversations)
        return replies


def test_generate_llm_pairs_parses_counts_rejects_and_caches(corpus: Path, tmp_path: Path) -> None:
    chunks = passage_chunks(training_documents(corpus))[:4]
    outputs = [
        ("Question: Within how many days must invoices be paid?\nAnswer: 90 days", 15),
        ("Question: What is this?\nAnswer: " + "word " * 20, 40),  # used all 40 tokens: cut off
        ("Here is a question about the contract.", 9),
        ("Question: When does SRV-00099 end?\nAnswer: 2025", 12),
    ]
    generator = FakeChat(outputs)
    cache = JsonDiskCache("pairs", tmp_path / "cache")
    result = generate_llm_pairs(chunks, generator, cache=cache)
    assert [p.question for p in result.pairs] == [
        f"In {chunks[0].doc_id}, within how many days must invoices be paid?"
    ]
    assert result.pairs[0].source == "llm" and result.pairs[0].evidence == chunks[0].text
    reasons = {"cut off at the token limit": 1, "no question line": 1, "names another contract": 1}
    assert dict(result.reasons()) == reasons
    again = generate_llm_pairs(chunks, FakeChat([]), cache=JsonDiskCache("pairs", tmp_path / "cache"))
    assert again.pairs == result.pairs and again.rejected == result.rejected  # nothing regenerated


# ---------------------------------------------------------------- de-duplication


def test_deduplicate_drops_repeats_about_the_same_contract_only() -> None:
    first = _pair("What is the payment period of SUP-00001?", source="template")
    same = _pair("What is the payment period of SUP-00001 ?")
    near = _pair("So what is the payment period of SUP-00001?")  # Jaccard 6/7
    other_contract = _pair("What is the payment period of SUP-00002?", doc_id="SUP-00002")
    different = _pair("Which law governs SUP-00001?")
    kept, dropped = deduplicate([first, same, near, other_contract, different])
    assert kept == [first, other_contract, different]
    assert [(d.dropped, d.kept) for d in dropped] == [(same, first), (near, first)]
    assert dropped[0].similarity == 1.0 and dropped[1].similarity == pytest.approx(6 / 7)
    closest = closest_questions(kept)
    assert (closest.kept, closest.dropped) == (first, different)
    assert closest.similarity == pytest.approx(1 / 9)  # only the contract id is shared
    assert closest_questions([first, other_contract]) is None


# ---------------------------------------------------------------- leakage


def test_clean_pairs_pass_the_leakage_check(corpus: Path) -> None:
    report = leakage_report([_pair("Which law governs SUP-00001?")], source=corpus)
    assert report.ok and report.counts() == {"exact": 0, "near": 0, "fresh contract": 0}
    assert report.test_questions == {"dev": 1, "test_paraphrase": 1, "test_fresh": 1, "test_multidoc": 1}
    assert "no leakage" in str(report)


def test_every_kind_of_leak_is_found(corpus: Path) -> None:
    pairs = [
        _pair(PARAPHRASE.upper()),  # exact after normalization
        _pair(
            PARAPHRASE.replace("SUP-00001", "SUP-00002"), doc_id="SUP-00002"
        ),  # test wording, other contract
        _pair("Tell me: how long after invoicing is payment due under the supply agreement, in short words?"),
        _pair("When must invoices be paid?", doc_id="SRV-00005"),  # drawn from a fresh contract
        _pair("When must invoices be paid?", doc_id="SRV-00005-A1"),  # from its amendment
        _pair("Does SRV-00005 renew?"),  # names a fresh contract
        _pair("Which law governs SUP-00001?"),  # clean
    ]
    report = leakage_report(pairs, source=corpus, raise_on_leak=False)
    kinds = ["exact", "near", "near", "fresh contract", "fresh contract", "fresh contract"]
    assert [(leak.index, leak.kind) for leak in report.leaks] == list(enumerate(kinds))
    assert report.leaks[1].similarity == 1.0 and report.leaks[1].test_id == "tp-1"
    assert report.leaks[2].similarity < 0.8  # caught by the shared 8-token run alone
    assert without_leaks(pairs, report) == [pairs[6]]
    with pytest.raises(LeakageError, match="6 training pair"):
        leakage_report(pairs, source=corpus)
    with pytest.raises(ValueError, match="not these"):
        without_leaks(pairs[:2], report)


def test_leakage_report_accepts_records(corpus: Path) -> None:
    records = [{"question": FRESH_QUESTION, "answer": "30 days", "doc_id": "SUP-00001", "source": "llm"}]
    report = leakage_report(records, source=corpus, raise_on_leak=False)
    assert [leak.kind for leak in report.leaks] == ["fresh contract"]  # the question names SRV-00005


# ---------------------------------------------------------------- the pipeline


def test_training_pairs_runs_the_whole_pipeline(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path / "cache"))
    generator = FakeChat(
        [("Question: Within how many days must an invoice be paid?\nAnswer: ninety days", 14)] * 9
    )
    built = build_synthetic_set(generator, LexicalJudge(), source=corpus, n_passages=10)
    assert {p.doc_id for p in built.passages} <= {"SUP-00001", "SUP-00001-A1"}
    assert len(built.templates) == 5 and built.leakage.ok
    # Each passage got the same LLM question: one per contract survives de-duplication.
    assert sum(p.source == "llm" for p in built.pairs) == len({p.doc_id[:9] for p in built.llm.pairs})
    records = training_pairs(FakeChat([]), LexicalJudge(), source=corpus, n_passages=10)  # from the cache
    assert records == built.records()
    assert {r["source"] for r in records} <= set(SOURCES)
    assert set(records[0]) == {"question", "answer", "doc_id", "source"}
