"""Lab 8 (feedback and DPO): the held-out gate: a DPO round is kept only when it does not lose on dev.

Each round's model answers the same seeded sample of ``dev`` questions (questions no training set
holds) through the book's RAG pipeline, as does the model it started from. The round is kept
unless the paired test says it is worse (:func:`domainllm.metrics.verdict`, exact McNemar on
accuracy); a rejected round is dropped and the next round starts again from the kept model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import Question, load_questions
from domainllm.finetune.adapters import TrainedAdapter, load_adapted_generator, release
from domainllm.metrics.significance import verdict
from domainllm.metrics.value_match import value_accuracy
from domainllm.rag.grounding import strip_citations
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.recipes import PIPELINES, IndexKey, make_recipe_retriever
from domainllm.rag.retrievers import ChunkIndex

GATE_QUESTIONS = 48
GATE_PIPELINE = "compressed_rag"  # the pipeline the RAFT and DPO models answer with


@dataclass(frozen=True)
class GateDecision:
    """One round's outcome on dev: accuracy before and after, the verdict, and whether it was kept."""

    round: int
    before: float
    after: float
    verdict: str
    kept: bool
    n: int


def gate_questions(settings: Settings | None = None, n: int = GATE_QUESTIONS) -> list[Question]:
    """A seeded sample of single-document ``dev`` questions (in the split's order)."""
    settings = settings or get_settings()
    pool = [q for q in load_questions("dev") if len({e.doc_id for e in q.evidence}) == 1]
    picked = sorted(random.Random(settings.seed).sample(range(len(pool)), min(n, len(pool))))
    return [pool[i] for i in picked]


def dev_scores(
    adapter: TrainedAdapter,
    questions: list[Question],
    indexes: dict[IndexKey, ChunkIndex],
    settings: Settings,
) -> list[float]:
    """1.0 per dev question the adapted model answers right (value match), through the RAG pipeline."""
    recipe = PIPELINES[GATE_PIPELINE]
    retriever: Any = make_recipe_retriever(recipe, indexes)
    generator = load_adapted_generator(adapter, settings)
    try:
        answers = RagPipeline("dpo-gate", generator, retriever, k=recipe.k).run(questions, progress=False)
    finally:
        release(generator)
    return [
        float(value_accuracy(strip_citations(a.answer), q.references))
        for a, q in zip(answers, questions, strict=True)
    ]


def gate(
    round_number: int,
    before: list[float],
    candidate: TrainedAdapter,
    questions: list[Question],
    indexes: dict[IndexKey, ChunkIndex],
    settings: Settings,
) -> tuple[GateDecision, list[float]]:
    """The decision on one round's model, and its dev scores."""
    after = dev_scores(candidate, questions, indexes, settings)
    outcome = verdict(before, after)
    decision = GateDecision(
        round_number,
        sum(before) / len(before),
        sum(after) / len(after),
        str(outcome),
        outcome.label != "worse",
        len(after),
    )
    return decision, after
