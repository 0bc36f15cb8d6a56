"""The pattern extractor and the scoring of triples against gold facts."""

from __future__ import annotations

import pytest

from domainllm.corpus.documents import load_corpus
from domainllm.graph.triple_extraction import (
    CategoryScore,
    GoldFact,
    PatternExtractor,
    Triple,
    classify_sentence,
    clause_headings,
    load_gold_facts,
    score_triples,
    total_score,
)
from tests.graph.kg_fixtures import portfolio


@pytest.mark.parametrize(
    ("sentence", "heading", "expected"),
    [
        ("3.2 Invoices are payable ninety days after receipt.", "", ("payment_terms", "90 days")),
        (
            "4.4 Either party may elect not to renew by notifying the other party 120 days or more in advance.",
            "",
            ("notice_period_to_terminate_renewal", "120 days"),
        ),
        ("4.3 Each renewal term shall last three years.", "", ("renewal_term", "3 years")),
        (
            "4.2 Unless terminated earlier, the Initial Term shall run from the Effective Date until March 1, 2025.",
            "",
            ("expiration_date", "March 1, 2025"),
        ),
        (
            "10.1 The Licensor shall insure its liabilities for a minimum sum of USD 5,000,000 for any one claim.",
            "",
            ("insurance", "USD 5,000,000"),
        ),
        (
            "All questions shall be determined under the law of the Province of Ontario.",
            "",
            ("governing_law", "Ontario"),
        ),
        (
            "8.2 The obligations in this Section survive for two (2) years after termination.",
            "8. Confidentiality",
            ("confidentiality_period", "2 years"),
        ),
    ],
)
def test_sentences_are_classified_and_read(sentence: str, heading: str, expected: tuple[str, str]) -> None:
    found = classify_sentence(sentence, heading)
    assert found is not None and found[:2] == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "3.1 Prices are exclusive of value added tax and similar taxes.",
        'AND Vantor Software S.p.A., a company organised under the laws of Italy (the "Licensor").',
        "8.2 The obligations in this Section survive for two (2) years after termination.",  # no heading
        "11.1 The Supplier shall keep complete records for at least six years.",
    ],
)
def test_sentences_without_a_fact_give_nothing(sentence: str) -> None:
    assert classify_sentence(sentence) is None


def test_clause_headings_map_numbers_to_sections() -> None:
    headings = clause_headings(portfolio()[0].text)
    assert headings["8.2"] == "8. Confidentiality" and headings["14.1"] == "14. Governing Law"


def test_extractor_reads_contracts_and_amendments() -> None:
    extractor = PatternExtractor()
    triples = extractor.extract_all(portfolio())
    facts = {(t.doc_id, t.category): t.value for t in triples}
    assert facts[("SUP-00001", "contract_type")] == "Supply Agreement"
    assert facts[("SUP-00001", "owner")] == "Kestrel Fluidics, Inc."
    assert facts[("SUP-00001", "parties")] == "Halberd Logistics GmbH"
    assert facts[("SUP-00001", "agreement_date")] == "October 2, 2021"
    assert facts[("SUP-00001", "payment_terms")] == "90 days"
    assert facts[("SUP-00001", "cap_on_liability")] == "USD 1,000,000"
    assert facts[("SUP-00001", "governing_law")] == "Ohio"
    assert facts[("SUP-00001", "confidentiality_period")] == "3 years"
    # The amendment: its link, its date and the replaced clause, read in the context of section 8.
    assert facts[("SUP-00001-A1", "amends")] == "SUP-00001"
    assert facts[("SUP-00001-A1", "amendment_date")] == "June 3, 2022"
    assert facts[("SUP-00001-A1", "confidentiality_period")] == "7 years"
    assert ("SUP-00001-A1", "parties") not in facts and ("SUP-00001-A1", "governing_law") not in facts
    # No signature date, no "exclusive of VAT" territory.
    assert not any(t.category in ("exclusivity", "effective_date") for t in triples)
    text = portfolio()[0].text
    payment = next(t for t in triples if (t.doc_id, t.category) == ("SUP-00001", "payment_terms"))
    assert text[payment.start : payment.end].startswith("3.2 Invoices are payable ninety days")


def test_extractor_matches_the_gold_facts_of_real_contracts() -> None:
    documents = [d for d in load_corpus() if d.id in ("SUP-00001", "SUP-00001-A1", "NDA-00007")]
    gold = [g for g in load_gold_facts() if g.doc_id in {d.id for d in documents}]
    total = total_score(score_triples(PatternExtractor().extract_all(documents), gold))
    assert total.fn == 0 and total.fp == 0 and total.tp == len(gold)


def fact(doc_id: str, category: str, value: str, *aliases: str) -> GoldFact:
    return GoldFact(doc_id, doc_id, category, value, aliases, 0, 10)


def test_scoring_counts_true_and_false_positives_and_misses() -> None:
    gold = [
        fact("A", "payment_terms", "90 days", "ninety (90) days"),
        fact("B", "payment_terms", "30 days"),
        fact("A", "governing_law", "Ohio"),
    ]
    predicted = [
        Triple("A", "payment_terms", "Ninety (90) days"),  # an alias, any case: right
        Triple("A", "payment_terms", "90 days"),  # the same fact twice: the second is a false positive
        Triple("B", "payment_terms", "45 days"),  # wrong value
        Triple("C", "payment_terms", "30 days"),  # no such fact in C
        Triple("A", "contract_type", "Supply Agreement"),  # document relations are not scored
    ]
    scores = score_triples(predicted, gold)
    assert scores["payment_terms"] == CategoryScore(tp=1, fp=3, fn=1)
    assert scores["governing_law"] == CategoryScore(tp=0, fp=0, fn=1)
    assert scores["payment_terms"].precision == 0.25 and scores["payment_terms"].recall == 0.5
    assert scores["payment_terms"].f1 == pytest.approx(2 * 0.25 * 0.5 / 0.75)
    assert scores["governing_law"].precision is None and scores["governing_law"].f1 is None
    assert set(score_triples(predicted, gold, categories=["governing_law"])) == {"governing_law"}
    assert total_score(scores) == CategoryScore(1, 3, 2)


def test_gold_facts_load_with_references() -> None:
    gold = load_gold_facts()
    assert len(gold) == 810
    amended = [g for g in gold if g.doc_id == "SUP-00001-A1"]
    assert amended[0].category == "cap_on_liability" and "US$2,000,000" in amended[0].references
    assert sum(not g.current for g in gold) == 10
