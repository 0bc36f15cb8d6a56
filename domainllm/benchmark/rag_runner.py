"""The RAG comparison of labs 1-4 and 9, also run by ``python -m domainllm bench rag``.

It scores the recipes of :mod:`domainllm.rag.recipes` with the same code the labs use, so their
numbers agree.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from domainllm.benchmark.evaluation import (
    describe_corpus,
    pipeline_report,
    retrieval_scores,
    sample_questions,
)
from domainllm.benchmark.rag_targets import rag_targets
from domainllm.benchmark.reading_targets import gold_chars, reading_targets
from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.questions import Question, load_questions
from domainllm.metrics.stats import summarize
from domainllm.rag.chunking import chunk_documents
from domainllm.rag.contract_context import contract_header
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.recipes import (
    NAIVE_INDEX,
    PIPELINES,
    IndexKey,
    IndexRecipe,
    PipelineRecipe,
    make_pipeline,
    make_recipe_retriever,
    skip_reason,
)
from domainllm.rag.retrievers import ChunkIndex

BASE_EVAL_QUESTIONS = 24
TARGET_K = 5  # the retrieval target is recall@5, whatever k a pipeline answers with
LATENCY_QUERIES = 50  # questions timed one at a time for retrieval latency
INDEXING_CHUNKS = 256  # chunks embedded afresh and inserted to measure indexing throughput


def eval_size(settings: Settings | None = None) -> int:
    """How many questions generation is scored on: 24 at scale 1 (naive RAG takes ~2 min for them on 2 cores)."""
    settings = settings or get_settings()
    return settings.scaled(BASE_EVAL_QUESTIONS)


def evaluate_pipeline(
    pipeline: RagPipeline, questions: Sequence[Question], encode: Any = None
) -> dict[str, Any]:
    """Answer and score ``questions`` with one pipeline (metrics with 95% intervals, tokens, latency)."""
    answers = pipeline.run(questions)
    report = pipeline_report(answers, encode=encode, k=pipeline.k if pipeline.retriever is not None else None)
    report["k"] = pipeline.k
    report["answers"] = [
        {
            "id": a.question.id,
            "answer": a.answer,
            "gold": a.question.answer,
            "chunks": [c.id for c in a.chunks],
            "spans": [[s.doc_id, s.start, s.end] for s in a.spans],
            "citation": a.citation,
            "note": a.note,
        }
        for a in answers
    ]
    return report


def pipeline_answers_chunks(pipeline: RagPipeline, report: dict[str, Any]) -> list[list[Any]]:
    """The chunk objects behind each answer's chunk ids (looked up in the retriever's index)."""
    index = _chunk_lookup(pipeline.retriever)
    return [[index[c] for c in answer["chunks"] if c in index] for answer in report["answers"]]


def _chunk_lookup(retriever: Any) -> dict[str, Any]:
    """Find the ChunkIndex under wrapped retrievers (filter, compression, reordering)."""
    seen = retriever
    for _ in range(8):
        index = getattr(seen, "index", None)
        if isinstance(index, ChunkIndex):
            return index.chunks_by_id
        seen = getattr(seen, "base", None) or getattr(seen, "retriever", None)
        if seen is None:
            break
    raise TypeError(f"Cannot find the chunk index behind {retriever!r}")


def retrieval_report(
    pipeline: RagPipeline, questions: Sequence[Question], k: int | None = None
) -> dict[str, Any]:
    """Retrieval metrics of a pipeline's retriever over every question at cut-off ``k`` (default:
    the pipeline's own k). No generation, so cheap; per-question scores kept for paired tests."""
    k = k or pipeline.k
    retrieved = pipeline.retriever.retrieve([q.question for q in questions], k=k)
    scores = retrieval_scores(questions, retrieved, k)
    return {
        "n": len(questions),
        "k": k,
        "metrics": {name: e.to_dict() for name, e in summarize(scores, skip_empty=True).items()},
        "per_question": {"recall@k": scores["recall@k"]},
    }


def retrieval_latency(
    recipe: PipelineRecipe,
    indexes: dict[IndexKey, ChunkIndex],
    questions: Sequence[Question],
    limit: int = LATENCY_QUERIES,
) -> dict[str, float]:
    """Milliseconds per query (p50, p95, ...) of a recipe's retrieval step, one question at a time.

    Each query is embedded afresh (not read from the cache), then searched and filtered, as for a
    question nobody asked before; compression and reordering, which come after retrieval, are left
    out (their cost is in the answers' seconds).
    """
    from domainllm.benchmark.machine import time_calls
    from domainllm.metrics.measurements import latency_ms
    from domainllm.runtime.embedding_cache import computed_afresh

    retriever = make_recipe_retriever(dataclasses.replace(recipe, compress_top_n=None, order=None), indexes)
    asked = [q.question for q in questions[:limit]]
    with computed_afresh():
        seconds = time_calls(lambda i: retriever.retrieve([asked[i]], k=recipe.k), len(asked))
    return latency_ms(seconds)


