"""Typed values: number words, durations, money, percentages, dates, companies and places."""

from __future__ import annotations

import pytest

from domainllm.corpus.clause_values import canonical_value, find_values, strip_legal_form
from domainllm.corpus.support import words_to_number


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("one hundred and twenty", 120),
        ("forty-five", 45),
        ("two million", 2_000_000),
        ("two hundred and fifty thousand", 250_000),
        ("seven", 7),
        ("banana", None),
        ("", None),
    ],
)
def test_words_to_number(words: str, number: int | None) -> None:
    assert words_to_number(words, strict=False) == number


def canon(kind: str, text: str) -> list[str]:
    return [v.canonical for v in find_values(kind, text)]


def test_durations_in_words_figures_and_both() -> None:
    text = (
        "one hundred and twenty (120) days or more, within ninety days, on 5 business days notice, for 1 year"
    )
    assert canon("duration", text) == ["120 days", "90 days", "5 business days", "1 year"]
    assert canon("duration", "for more than three consecutive months") == []


def test_duration_magnitudes_order_units() -> None:
    months, year = find_values("duration", "18 months and 2 years")
    assert (months.magnitude, year.magnitude) == (540.0, 730.0)


def test_money_forms_share_one_canonical_form() -> None:
    text = "two hundred and fifty thousand United States dollars (USD 250,000), US$1,000,000 and 2,000,000 US dollars"
    assert canon("money", text) == ["USD 250,000", "USD 1,000,000", "USD 2,000,000"]


def test_percentages() -> None:
    text = "more than fifty percent (50%), 7.5% of Net Sales, 10 per cent, seven and one-half percent"
    assert canon("percent", text) == ["50%", "7.5%", "10%", "7.5%"]


def test_dates_in_three_styles_and_iso() -> None:
    text = "2 October 2021, the 3rd day of October, 2021, October 2, 2023 and 2021-10-02"
    assert canon("date", text) == ["October 2, 2021", "October 3, 2021", "October 2, 2023", "October 2, 2021"]
    assert canon("date", "February 30, 2021") == []


def test_company_names_with_legal_forms() -> None:
    text = 'by Kestrel Fluidics, Inc. ("Kestrel") and Halvorsen Systems Pte. Ltd. and Tidewell Systems Inc'
    assert canon("company", text) == [
        "Kestrel Fluidics, Inc.",
        "Halvorsen Systems Pte. Ltd.",
        "Tidewell Systems Inc",
    ]
    assert strip_legal_form("Ashgrove Industrial Supply S.A. de C.V.") == "Ashgrove Industrial Supply"
    assert strip_legal_form("Kestrel Fluidics, Inc.") == "Kestrel Fluidics"


def test_places_lose_the_words_around_the_name() -> None:
    assert canonical_value("place", "the laws of the State of New York").canonical == "New York"
    assert canonical_value("place", "The law of the Province of Ontario").canonical == "Ontario"
    assert canonical_value("place", "the Nordic countries").canonical == "Nordic countries"
    assert canonical_value("place", "conflict of law rules") is None


def test_free_text_and_unknown_kinds() -> None:
    assert canonical_value(None, "  municipal water treatment. ").canonical == "municipal water treatment"
    assert canonical_value("duration", "no number here") is None
    with pytest.raises(ValueError, match="Unknown value kind"):
        find_values("colour", "red")
