"""Data card: fact values and their written forms: numbers in words and figures, money, dates, durations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def number_words(n: int) -> str:
    """Spell a non-negative integer in English words (``45`` -> ``forty-five``)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Value:
    """One fact value: the canonical answer, accepted variants, the form written in the text.

    ``magnitude`` orders comparable values (days for durations, dollars for money).
    """

    canonical: str
    aliases: tuple[str, ...]
    surface: str
    magnitude: float = 0.0

    @property
    def references(self) -> tuple[str, ...]:
        """The canonical answer followed by every alias."""
        return (self.canonical, *self.aliases)


def _unique(forms: list[str], canonical: str) -> tuple[str, ...]:
    seen = {canonical}
    out = []
    for form in forms:
        if form not in seen:
            seen.add(form)
            out.append(form)
    return tuple(out)


def duration(amount: int, unit: str, style: int) -> Value:
    """A duration such as ``30 days``; ``style`` picks words-and-figures, figures or words."""
    plural = unit if amount != 1 else unit.rstrip("s")
    words = number_words(amount)
    forms = [f"{words} ({amount}) {plural}", f"{amount} {plural}", f"{words} {plural}"]
    canonical = f"{amount} {plural}"
    extra = []
    if unit == "months" and amount % 12 == 0:
        years = amount // 12
        extra.append(f"{years} year" + ("s" if years != 1 else ""))
    if unit == "years":
        extra.append(f"{amount * 12} months")
    per_day = {"days": 1, "business days": 1.4, "months": 30, "years": 365}[unit]
    return Value(canonical, _unique(forms + extra, canonical), forms[style % 3], amount * per_day)


def money(amount: int, style: int, currency: str = "USD") -> Value:
    """An amount of money such as ``USD 2,000,000`` in one of three written styles."""
    figures = f"{amount:,}"
    canonical = f"{currency} {figures}"
    forms = [
        canonical,
        f"{number_words(amount)} United States dollars ({currency} {figures})",
        f"US${figures}",
    ]
    aliases = [*forms, f"${figures}", f"{figures} US dollars", f"{number_words(amount)} US dollars"]
    return Value(canonical, _unique(aliases, canonical), forms[style % 3], float(amount))


def percent(amount: float, style: int) -> Value:
    """A percentage such as ``50%``; fractional halves are spelled ``seven and one-half``."""
    figures = f"{amount:g}"
    whole = int(amount)
    words = number_words(whole) + (" and one-half" if amount != whole else "")
    forms = [f"{words} percent ({figures}%)", f"{figures}%", f"{figures} per cent"]
    canonical = f"{figures}%"
    aliases = [*forms, f"{figures} percent", f"{words} percent"]
    return Value(canonical, _unique(aliases, canonical), forms[style % 3], amount)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def date(day: dt.date, style: int) -> Value:
    """A calendar date such as ``March 3, 2021`` in US, European or deed style."""
    month = MONTHS[day.month - 1]
    forms = [
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"the {_ordinal(day.day)} day of {month}, {day.year}",
    ]
    canonical = forms[0]
    aliases = [*forms, day.isoformat(), f"{month} {_ordinal(day.day)}, {day.year}"]
    return Value(canonical, _unique(aliases, canonical), forms[style % 3], float(day.toordinal()))


def name(full: str, short: str) -> Value:
    """A party or place written in full, with its short form accepted as an alias."""
    return Value(full, _unique([short], full), full)


def plain(text: str, *aliases: str) -> Value:
    """A value written exactly as its canonical form (a territory, a field of use, a law)."""
    return Value(text, _unique(list(aliases), text), text)
