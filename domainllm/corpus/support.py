"""Lab 4 (post-retrieval, grounding) and lab 6 (fact checks): is an answer written in a passage? Lexical support with numbers, dates and money normalized.

Contracts write one value many ways: ``thirty (30) days``, ``30 days`` and ``thirty days``;
``2 October 2021`` and ``the 2nd day of October, 2021``; ``US$250,000`` and ``USD 250,000``.
:func:`canonical_tokens` rewrites all of them to one form (digits, ISO dates, ``usd``) before
comparing, so ``30 days`` is found in a passage that says ``thirty days``.

What this cannot see: an answer whose words all occur in the passage but belong to another
clause (the effective date given as the expiry date). That needs reading, not matching.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from domainllm.corpus.portfolio.values import MONTHS
from domainllm.metrics.answers import STOPWORDS, normalize_answer

NUMBER_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
NUMBER_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = (
    "(?:" + "|".join(sorted([*NUMBER_UNITS, "hundred", *NUMBER_SCALES], key=len, reverse=True)) + ")"
)
_NUMBER_RUN = re.compile(
    rf"\b{_NUMBER_WORD}(?:(?:[\s-]+and[\s-]+|[\s-]+){_NUMBER_WORD})*\b(?!-)", re.IGNORECASE
)
_MONTHS = [month.lower() for month in MONTHS]
_MONTH = "(" + "|".join(_MONTHS) + ")"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_DATES = (
    (re.compile(rf"\b(?:the\s+)?{_ORDINAL}\s+(?:day\s+of\s+)?{_MONTH},?\s+(\d{{4}})\b", re.I), (3, 2, 1)),
    (re.compile(rf"\b{_MONTH}\s+{_ORDINAL},?\s+(\d{{4}})\b", re.I), (3, 1, 2)),
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_CURRENCY = re.compile(r"US\$|\$|\bUSD\b|\bUnited States dollars\b|\bUS dollars\b", re.IGNORECASE)
_PERCENT = re.compile(r"%|\bper\s+cent\b", re.IGNORECASE)


def words_to_number(words: str, strict: bool = True) -> int | None:
    """The value of an English number phrase: ``"two hundred and fifty thousand"`` -> 250000.

    A phrase that is empty or holds a word that is not a number word raises ``ValueError``, or
    with ``strict=False`` gives None (for text that may not be a number at all).
    """
    if not strict:
        try:
            return words_to_number(words.strip()) if words.strip() else None
        except ValueError:
            return None
    total = current = 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in NUMBER_UNITS:
            current += NUMBER_UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in NUMBER_SCALES:
            total += max(current, 1) * NUMBER_SCALES[word]
            current = 0
        elif word != "and":
            raise ValueError(f"{word!r} is not a number word")
    return total + current


def _iso(year: str, month: str | int, day: str) -> str:
    number = month if isinstance(month, int) else _MONTHS.index(month.lower()) + 1
    return f" {int(year):04d}-{number:02d}-{int(day):02d} "


def canonical_text(text: str) -> str:
    """``text`` with dates as ISO dates, number words as digits, currency as USD and % as percent."""
    for pattern, (y, m, d) in _DATES:
        text = pattern.sub(lambda match, y=y, m=m, d=d: _iso(match[y], match[m], match[d]), text)
    text = _ISO_DATE.sub(lambda match: _iso(match[1], int(match[2]), match[3]), text)
    text = _NUMBER_RUN.sub(lambda match: f" {words_to_number(match[0])} ", text)
    text = _CURRENCY.sub(" USD ", text)
    return _PERCENT.sub(" percent ", text)


def _fold(token: str) -> str:
    """A crude plural fold (``laws`` -> ``law``), enough to match an answer's word to the passage's."""
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token[0].isdigit():
        return token[:-1]
    return token


_STOPWORDS = frozenset(_fold(word) for word in STOPWORDS)


def canonical_tokens(text: str) -> list[str]:
    """Tokens of :func:`canonical_text` after :func:`~domainllm.metrics.answers.normalize_answer`, plurals folded."""
    return [_fold(token) for token in normalize_answer(canonical_text(text)).split()]


def _is_number(token: str) -> bool:
    return any(char.isdigit() for char in token)


def _contains_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return bool(needle) and any(
        list(haystack[i : i + width]) == list(needle) for i in range(len(haystack) - width + 1)
    )


@dataclass(frozen=True)
class Support:
    """How much of an answer a passage contains.

    ``share``: fraction of the answer's content tokens (stopwords dropped) found in the passage;
    ``verbatim``: the whole canonical answer occurs as one run of tokens; ``missing``: content
    tokens not found; ``missing_numbers``: the missing tokens that hold digits; ``restates``:
    every content token of the answer is already in the question (nothing new is said).
    """

    share: float
    verbatim: bool
    missing: tuple[str, ...]
    missing_numbers: tuple[str, ...]
    restates: bool


def answer_support(answer: str, evidence: str, question: str = "") -> Support:
    """Measure how far ``evidence`` supports ``answer`` (see :class:`Support`); ``missing`` lists words unfolded."""
    words = normalize_answer(canonical_text(answer)).split()
    content = [w for w in words if _fold(w) not in _STOPWORDS] or words
    present = set(canonical_tokens(evidence))
    absent = [w for w in content if _fold(w) not in present]
    asked = set(canonical_tokens(question))
    return Support(
        share=(1 - len(absent) / len(content)) if content else 0.0,
        verbatim=_contains_run(canonical_tokens(evidence), [_fold(w) for w in words]),
        missing=tuple(dict.fromkeys(absent)),
        missing_numbers=tuple(dict.fromkeys(w for w in absent if _is_number(w))),
        restates=bool(content) and all(_fold(w) in asked for w in content),
    )
