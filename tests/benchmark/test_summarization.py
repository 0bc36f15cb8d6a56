"""Summarization task: prompts, sampling and ROUGE-L scoring."""

from __future__ import annotations

import pytest

from domainllm.benchmark.summarization import (
    key_term_coverage,
    key_terms_of,
    score_summaries,
    summary_messages,
    summary_sample,
)
from domainllm.corpus.questions import Summary, load_summaries
from domainllm.rag.chunking import Chunk

REFERENCE = Summary("summary-1", "SUP-00001", "the cap is usd 2,000,000 and the term is two years")


def output(text: str, item_id: str = "summary-1") -> dict[str, object]:
    return {
        "id": item_id,
        "doc_id": "SUP-00001",
        "summary": text,
        "prompt_tokens": 10,
        "completion_tokens": 5,
    }


def test_closed_book_request_names_the_contract_and_has_no_context() -> None:
    messages = summary_messages("SUP-00001", None)
    assert messages[-1]["content"] == "Summarize the key terms of the contract SUP-00001."
    assert "Context" not in messages[-1]["content"]


def test_rag_request_numbers_the_passages_and_asks_to_use_only_them() -> None:
    chunk = Chunk("c1", "SUP-00001", 0, 25, "The cap is USD 2,000,000.", {"section": "12. Liability"})
    messages = summary_messages("SUP-00001", [chunk])
    assert "Use only the numbered context passages" in messages[0]["content"]
    assert "[1] (SUP-00001, 12. Liability)\nThe cap is USD 2,000,000." in messages[1]["content"]


def test_rouge_l_of_a_summary_is_computed_by_hand() -> None:
    # Prediction "the cap is usd 2,000,000" (rouge tokenizer: the cap is usd 2 000 000, 7 tokens);
    # the reference has 13 tokens and contains all 7 in order: recall 7/13, precision 1.
    report = score_summaries([output("the cap is usd 2,000,000")], [REFERENCE])
    assert report["per_item"]["rouge_l_recall"] == [pytest.approx(7 / 13)]
    assert report["per_item"]["rouge_l_f1"] == [pytest.approx(2 * (7 / 13) / (1 + 7 / 13))]
    assert report["n"] == 1 and report["tokens"] == {"prompt": 10, "completion": 5}


def test_a_summary_without_a_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="No reference summary"):
        score_summaries([output("text", item_id="summary-unknown")], [REFERENCE])


def test_no_summaries_gives_an_empty_report() -> None:
    report = score_summaries([], [])
    assert report["n"] == 0 and report["metrics"] == {}


def test_sample_is_seeded_and_drawn_from_the_corpus_summaries() -> None:
    summaries = load_summaries()
    first, again = summary_sample(summaries, 4, seed=0), summary_sample(summaries, 4, seed=0)
    assert first == again and len(first) == 4 and set(first) <= set(summaries)


def test_key_term_coverage_counts_the_values_a_summary_states() -> None:
    terms = [["USD 2,000,000"], ["Ohio"], ["30 days", "thirty days"]]
    summary = "The cap is USD 2,000,000 and notice takes thirty days."
    assert key_term_coverage(summary, terms) == pytest.approx(2 / 3)
    assert key_term_coverage("A contract about confidentiality.", terms) == 0.0


def test_key_terms_keep_only_current_facts_by_contract() -> None:
    facts = [
        {"contract_id": "SUP-1", "value": "USD 1,000,000", "aliases": [], "current": False},
        {"contract_id": "SUP-1", "value": "USD 2,000,000", "aliases": ["2M"], "current": True},
        {"contract_id": "LIC-2", "value": "Ohio", "current": True},
    ]
    assert key_terms_of(facts) == {"SUP-1": [["USD 2,000,000", "2M"]], "LIC-2": [["Ohio"]]}


def test_coverage_is_scored_when_the_contract_has_key_terms() -> None:
    report = score_summaries(
        [output("the cap is usd 2,000,000")], [REFERENCE], {"SUP-00001": [["USD 2,000,000"], ["Ohio"]]}
    )
    assert report["per_item"]["key_terms"] == [0.5]
    with pytest.raises(ValueError, match="No key terms"):
        key_term_coverage("text", [])
