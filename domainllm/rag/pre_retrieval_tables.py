"""Lab 2 (pre-retrieval): the contract subset hypothetical questions are written for, and the lab's tables.

Writing questions for every section of the corpus takes too long on a CPU, so the lab writes
them for the sections of a few contracts (:func:`contract_subset`) and scores the questions
about those contracts. :func:`transform_table` compares query transforms with the question as
asked (paired bootstrap); :func:`recall_summary_table` lists every pre-retrieval variant next to
naive RAG on the same questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import pandas as pd

from domainllm.corpus.records import Document, Question
from domainllm.metrics.stats import Estimate, paired_bootstrap, summarize
from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.contract_context import contract_ids_in
from domainllm.rag.lab_tables import interval
from domainllm.rag.recipes import SECTION_INDEX


class ContractSubset(NamedTuple):
    """The contracts picked, their documents, the questions about them and their section chunks."""

    contracts: list[str]
    documents: list[Document]
    questions: list[Question]
    chunks: list[Chunk]


def contract_subset(
    sample: Sequence[Question], questions: Sequence[Question], documents: Sequence[Document], n: int = 2
) -> ContractSubset:
    """The first ``n`` contracts the ``sample`` asks about, with their documents (amendments
    included), every question of ``questions`` about them, and their sections chunked as
    ``SECTION_INDEX`` chunks them."""
    contracts = list(dict.fromkeys(contract_ids_in(q.question)[0] for q in sample))[:n]
    subset_docs = [d for d in documents if any(d.id.startswith(c) for c in contracts)]
    subset_questions = [q for q in questions if contract_ids_in(q.question)[0] in contracts]
    chunks = chunk_documents(subset_docs, SECTION_INDEX.strategy, **SECTION_INDEX.params)
    return ContractSubset(contracts, subset_docs, subset_questions, chunks)


def transform_table(
    scores: Mapping[str, Mapping[str, Sequence[float]]], baseline: str, k: int, metric: str = "recall@k"
) -> pd.DataFrame:
    """Recall@k of each query transform and its paired difference from ``baseline``.

    ``scores`` maps a variant to its per-question retrieval scores (``benchmark.retrieval_scores``),
    all on the same questions.
    """
    rows = {}
    for name, found in scores.items():
        diff = paired_bootstrap(scores[baseline][metric], found[metric])
        rows[name] = {
            metric.replace("@k", f"@{k}"): interval(summarize(found)[metric]),
            f"minus {baseline}": f"{diff.diff:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]",
        }
    return pd.DataFrame(rows).T


def recall_summary_table(
    summary: Mapping[str, tuple[str, Estimate]], naive_on: Mapping[str, Estimate], k: int
) -> pd.DataFrame:
    """One row per variant: the questions it was scored on, n, its recall@k and naive RAG's on them.

    ``summary`` maps a variant to (question set, recall estimate); ``naive_on`` maps a question
    set to naive RAG's recall on it.
    """
    rows = {
        name: {
            "questions": on,
            "n": estimate.n,
            f"recall@{k}": interval(estimate),
            "naive, same questions": interval(naive_on[on]),
        }
        for name, (on, estimate) in summary.items()
    }
    return pd.DataFrame(rows).T