def indexing_throughput(recipe: IndexRecipe = NAIVE_INDEX, limit: int = INDEXING_CHUNKS) -> dict[str, float]:
    """Chunks per second to embed (no cache: every chunk embedded afresh) and insert ``limit``
    chunks of ``recipe`` into a new Milvus Lite collection."""
    from domainllm.runtime.embedding_cache import embedder_encode

    chunks = chunk_documents(load_corpus(), recipe.strategy, **recipe.params)[:limit]
    encode = embedder_encode()
    encode([c.text for c in chunks[:8]])  # load and warm the embedder outside the timing
    started = time.perf_counter()
    index = ChunkIndex.build(chunks, encode, index_text=contract_header if recipe.headers else None)
    seconds = time.perf_counter() - started
    index.close()
    return {
        "chunks": len(chunks),
        "mean_chars": sum(len(c.text) for c in chunks) / len(chunks),
        "seconds": seconds,
        "chunks_per_s": len(chunks) / seconds,
    }


def reading_lines(result: dict[str, Any]) -> list[str]:
    """One line per pipeline with its reader and the reading metrics (lab 4b) it was scored on."""
    lines = []
    for name, report in result["pipelines"].items():
        shown = [
            m for m in ("accuracy", "span_f1", "token_recall", "rouge_l_recall") if m in report["metrics"]
        ]
        cells = ", ".join(f"{m} {report['metrics'][m]['mean']:.3f}" for m in shown)
        chars = report["metrics"]["answer_chars"]["mean"]
        lines.append(f"{name:>16} [{report.get('reader', '?')} reader]: {cells}, {chars:.0f} characters")
    return lines


def run_rag_benchmark(
    split: str = "test_paraphrase",
    names: Sequence[str] | None = None,
    n: int | None = None,
    settings: Settings | None = None,
    say: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Score each named pipeline on a seeded sample of ``split``; retrieval also on the whole split.

    Pipelines the corpus cannot run (the tuned retriever without train questions) are skipped
    and questions without an answer or evidence left out where they are undefined; ``say``
    prints each such note, and a line of reading metrics per pipeline."""
    from domainllm.runtime.embedding_cache import cached_embedder_encode
    from domainllm.runtime.models import load_generator

    settings = settings or get_settings()
    names = list(names or PIPELINES)
    unknown = [name for name in names if name not in PIPELINES]
    if unknown:
        raise ValueError(f"Unknown pipeline(s) {unknown}; choose from {', '.join(PIPELINES)}.")
    questions = load_questions(split)
    if not questions:
        advice = (
            "A CUAD file puts all its questions in test_paraphrase: use --split test_paraphrase."
            if describe_corpus().startswith("cuad")
            else "Choose another --split, or generate a larger corpus (--contracts)."
        )
        raise ValueError(
            f"Split {split!r} of the {describe_corpus()} has no questions: nothing to score. {advice}"
        )
    notes: list[str] = []
    answered = [q for q in questions if q.answer.strip()]  # CUAD: clauses absent from the contract
    with_evidence = [q for q in questions if q.evidence]  # recall@k is undefined without gold evidence
    if len(answered) < len(questions):
        notes.append(
            f"{len(questions) - len(answered)} of {len(questions)} questions have no answer in their contract: answers are scored on the other {len(answered)}"
        )
    if len(with_evidence) < len(questions):
        notes.append(
            f"{len(questions) - len(with_evidence)} questions without gold evidence are left out of retrieval recall ({len(with_evidence)} scored)"
        )
    if not answered:
        raise ValueError(f"Split {split!r} of the {describe_corpus()} has no answered question to score.")
    sample = sample_questions(answered, eval_size(settings) if n is None else n, seed=settings.seed)
    skipped = {name: reason for name in names if (reason := skip_reason(PIPELINES[name]))}
    notes += [f"skipped {name}: {reason}" for name, reason in skipped.items()]
    generator = load_generator(settings)
    encode = cached_embedder_encode(settings)
    indexes: dict[IndexKey, ChunkIndex] = {}
    results: dict[str, Any] = {}
    retrievals: dict[PipelineRecipe, dict[str, Any]] = {}  # pipelines that differ only in their reader
    try:
        for name in [name for name in names if name not in skipped]:
            recipe = PIPELINES[name]
            pipeline = make_pipeline(recipe, generator, indexes)
            results[name] = evaluate_pipeline(pipeline, sample, encode=encode)
            results[name]["reader"] = recipe.reader
            if pipeline.retriever is not None:
                same = dataclasses.replace(recipe, name="", reader="")
                if same not in retrievals:
                    retrievals[same] = {
                        "retrieval_all": retrieval_report(pipeline, with_evidence),
                        "retrieval_at_target_k": retrieval_report(pipeline, with_evidence, TARGET_K),
                        "latency_ms": retrieval_latency(recipe, indexes, with_evidence),
                    }
                results[name].update(retrievals[same])
    finally:
        for index in indexes.values():
            index.close()
    result = {"split": split, "corpus": describe_corpus(), "n_sample": len(sample), "n_split": len(questions)}
    result.update(
        {"n_answered": len(answered), "n_with_evidence": len(with_evidence), "gold_chars": gold_chars(sample)}
    )
    result.update({"notes": notes, "skipped": skipped, "pipelines": results})
    if say is not None:
        for line in [*(f"note: {n}" for n in notes), *reading_lines(result)]:
            say(line)
    if any(PIPELINES[name].index is not None for name in names):
        result["indexing"] = indexing_throughput()
    result["targets"] = [dataclasses.asdict(v) for v in (*rag_targets(result), *reading_targets(result))]
    return result
