"""Clause categories of questions and sentences, and how they steer the extractive reader (lab 4b)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from domainllm.corpus.records import Document, Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.readers.clause_types import (
    clause_types,
    clause_types_digest,
    fit_clause_types,
    labelled_clauses,
)
from domainllm.rag.readers.extractive import TYPE_WEIGHT
from domainllm.rag.readers.span_model import SpanGuess
from tests.rag.test_span_reader_parts import FixedScores

TEXT = (
    "4.3 Each renewal term shall last 2 years. "
    "4.4 Either party may elect not to renew by notifying the other party 90 days in advance."
)
RENEWAL, NOTICE = TEXT.index("2 years"), TEXT.index("90 days")
NOTICE_QUESTION = "What notice prevents the automatic renewal of the agreement?"


def _question(i: int, wording: str, category: str, start: int, form: str = "value") -> Question:
    end = TEXT.index(".", start) + 1
    return Question(
        f"q{i}",
        wording,
        "x",
        (),
        (Evidence("D", TEXT.rfind("4.", 0, start), end),),
        category,
        "train",
        "T",
        form=form,
    )


def _bag_of_words(texts: list[str]) -> np.ndarray:
    """A tiny deterministic text encoder for the classifier logic: word counts over a fixed vocabulary."""
    vocabulary = ["renewal", "term", "last", "long", "notice", "renew", "notifying", "advance", "stop"]
    rows = [[re.findall(r"[a-z]+", t.lower()).count(w) for w in vocabulary] for t in texts]
    return np.asarray(rows, dtype=float)


def test_only_single_document_value_questions_with_evidence_are_labelled() -> None:
    document = Document("D", "t", "supply", ("A", "B"), "2020-01-01", TEXT)
    kept = _question(0, "How long is a renewal term?", "renewal_term", RENEWAL)
    clause = _question(1, "Highlight the renewal clause.", "renewal_term", RENEWAL, form="clause")
    unlabelled = dataclasses.replace(kept, id="q2", category="")
    two_contracts = dataclasses.replace(kept, id="q3", evidence=(*kept.evidence, Evidence("E", 0, 5)))
    wording, clauses, categories = labelled_clauses([kept, clause, unlabelled, two_contracts], [document])
    assert wording == ["How long is a renewal term?"]
    assert clauses == ["4.3 Each renewal term shall last 2 years."]
    assert categories == ["renewal_term"]


def test_a_question_agrees_most_with_a_sentence_of_its_own_category() -> None:
    wording = ["How long does a renewal term last?", "How long is each renewal term?"] + [
        "How much notice stops renewal?",
        "What advance notice prevents renewal?",
    ]
    clauses = ["Each renewal term shall last 1 year.", "The renewal term is 3 years."] + [
        "A party may elect not to renew by notifying 60 days in advance.",
        "Notice of non-renewal must be given 30 days in advance.",
    ]
    categories = ["renewal_term"] * 2 + ["notice_period_to_terminate_renewal"] * 2
    types = fit_clause_types(wording, clauses, categories, _bag_of_words)
    assert types is not None and types.categories == sorted(set(categories))
    sentences = _bag_of_words(
        ["Each renewal term shall last 2 years.", "Notify 90 days in advance to stop renewal."]
    )
    agreement = types.agreement(_bag_of_words(["What notice stops renewal?"])[0], sentences)
    assert agreement.shape == (2,) and agreement[1] > 0.5 > agreement[0]
    assert types.agreement(sentences[0], sentences[:0]).shape == (0,)
    assert fit_clause_types(wording[:2], clauses[:2], categories[:2], _bag_of_words) is None  # one category


@pytest.mark.slow
def test_the_trained_categories_decide_between_two_values_of_one_kind() -> None:
    """With the classifiers fitted on the generated portfolio's train questions, the notice period
    beats the renewal term that the span scores (fixed here) put first."""

    types = clause_types()
    assert types is not None and types.digest == clause_types_digest()  # the cache key needs no fitting
    assert types.categories_of(NOTICE_QUESTION, top=1)[0][0] == "notice_period_to_terminate_renewal"
    renewal, notice = types.agreement_with(
        NOTICE_QUESTION, [TEXT[: TEXT.index("4.4")], TEXT[TEXT.index("4.4") :]]
    )
    assert notice > 0.5 > renewal
    question = _question(0, NOTICE_QUESTION, "", NOTICE)
    passages = [Chunk("c0", "D", 0, len(TEXT), TEXT)]
    options = {"rank_penalty": 0.0, "sentence_weight": 0.0}
    guesses = [SpanGuess(0, RENEWAL, RENEWAL + 7, 6.0), SpanGuess(0, NOTICE, NOTICE + 7, 5.0)]
    assert FixedScores(guesses, type_weight=0.0, **options).read_one(question, passages).answer == "2 years"
    assert (
        FixedScores(guesses, type_weight=TYPE_WEIGHT, **options).read_one(question, passages).answer
        == "90 days"
    )
