"""The book's RAG recipes: which index and which pipeline each named system uses (labs 1-4, 4b, 7b, 9).

Recipes name an index (how documents are chunked and what is indexed) and a pipeline (which
retriever, which filter, how many passages, which reader). Labs and the command line build
pipelines from the same recipes, so their numbers agree. Embedders are looked up by name: ``"base"`` is the shipped
MiniLM; ``domainllm.finetune`` registers ``"tuned"`` (lab 7b's fine-tuned MiniLM).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domainllm.corpus.documents import CorpusSource, Document, load_corpus, resolve_source
from domainllm.rag.chunking import chunk_documents
from domainllm.rag.contract_context import contract_filter, contract_header
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.retrievers import ChunkIndex, FilteredRetriever, make_retriever
from domainllm.runtime.generation import Generator

_ENCODERS: dict[str, Callable[[], Any]] = {}


def register_encoder(name: str, factory: Callable[[], Any]) -> None:
    """Make ``IndexRecipe(embedder=name)`` resolvable: ``factory()`` returns an encode function."""
    _ENCODERS[name] = factory


def recipe_encoder(name: str) -> Any:
    """The encode function for an embedder name (``"base"``: the shipped MiniLM, cached on disk)."""
    if name == "base":
        from domainllm.runtime.embedding_cache import cached_embedder_encode

        return cached_embedder_encode()
    if name not in _ENCODERS:
        raise ValueError(
            f"No embedder named {name!r} is registered. Import domainllm.finetune first for 'tuned' "
            "(lab 7b's fine-tuned MiniLM)."
        )
    return _ENCODERS[name]()


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
    ``reader`` names the reading stage (:func:`domainllm.rag.readers.reader_names`).
    """

    name: str
    index: IndexRecipe | None = None
    retriever: str = "dense"
    filter_by_contract: bool = False
    k: int = 5
    compress_top_n: int | None = None
    order: str | None = None
    reader: str = "generative"


NAIVE_INDEX = IndexRecipe("fixed 1024/256", "fixed", {"size": 1024, "overlap": 256})
SECTION_INDEX = IndexRecipe("sections + headers", "section", {"max_chars": 1500}, headers=True)
TUNED_SECTION_INDEX = dataclasses.replace(
    SECTION_INDEX, name="sections + headers, tuned MiniLM", embedder="tuned"
)

PIPELINES: dict[str, PipelineRecipe] = {
    "closed_book": PipelineRecipe("closed_book", reader="closed_book"),
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
    # lab 4b: the advanced retrieval (full sections) read by each reader: the same three passages
    # as advanced_rag (five did not read better on the dev questions); the clause reader takes five
    "grounded_rag": PipelineRecipe(
        "grounded_rag", SECTION_INDEX, "hybrid", filter_by_contract=True, k=3, reader="grounded"
    ),
    "extractive_rag": PipelineRecipe(
        "extractive_rag", SECTION_INDEX, "hybrid", filter_by_contract=True, k=3, reader="extractive"
    ),
    "clause_rag": PipelineRecipe(
        "clause_rag", SECTION_INDEX, "hybrid", filter_by_contract=True, k=5, reader="clause"
    ),
    # the extractive reader over lab 7b's tuned retriever (full sections)
    "tuned_extractive": PipelineRecipe(
        "tuned_extractive", TUNED_SECTION_INDEX, "dense", filter_by_contract=True, k=3, reader="extractive"
    ),
}


def skip_reason(recipe: PipelineRecipe) -> str | None:
    """Why a recipe cannot run on the corpus in force (None: it can).

    The tuned retriever is fine-tuned on the corpus's train questions; a corpus without any
    (CUAD) cannot train it.
    """
    if recipe.index is not None and recipe.index.embedder == "tuned":
        from domainllm.corpus.questions import load_questions

        if not load_questions("train"):
            return (
                f"{recipe.name} needs the corpus's train questions to fine-tune its retriever "
                "(lab 7b), and this corpus has none"
            )
    return None


def build_index(
    recipe: IndexRecipe, documents: Sequence[Document] | None = None, encode: Any = None
) -> ChunkIndex:
    """Chunk the corpus and index it in a fresh Milvus Lite database (embeddings cached on disk).

    ``encode`` defaults to the recipe's embedder; the tuned one is trained first if the cache
    has none (``domainllm.finetune`` registers it, lab 7b).
    """

    documents = load_corpus() if documents is None else documents
    chunks = chunk_documents(documents, recipe.strategy, **recipe.params)
    if encode is None:
        encode = recipe_encoder(recipe.embedder)
    return ChunkIndex.build(chunks, encode, index_text=contract_header if recipe.headers else None)


IndexKey = tuple[CorpusSource, IndexRecipe]


def make_recipe_retriever(recipe: PipelineRecipe, indexes: dict[IndexKey, ChunkIndex]) -> Any:
    """The retriever a recipe describes, or None for closed-book.

    Its index is built once per corpus: ``indexes`` is keyed by the corpus in force and the index
    recipe, so a pipeline made after switching corpora (lab 4b's CUAD part) never searches the
    other corpus's index.
    """
    if recipe.index is None:
        return None
    key = (resolve_source(), recipe.index)
    if key not in indexes:
        indexes[key] = build_index(recipe.index)
    retriever: Any = make_retriever(recipe.retriever, indexes[key])
    if recipe.filter_by_contract:
        retriever = FilteredRetriever(retriever, contract_filter)
    if recipe.compress_top_n:
        from domainllm.rag.compression import CompressingRetriever, SentenceCompressor
        from domainllm.runtime.embedding_cache import cached_embedder_encode

        retriever = CompressingRetriever(
            retriever, SentenceCompressor(cached_embedder_encode(), top_n=recipe.compress_top_n)
        )
    if recipe.order:
        from domainllm.rag.context_order import ReorderingRetriever

        retriever = ReorderingRetriever(retriever, recipe.order)
    return retriever


def make_pipeline(
    recipe: PipelineRecipe, generator: Generator, indexes: dict[IndexKey, ChunkIndex]
) -> RagPipeline:
    """A runnable pipeline for a recipe, reusing already-built indexes."""
    retriever = make_recipe_retriever(recipe, indexes)
    return RagPipeline(recipe.name, generator, retriever, k=recipe.k, reader=recipe.reader)
