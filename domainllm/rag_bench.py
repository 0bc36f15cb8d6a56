"""The RAG comparison shared by the labs and ``python -m domainllm bench rag``.

Recipes name an index (how documents are chunked and what is indexed) and a pipeline (which
retriever, which filter, how many passages). Labs and the command line build pipelines from
the same recipes and score them with the same code, so their numbers agree.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domainllm.chunking import chunk_documents
from domainllm.config import Settings, get_settings
from domainllm.contract_context import contract_filter, contract_header
from domainllm.documents import Document, load_corpus
from domainllm.evaluation import pipeline_report, retrieval_scores, sample_questions, summarize
from domainllm.generation import Generator
from domainllm.questions import Question, load_questions
from domainllm.rag import RagPipeline
from domainllm.rag_targets import rag_targets
from domainllm.retrievers import ChunkIndex, FilteredRetriever, make_retriever

BASE_EVAL_QUESTIONS = 24
TARGET_K = 5  # the retrieval target is recall@5, whatever k a pipeline answers with
LATENCY_QUERIES = 50  # questions timed one at a time for retrieval latency
INDEXING_CHUNKS = 256  # chunks embedded afresh and inserted to measure indexing throughput


@dataclass(frozen=True)
class IndexRecipe:
    """How the corpus is chunked, whether each chunk is indexed with a contract header, and
    which embedder embeds it: ``"base"`` (the shipped MiniLM) or ``"tuned"`` (MiniLM fine-tuned
    on the ``train`` questions, lab 7b)."""

    name: str
    strategy: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    headers: bool = False
    embedder: str = "base"


@dataclass(frozen=True)
class PipelineRecipe:
    """Which index and retriever a pipeline uses (index None: closed-book).

    ``compress_top_n`` keeps only that many sentences of each passage (most similar to the
    question); ``order="ends"`` puts the best passages at the start and end of the context.
    """

    name: str
    index: IndexRecipe | None = None
    retriever: str = "dense"
    filter_by_contract: bool = False
    k: int = 5
    compress_top_n: int | None = None
    order: str | None = None


NAIVE_INDEX = IndexRecipe("fixed 1024/256", "fixed", {"size": 1024, "overlap": 256})
SECTION_INDEX = IndexRecipe("sections + headers", "section", {"max_chars": 1500}, headers=True)
TUNED_SECTION_INDEX = dataclasses.replace(
    SECTION_INDEX, name="sections + headers, tuned MiniLM", embedder="tuned"
)

PIPELINES: dict[str, PipelineRecipe] = {
    "closed_book": PipelineRecipe("closed_book"),
    "naive_rag": PipelineRecipe("naive_rag", NAIVE_INDEX, "dense", k=5),
    "advanced_rag": PipelineRecipe("advanced_rag", SECTION_INDEX, "hybrid", filter_by_contract=True, k=3),
    "compressed_rag": PipelineRecipe(
        "compressed_rag",
        SECTION_INDEX,
        "hybrid",
        filter_by_contract=True,
        k=3,
        compress_top_n=1,
        order="ends",
    ),
    # RAG with a fine-tuned retriever: the compressed pipeline over lab 7b's tuned MiniLM
    "tuned_rag": PipelineRecipe(
        "tuned_rag",
        TUNED_SECTION_INDEX,
        "dense",
        filter_by_contract=True,
        k=3,
        compress_top_n=1,
        order="ends",
    ),
}


def eval_size(settings: Settings | None = None) -> int:
    """How many questions generation is scored on: 24 at scale 1 (naive RAG takes ~2 min for them on 2 cores)."""
    settings = settings or get_settings()
    return max(1, round(BASE_EVAL_QUESTIONS * settings.scale))


def build_index(
    recipe: IndexRecipe, documents: Sequence[Document] | None = None, encode: Any = None
) -> ChunkIndex:
    """Chunk the corpus and index it in a fresh Milvus Lite database (embeddings cached on disk).

    ``encode`` defaults to the recipe's embedder; the tuned one is trained first if the cache
    has none (:func:`tuned_encoder`).
    """
    from domainllm.embedding_cache import cached_embedder_encode

    documents = load_corpus() if documents is None else documents
    chunks = chunk_documents(documents, recipe.strategy, **recipe.params)
    if encode is None:
        encode = tuned_encoder() if recipe.embedder == "tuned" else cached_embedder_encode()
    return ChunkIndex.build(chunks, encode, index_text=contract_header if recipe.headers else None)


def tuned_encoder() -> Any:
    """Lab 7b's fine-tuned MiniLM (triplets from the ``train`` questions over section chunks), as an
    encoder; loaded from the cache, or trained now when the cache has none."""
    from domainllm.retriever_training import train_retriever, training_triplets

    chunks = chunk_documents(load_corpus(), SECTION_INDEX.strategy, **SECTION_INDEX.params)
    return train_retriever(training_triplets(load_questions("train"), chunks, contract_header)).encoder()


def make_recipe_retriever(recipe: PipelineRecipe, indexes: dict[IndexRecipe, ChunkIndex]) -> Any:
    """The retriever a recipe describes (building its index once), or None for closed-book."""
    if recipe.index is None:
        return None
    if recipe.index not in indexes:
        indexes[recipe.index] = build_index(recipe.index)
    retriever: Any = make_retriever(recipe.retriever, indexes[recipe.index])
    if recipe.filter_by_contract:
        retriever = FilteredRetriever(retriever, contract_filter)
    if recipe.compress_top_n:
        from domainllm.compression import CompressingRetriever, SentenceCompressor
        from domainllm.embedding_cache import cached_embedder_encode

        retriever = CompressingRetriever(
            retriever, SentenceCompressor(cached_embedder_encode(), top_n=recipe.compress_top_n)
        )
    if recipe.order:
        from domainllm.context_order import ReorderingRetriever

        retriever = ReorderingRetriever(retriever, recipe.order)
    return retriever


def make_pipeline(
    recipe: PipelineRecipe, generator: Generator, indexes: dict[IndexRecipe, ChunkIndex]
) -> RagPipeline:
    """A runnable pipeline for a recipe, reusing already-built indexes."""
    return RagPipeline(recipe.name, generator, make_recipe_retriever(recipe, indexes), k=recipe.k)


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
        }
        for a in answers
    ]
    return report


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
        "metrics": {name: e.to_dict() for name, e in summarize(scores).items()},
        "per_question": {"recall@k": scores["recall@k"]},
    }


def retrieval_latency(
    recipe: PipelineRecipe,
    indexes: dict[IndexRecipe, ChunkIndex],
    questions: Sequence[Question],
    limit: int = LATENCY_QUERIES,
) -> dict[str, float]:
    """Milliseconds per query (p50, p95, ...) of a recipe's retrieval step, one question at a time.

    Each query is embedded afresh (not read from the cache), then searched and filtered, as for a
    question nobody asked before; compression and reordering, which come after retrieval, are left
    out (their cost is in the answers' seconds).
    """
    from domainllm.embedding_cache import computed_afresh
    from domainllm.performance import latency_ms, time_calls

    retriever = make_recipe_retriever(dataclasses.replace(recipe, compress_top_n=None, order=None), indexes)
    asked = [q.question for q in questions[:limit]]
    with computed_afresh():
        seconds = time_calls(lambda i: retriever.retrieve([asked[i]], k=recipe.k), len(asked))
    return latency_ms(seconds)


def indexing_throughput(recipe: IndexRecipe = NAIVE_INDEX, limit: int = INDEXING_CHUNKS) -> dict[str, float]:
    """Chunks per second to embed (no cache: every chunk embedded afresh) and insert ``limit``
    chunks of ``recipe`` into a new Milvus Lite collection."""
    from domainllm.embedding_cache import embedder_encode

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


def run_rag_benchmark(
    split: str = "test_paraphrase",
    names: Sequence[str] | None = None,
    n: int | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score each named pipeline on a seeded sample of ``split``; retrieval also on the whole split."""
    from domainllm.embedding_cache import cached_embedder_encode
    from domainllm.models import load_generator

    settings = settings or get_settings()
    names = list(names or PIPELINES)
    unknown = [name for name in names if name not in PIPELINES]
    if unknown:
        raise ValueError(f"Unknown pipeline(s) {unknown}; choose from {', '.join(PIPELINES)}.")
    questions = load_questions(split)
    sample = sample_questions(questions, n or eval_size(settings), seed=settings.seed)
    generator = load_generator(settings)
    encode = cached_embedder_encode(settings)
    indexes: dict[IndexRecipe, ChunkIndex] = {}
    results: dict[str, Any] = {}
    try:
        for name in names:
            pipeline = make_pipeline(PIPELINES[name], generator, indexes)
            results[name] = evaluate_pipeline(pipeline, sample, encode=encode)
            if pipeline.retriever is not None:
                results[name]["retrieval_all"] = retrieval_report(pipeline, questions)
                results[name]["retrieval_at_target_k"] = retrieval_report(pipeline, questions, TARGET_K)
                results[name]["latency_ms"] = retrieval_latency(PIPELINES[name], indexes, questions)
    finally:
        for index in indexes.values():
            index.close()
    result = {"split": split, "n_sample": len(sample), "n_split": len(questions), "pipelines": results}
    if any(PIPELINES[name].index is not None for name in names):
        result["indexing"] = indexing_throughput()
    result["targets"] = [dataclasses.asdict(v) for v in rag_targets(result)]
    return result
