"""The RAG comparison shared by the labs and ``python -m domainllm bench rag``.

Recipes name an index (how documents are chunked and what is indexed) and a pipeline (which
retriever, which filter, how many passages). Labs and the command line build pipelines from
the same recipes and score them with the same code, so their numbers agree.
"""

from __future__ import annotations

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
from domainllm.retrievers import ChunkIndex, FilteredRetriever, make_retriever

BASE_EVAL_QUESTIONS = 24


@dataclass(frozen=True)
class IndexRecipe:
    """How the corpus is chunked and whether each chunk is indexed with a contract header."""

    name: str
    strategy: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    headers: bool = False


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
}


def eval_size(settings: Settings | None = None) -> int:
    """How many questions generation is scored on: 24 at scale 1 (naive RAG takes ~2 min for them on 2 cores)."""
    settings = settings or get_settings()
    return max(1, round(BASE_EVAL_QUESTIONS * settings.scale))


def build_index(
    recipe: IndexRecipe, documents: Sequence[Document] | None = None, encode: Any = None
) -> ChunkIndex:
    """Chunk the corpus and index it in a fresh Milvus Lite database (embeddings cached on disk)."""
    from domainllm.embedding_cache import cached_embedder_encode

    documents = load_corpus() if documents is None else documents
    chunks = chunk_documents(documents, recipe.strategy, **recipe.params)
    return ChunkIndex.build(
        chunks, encode or cached_embedder_encode(), index_text=contract_header if recipe.headers else None
    )


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


def retrieval_report(pipeline: RagPipeline, questions: Sequence[Question]) -> dict[str, Any]:
    """Retrieval metrics of a pipeline's retriever over every question (no generation: cheap)."""
    retrieved = pipeline.retrieve(questions)
    scores = retrieval_scores(questions, retrieved, pipeline.k)
    return {"n": len(questions), "metrics": {name: e.to_dict() for name, e in summarize(scores).items()}}


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
    finally:
        for index in indexes.values():
            index.close()
    return {"split": split, "n_sample": len(sample), "n_split": len(questions), "pipelines": results}
