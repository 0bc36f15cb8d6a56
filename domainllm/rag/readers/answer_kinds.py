"""Lab 4b (reading): what kind of value a question asks for, and whether a span is one.

A span model trained on a few hundred questions often points at a value of the wrong kind: a
company name for "Which law governs ...?", a percentage for "Within how many days ...?". The
question's own words say what kind of answer it wants; the extractive reader takes the best span
that is a value of that kind (and its best span when none is, or when the question names no kind).
"""

from __future__ import annotations

import re

from domainllm.corpus.clause_values import find_values

KINDS_VERSION = 2  # part of the extractive reader's cache key: change it when the cues change
# first match wins: the more specific cues come first
KIND_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            "percent",
            r"\b(percent|percentage|what share|which share|share of|shareholding|stake|rate|commission)\b|%",
        ),
        (
            "place",
            r"\b(which law|whose law|law of which|governing law|governed by|jurisdiction|which (state|country|region)|where|territory|region)\b",
        ),
        (
            "duration",
            r"\b(how much (notice|time|warning)|advance (notice|warning)|payment terms|how long|within what|how far in advance)\b",
        ),
        ("company", r"\b(who|whom|which company|counterparty|other party|name the|which party)\b"),
        (
            "money",
            r"\b(how much|cap|capped|amount|fee|price|liability|floor|minimum (annual )?(purchase|commitment|order)|insurance|sum)\b",
        ),
        (
            "date",
            r"\b(when|what date|which date|on what day|dated|date of|entered into|signed|expire|expiry|expiration|end date|effective date|agreement date|start)\b",
        ),
        (
            "duration",
            r"\b(how many (days|weeks|months|years)|what period|how soon|period|notice|duration|term|last|for how)\b",
        ),
    )
)


def expected_kind(question: str) -> str | None:
    """The value kind (see :func:`domainllm.corpus.clause_values.find_values`) a question asks for, or None."""
    for kind, cue in KIND_CUES:
        if cue.search(question):
            return kind
    return None


# The last word of a place-type noun without its name ("the Province", "the Federal Republic").
PLACE_TYPE_WORDS = frozenset(
    {"state", "province", "republic", "commonwealth", "kingdom", "territory", "country"}
)


def fits_kind(kind: str, text: str) -> bool:
    """True when ``text`` is essentially one value of ``kind`` (the value covers most of it).

    A place may keep its "the laws of the State of" in front, but is neither a company name nor a
    place-type noun without its name ("the Province").
    """
    cleaned = " ".join(text.split()).strip(" .,;:()\"'")
    if not cleaned:
        return False
    found = find_values(kind, cleaned)
    if not found:
        return False
    if kind == "place":
        last = found[0].canonical.split()[-1].lower()
        return not find_values("company", cleaned) and last not in PLACE_TYPE_WORDS
    value = max(found, key=lambda f: f.end - f.start)
    return (value.end - value.start) >= 0.6 * len(cleaned)
