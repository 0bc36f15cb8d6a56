"""Lab 5 (knowledge graph) and the data card: typed values in contract text: durations, money, percentages, dates and company names.

Contracts write one value many ways ("ninety (90) days", "90 days", "ninety days"). Both
extractors of the knowledge-graph lab turn what they read into one canonical form per value
(``90 days``, ``USD 2,000,000``, ``50%``, ``October 2, 2021``), so that spellings compare equal,
and into a magnitude (days, dollars, percent, day number) so that values can be compared in code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from domainllm.corpus.portfolio.values import MONTHS
from domainllm.corpus.support import NUMBER_SCALES, NUMBER_UNITS, words_to_number

__all__ = [
    "COMPANY_NAME",
    "KINDS",
    "LEGAL_FORMS",
    "FoundValue",
    "canonical_value",
    "find_values",
    "strip_legal_form",
]

_WORD = "|".join(sorted([*NUMBER_UNITS, "hundred", *NUMBER_SCALES], key=len, reverse=True))
# "one hundred and twenty", "forty-five", "two million five hundred thousand"
NUMBER_WORDS = rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b"
_MONTH = "|".join(MONTHS)

# Common company legal forms, longest first so that "Pte. Ltd." wins over "Ltd".
LEGAL_FORMS = (
    "S.A. de C.V.",
    "Pte. Ltd.",
    "S.p.A.",
    "GmbH",
    "B.V.",
    "N.V.",
    "S.A.",
    "K.K.",
    "Inc.",
    "Corp.",
    "Ltd.",
    "Ltd",
    "LLC",
    "PLC",
    "plc",
    "AG",
    "AB",
    "Oy",
    "SE",
    "Co.",
)
# A trailing full stop is optional ("Inc" for "Inc."): people and models drop it.
_FORMS = "|".join(
    re.escape(form.removesuffix(".")) + (r"\.?" if form.endswith(".") else "") for form in LEGAL_FORMS
)
# One to five capitalised words followed by a legal form ("Halberd Logistics GmbH", "Kestrel Fluidics, Inc.").
COMPANY_NAME = rf"(?:[A-Z][\w&'-]*\s+){{0,4}}[A-Z][\w&'-]*,?\s+(?:{_FORMS})(?![\w])"

KINDS = ("duration", "money", "percent", "date", "company", "place")


@dataclass(frozen=True)
class FoundValue:
    """A value found at ``text[start:end]``, in canonical form, with a magnitude for comparisons."""

    canonical: str
    start: int
    end: int
    magnitude: float


def _number(figures: str | None, words: str | None) -> float | None:
    if figures:
        return float(figures.replace(",", ""))
    if words:
        value = words_to_number(words, strict=False)
        return None if value is None else float(value)
    return None


def _format_number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


_DURATION = re.compile(
    rf"\b(?:(?P<words>{NUMBER_WORDS})\s*(?:\((?P<paren>\d+)\))?|(?P<digits>\d+))\s+"
    r"(?P<unit>business\s+days?|calendar\s+days?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_DAYS_PER_UNIT = {
    "day": 1.0,
    "business day": 7 / 5,
    "calendar day": 1.0,
    "week": 7.0,
    "month": 30.0,
    "year": 365.0,
}


def _durations(text: str) -> list[FoundValue]:
    found = []
    for m in _DURATION.finditer(text):
        amount = _number(m["paren"] or m["digits"], m["words"])
        if amount is None:
            continue
        unit = " ".join(m["unit"].lower().split()).removesuffix("s")
        if unit == "calendar day":
            unit = "day"
        plural = unit if amount == 1 else f"{unit}s"
        found.append(
            FoundValue(
                f"{_format_number(amount)} {plural}", m.start(), m.end(), amount * _DAYS_PER_UNIT[unit]
            )
        )
    return found


_MONEY = re.compile(
    rf"(?:(?:USD|US\$|\$)\s?(?P<fig>\d{{1,3}}(?:,\d{{3}})+|\d+)"
    rf"|(?P<fig2>\d{{1,3}}(?:,\d{{3}})+|\d+)\s+(?:US|United States)\s+dollars"
    rf"|(?P<words>{NUMBER_WORDS})\s+(?:US|United States)\s+dollars(?:\s*\((?:USD|US\$|\$)\s?(?P<fig3>[\d,]+)\))?)",
    re.IGNORECASE,
)


def _money(text: str) -> list[FoundValue]:
    found = []
    for m in _MONEY.finditer(text):
        amount = _number(m["fig"] or m["fig2"] or m["fig3"], m["words"])
        if amount is None:
            continue
        found.append(FoundValue(f"USD {int(amount):,}", m.start(), m.end(), amount))
    return found


_PERCENT = re.compile(
    rf"(?:(?P<words>{NUMBER_WORDS})(?P<half>\s+and\s+one-half)?\s+(?:percent|per\s+cent)(?:\s*\((?P<paren>[\d.]+)%\))?"
    r"|(?P<fig>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s+cent\b))",
    re.IGNORECASE,
)


def _percents(text: str) -> list[FoundValue]:
    found = []
    for m in _PERCENT.finditer(text):
        amount = _number(m["paren"] or m["fig"], m["words"])
        if amount is None:
            continue
        if m["half"] and not m["paren"]:
            amount += 0.5
        found.append(FoundValue(f"{_format_number(amount)}%", m.start(), m.end(), amount))
    return found


_DATE = re.compile(
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})\s+(?P<y2>\d{{4}})"
    rf"|the\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)\s+day\s+of\s+(?P<m3>{_MONTH}),?\s+(?P<y3>\d{{4}})"
    r"|(?P<y4>\d{4})-(?P<n4>\d{2})-(?P<d4>\d{2}))"
)


def _dates(text: str) -> list[FoundValue]:
    found = []
    for m in _DATE.finditer(text):
        for i in "123":
            if m[f"m{i}"]:
                year, month, day = int(m[f"y{i}"]), MONTHS.index(m[f"m{i}"]) + 1, int(m[f"d{i}"])
                break
        else:
            year, month, day = int(m["y4"]), int(m["n4"]), int(m["d4"])
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        canonical = f"{MONTHS[date.month - 1]} {date.day}, {date.year}"
        found.append(FoundValue(canonical, m.start(), m.end(), float(date.toordinal())))
    return found


_COMPANY = re.compile(COMPANY_NAME)


def _companies(text: str) -> list[FoundValue]:
    return [FoundValue(m.group(0), m.start(), m.end(), 0.0) for m in _COMPANY.finditer(text)]


_PLACE_PREFIX = re.compile(
    r"^(?:(?:the\s+)?laws?\s+of\s+)?(?:the\s+)?(?:(?:State|Province|Commonwealth|Federal Republic|Republic|Kingdom)\s+of\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)


def _places(text: str) -> list[FoundValue]:
    """A place or territory named by the whole text, without "the laws of the State of" and the like."""
    cleaned = " ".join(text.split()).strip(" .,;:")
    prefix = _PLACE_PREFIX.match(cleaned)
    start = prefix.end() if prefix else 0
    name = cleaned[start:]
    if not name or not name[0].isupper() or len(name.split()) > 6:
        return []
    return [FoundValue(name, start, len(cleaned), 0.0)]


_FINDERS = {
    "duration": _durations,
    "money": _money,
    "percent": _percents,
    "date": _dates,
    "company": _companies,
    "place": _places,
}


def find_values(kind: str, text: str) -> list[FoundValue]:
    """Every value of one kind (see ``KINDS``) in ``text``, in order of appearance."""
    if kind not in _FINDERS:
        raise ValueError(f"Unknown value kind {kind!r}; choose one of {', '.join(KINDS)}.")
    return _FINDERS[kind](text)


def canonical_value(kind: str | None, text: str) -> FoundValue | None:
    """The first value of ``kind`` in ``text`` (None if there is none); kind None keeps the text as is."""
    if kind is None:
        cleaned = " ".join(text.split()).strip(" .,;:")
        return FoundValue(cleaned, 0, len(text), 0.0) if cleaned else None
    found = find_values(kind, text)
    return found[0] if found else None


def strip_legal_form(name: str) -> str:
    """``"Halberd Logistics GmbH"`` -> ``"Halberd Logistics"`` (the name people use in questions)."""
    stripped = re.sub(rf",?\s+(?:{_FORMS})$", "", name.strip())
    return stripped or name.strip()
