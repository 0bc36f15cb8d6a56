"""Lab 4b: the kind of value a question asks for, and whether a span is one."""

from __future__ import annotations

import pytest

from domainllm.rag.readers.answer_kinds import expected_kind, fits_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which law governs the supply agreement SUP-00001?", "place"),
        ("How much notice is needed to stop SUP-00001 from renewing?", "duration"),
        ("Within what time must a breach of LIC-00003 be cured?", "duration"),
        ("What is the maximum aggregate liability under LIC-00003?", "money"),
        ("When was the supply agreement SUP-00001 entered into?", "date"),
        ("What shareholding threshold triggers the change of control clause?", "percent"),
        ("Which company signed the mutual non-disclosure agreement NDA-00007?", "company"),
        ("Summarize the agreement.", None),
    ],
)
def test_the_question_names_the_kind_of_answer(question: str, kind: str | None) -> None:
    assert expected_kind(question) == kind


def test_a_span_fits_when_the_value_is_most_of_it() -> None:
    assert fits_kind("duration", "thirty (30) days")
    assert fits_kind("date", "the 2nd day of October, 2021")
    assert fits_kind("money", "USD 2,000,000.")
    assert not fits_kind("duration", "Halberd Logistics GmbH")
    assert not fits_kind(
        "duration", "either party may terminate on thirty (30) days written notice to the other"
    )
    assert not fits_kind("date", "   ")


def test_a_place_is_a_named_place_not_a_company_or_a_bare_place_noun() -> None:
    assert fits_kind("place", "the Federal Republic of Germany") and fits_kind("place", "Benelux")
    assert fits_kind("place", "the laws of the State of New York")
    assert not fits_kind("place", "Fairhaven Coatings K.K.")  # a company
    assert not fits_kind("place", "the Province") and not fits_kind("place", "the Federal Republic")
    assert expected_kind("Which region does the exclusivity cover?") == "place"
