"""Lab 6 (synthetic data): check synthetic pairs, and the judges that filter them, against the fact table.

The generated corpus comes with the facts written into every contract, so the truth of many
pairs is known. :func:`gold_correct` says whether a pair is right (or that the facts cannot
tell); :func:`judge_probes` turns template pairs into right and wrong answers of known truth;
:func:`probe_win_rates` measures how often a score ranks the right answer above a wrong one for
the same question, the decision a judge makes when it prefers one of two answers.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from domainllm.corpus.support import canonical_tokens
from domainllm.finetune.passages import Fact, facts_by_chunk
from domainllm.finetune.qa_pairs import QAPair
from domainllm.metrics.stats import Estimate, win_rate
from domainllm.rag.chunking import Chunk

# Word patterns that show which clause category a free-form question asks about (for checking LLM
# pairs against the facts). Each pattern must start a word; stems match any ending.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "parties": ("counterparty", "other party", "signed", "signator", "parties to"),
    "agreement_date": ("agreement date", "signed", r"dated\b", "signature", "entered into"),
    "effective_date": ("effective", "take effect", "commence", "in force"),
    "expiration_date": ("expir", "initial term", r"end(?:s|ed)?\b", "last day"),
    "renewal_term": ("renew", "extended", "roll"),
    "notice_period_to_terminate_renewal": ("non-renewal", "renew"),
    "governing_law": (r"laws?\b", "govern", "jurisdiction"),
    "termination_for_convenience": ("convenience", "without cause", "terminat"),
    "termination_for_breach": ("breach", "cure", "remed", "terminat"),
    "exclusivity": ("exclusiv", "territor"),
    "non_compete": ("compet",),
    "minimum_commitment": ("minimum", "purchase", "commitment"),
    "cap_on_liability": ("liabilit", "liable", r"cap\b", "capped"),
    "audit_rights": ("audit", "inspect", "records", "books"),
    "insurance": ("insur", r"cover\b"),
    "ip_ownership_assignment": ("intellectual property", r"owns?\b", "owner", "invention", r"ip\b"),
    "license_grant": ("licen[cs]", "field of use"),
    "anti_assignment": ("assign", "affiliate", "transfer"),
    "change_of_control": ("change of control", "shareholding", "voting", "control"),
    "warranty_duration": ("warrant", "defect"),
    "payment_terms": ("pay", "invoice"),
    "confidentiality_period": ("confidential", "secre"),
    "revenue_profit_sharing": ("royalt", "commission", r"share\b", "revenue", "profit"),
}
_CATEGORY_PATTERNS = {
    category: re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE)
    for category, words in CATEGORY_KEYWORDS.items()
}


def _matches(answer: str, fact: Fact) -> bool:
    said = canonical_tokens(answer)
    for reference in (fact["value"], *fact.get("aliases", ())):
        ref = canonical_tokens(reference)
        if ref and any(said[i : i + len(ref)] == ref for i in range(len(said) - len(ref) + 1)):
            return True
    return False


def asked_categories(question: str) -> set[str]:
    """Clause categories one of whose word patterns (``CATEGORY_KEYWORDS``) occurs in a question."""
    return {category for category, pattern in _CATEGORY_PATTERNS.items() if pattern.search(question)}


def gold_correct(pair: QAPair, facts_here: Sequence[Fact]) -> bool | None:
    """Is the pair right according to the fact table? None when the facts cannot tell.

    A template pair is right when its answer states its own fact. A free-form pair is checked
    against the facts written in its passage whose category the question asks about
    (:func:`asked_categories`): right when the answer states one of them, wrong when it states
    none; unknown when the question asks about none of the passage's facts (a boilerplate
    question, say), since the fact table does not cover it.
    """
    if pair.fact_id is not None:
        return any(_matches(pair.answer, f) for f in facts_here if f["id"] == pair.fact_id)
    relevant = [f for f in facts_here if f["category"] in asked_categories(pair.question)]
    if not relevant:
        return None
    return any(_matches(pair.answer, f) for f in relevant)


@dataclass(frozen=True)
class Probe:
    """A pair with a known gold label, for measuring a judge: ``kind`` says how it was made."""

    pair: QAPair
    kind: str
    correct: bool


PROBE_KINDS = ("true value", "value from another contract", "other value in the passage")


def judge_probes(
    pairs: Sequence[QAPair], chunks: Sequence[Chunk], facts: Sequence[Fact], seed: int = 0
) -> list[Probe]:
    """Template pairs with right and wrong answers, for measuring how well a judge agrees with the facts.

    For each template pair: the pair itself (``true value``); the same question answered with
    the value of the same category in another contract (``value from another contract``, wrong,
    usually absent from the passage); and, when the passage states another fact, the question
    answered with that fact's value (``other value in the passage``, wrong but present).
    """
    rng = random.Random(seed)
    inside = facts_by_chunk(chunks, facts)
    by_category: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.get("current", True):
            by_category[fact["category"]].append(fact)
    probes = []
    for pair in pairs:
        if pair.fact_id is None:
            continue
        probes.append(Probe(pair, PROBE_KINDS[0], True))
        own = next(f for f in inside.get(pair.chunk_id, ()) if f["id"] == pair.fact_id)
        others = sorted({f["value"] for f in by_category[own["category"]] if not _matches(f["value"], own)})
        if others:
            probes.append(Probe(replace(pair, answer=rng.choice(others)), PROBE_KINDS[1], False))
        neighbours = [f["value"] for f in inside.get(pair.chunk_id, ()) if not _matches(f["value"], own)]
        neighbours = [v for v in dict.fromkeys(neighbours) if not _matches(own["value"], {"value": v})]
        if neighbours:
            probes.append(Probe(replace(pair, answer=rng.choice(neighbours)), PROBE_KINDS[2], False))
    return probes


def probe_win_rates(probes: Sequence[Probe], scores: Sequence[float], seed: int = 0) -> dict[str, Estimate]:
    """How often a score ranks the true value above each kind of wrong answer to the same question.

    ``scores[i]`` belongs to ``probes[i]``. For every question with a true value and a wrong
    answer of one kind, the outcome is 1 (true value scored higher), 0.5 (equal) or 0; the
    result maps each wrong kind to the win rate with a bootstrap interval (0.5 is chance).
    """
    if len(probes) != len(scores):
        raise ValueError(f"got {len(probes)} probes but {len(scores)} scores")
    by_question: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for probe, score in zip(probes, scores, strict=True):
        by_question[(probe.pair.chunk_id, probe.pair.question)][probe.kind] = float(score)
    rates = {}
    for kind in PROBE_KINDS[1:]:
        outcomes = [
            1.0
            if found[PROBE_KINDS[0]] > found[kind]
            else 0.5
            if found[PROBE_KINDS[0]] == found[kind]
            else 0.0
            for found in by_question.values()
            if kind in found and PROBE_KINDS[0] in found
        ]
        if outcomes:
            rates[kind] = win_rate(outcomes, seed=seed)
    return rates
