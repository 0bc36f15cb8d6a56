"""Lab 4 (post-retrieval): citations and a grounding check: is an answer supported by the passages it was given?

The RAG prompt asks for the number of the passage used, in square brackets (``30 days [2]``).
:func:`resolve_citations` maps those numbers back to contract id and section, and
:func:`citation_correct` checks the cited passage holds the gold evidence. :func:`grounding_check`
flags answers the retrieved context cannot support: a reply that only restates the question,
an abstention, a number that appears in no passage, or mostly words found in no passage.
:func:`flag_agreement` measures how well the flags pick out wrong answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from domainllm.metrics.answers import STOPWORDS, normalize_answer
from domainllm.metrics.retrieval import SpanLike, is_relevant
from domainllm.metrics.stats import Estimate, proportion
from domainllm.rag.chunking import Chunk

CITATION = re.compile(r"\[(\d{1,2})\]")
CLAUSE = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![\d])")
ABSTENTION = "not in the context"


@dataclass(frozen=True)
class Citation:
    """A passage number cited in an answer, resolved to its contract and section."""

    number: int
    chunk_id: str
    doc_id: str
    section: str | None


def parse_citations(answer: str) -> list[int]:
    """Passage numbers cited as ``[n]`` in an answer, in order, without repeats."""
    return list(dict.fromkeys(int(n) for n in CITATION.findall(answer)))


def strip_citations(answer: str) -> str:
    """The answer without its ``[n]`` markers."""
    return " ".join(CITATION.sub(" ", answer).split())


def resolve_citations(answer: str, chunks: Sequence[Chunk]) -> list[Citation]:
    """Citations pointing at one of the numbered passages (out-of-range numbers are dropped)."""
    return [
        Citation(n, chunks[n - 1].id, chunks[n - 1].doc_id, chunks[n - 1].metadata.get("section"))
        for n in parse_citations(answer)
        if 1 <= n <= len(chunks)
    ]


def clause_citations(answer: str, chunks: Sequence[Chunk]) -> list[Citation]:
    """Clause numbers in an answer (``The answer is: 6.3``) resolved to the first passage holding that clause.

    Small models often cite the clause instead of the passage number; a clause number found
    in no passage is dropped.
    """
    found: list[Citation] = []
    for number in dict.fromkeys(CLAUSE.findall(strip_citations(answer))):
        pattern = re.compile(rf"(?<![\d.]){re.escape(number)}(?![\d])")
        for i, chunk in enumerate(chunks, 1):
            if pattern.search(chunk.text):
                found.append(Citation(i, chunk.id, chunk.doc_id, chunk.metadata.get("section")))
                break
    return found


def any_citations(answer: str, chunks: Sequence[Chunk]) -> list[Citation]:
    """Passage-number citations, or clause-number citations when there are none."""
    return resolve_citations(answer, chunks) or clause_citations(answer, chunks)


def citation_correct(answer: str, chunks: Sequence[Chunk], evidence: Sequence[SpanLike]) -> float | None:
    """1.0 when a cited passage (or clause) contains the gold evidence, 0.0 when none does, None without citations."""
    cited = any_citations(answer, chunks)
    if not cited:
        return None
    return float(any(is_relevant(chunks[c.number - 1], evidence) for c in cited))


def content_tokens(text: str) -> list[str]:
    """Normalized tokens of ``text`` without stopwords."""
    return [t for t in normalize_answer(text).split() if t not in STOPWORDS]


@dataclass
class GroundingResult:
    """Whether an answer is flagged as unsupported, and why."""

    flagged: bool
    reasons: list[str] = field(default_factory=list)
    support: float = 1.0


def grounding_check(
    answer: str, question: str, chunks: Sequence[Chunk], min_support: float = 0.6
) -> GroundingResult:
    """Flag an answer the passages do not support.

    Only tokens that are new (not in the question) count. Flags: ``abstained`` (the reply says
    the context lacks the answer), ``restates the question`` (no new token), ``unsupported
    number`` (a number in no passage) and ``unsupported words`` (less than ``min_support`` of
    the new tokens occur in any passage).
    """
    body = strip_citations(answer)
    if normalize_answer(ABSTENTION) in normalize_answer(body) or not body.strip():
        return GroundingResult(True, ["abstained"], 0.0)
    asked = set(normalize_answer(question).split())
    new = [t for t in content_tokens(body) if t not in asked]
    if not new:
        return GroundingResult(True, ["restates the question"], 0.0)
    context = set(normalize_answer(" ".join(c.text for c in chunks)).split())
    support = sum(t in context for t in new) / len(new)
    reasons = []
    if any(any(ch.isdigit() for ch in t) and t not in context for t in new):
        reasons.append("unsupported number")
    if support < min_support:
        reasons.append("unsupported words")
    return GroundingResult(bool(reasons), reasons, support)


def flag_agreement(
    flagged: Sequence[bool], correct: Sequence[bool], seed: int = 0
) -> dict[str, Estimate | None]:
    """How flags line up with wrong answers, each a proportion with its Wilson interval.

    ``flag_rate``: share of answers flagged. ``precision``: share of flagged answers that are
    wrong. ``recall``: share of wrong answers flagged. ``agreement``: share where flagged ==
    wrong. Precision or recall is None when nothing was flagged or nothing was wrong.
    """
    if len(flagged) != len(correct):
        raise ValueError(f"got {len(flagged)} flags but {len(correct)} correctness labels")
    if not flagged:
        raise ValueError("need at least one answer")
    wrong = [not c for c in correct]
    flagged_wrong = [float(w) for f, w in zip(flagged, wrong, strict=True) if f]
    wrong_flagged = [float(f) for f, w in zip(flagged, wrong, strict=True) if w]
    return {
        "flag_rate": proportion([float(f) for f in flagged]),
        "precision": proportion(flagged_wrong) if flagged_wrong else None,
        "recall": proportion(wrong_flagged) if wrong_flagged else None,
        "agreement": proportion([float(f == w) for f, w in zip(flagged, wrong, strict=True)]),
    }
