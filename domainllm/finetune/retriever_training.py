"""Fine-tune the embedder on (training question, gold passage, hard negative) triplets, contrastively (lab 7b).

The loss is sentence-transformers' ``MultipleNegativesRankingLoss``: each question must
score its own passage above its hard negative and above every other passage in the batch.
Lab 7b builds it in the page and hands it to :func:`train_retriever`. Only ``train`` questions
are used; the tuned model is cached by a hash of its data, loss and settings, like the LoRA
adapters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.cache.folders import build_once
from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.questions import Question, load_questions
from domainllm.finetune.adapters import release
from domainllm.metrics.retrieval import is_relevant
from domainllm.paths import cache_dir
from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.contract_context import contract_header
from domainllm.rag.recipes import SECTION_INDEX, build_index, register_encoder
from domainllm.rag.retrievers import make_retriever
from domainllm.runtime.embedding_cache import CachedEncoder


@dataclass(frozen=True)
class RetrieverRecipe:
    """Steps (at scale 1), batch size and learning rate of the contrastive fine-tuning."""

    steps: int = 30
    batch_size: int = 8
    learning_rate: float = 5e-5
    max_seq_length: int = 128
    seed: int = 0


def training_triplets(
    questions: Sequence[Question],
    chunks: Sequence[Chunk],
    text_of: Callable[[Chunk], str] | None = None,
    seed: int = 0,
) -> list[tuple[str, str, str]]:
    """(question, gold passage, hard negative) for every question and chunk overlapping its evidence.

    The hard negative is another passage of the same contract: the retriever already tells
    contracts apart by name, what it gets wrong is which section of the contract to return.
    """
    text_of = text_of or (lambda chunk: chunk.text)
    rng = random.Random(seed)
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    triplets = []
    for question in questions:
        for doc in sorted({e.doc_id for e in question.evidence}):
            relevant = [c for c in by_doc.get(doc, []) if is_relevant(c, question.evidence)]
            others = [c for c in by_doc.get(doc, []) if not is_relevant(c, question.evidence)]
            for chunk in relevant:
                if others:
                    triplets.append((question.question, text_of(chunk), text_of(rng.choice(others))))
    return triplets


def section_triplets() -> list[tuple[str, str, str]]:
    """The book's triplets: every ``train`` question over the section chunks, each passage opening
    with its contract's header (as the section index embeds it)."""
    chunks = chunk_documents(load_corpus(), SECTION_INDEX.strategy, **SECTION_INDEX.params)
    return training_triplets(load_questions("train"), chunks, contract_header)


def base_embedder(settings: Settings | None = None) -> Any:
    """A fresh copy of the configured embedder (a ``SentenceTransformer``) to fine-tune.

    Not the process-wide one that indexes and searches: training changes its weights.
    """
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    from domainllm.runtime.models import embedder_source

    settings = settings or get_settings()
    shown = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in the lab's page
    try:
        return SentenceTransformer(embedder_source(settings), device=settings.device)
    finally:
        if shown:
            transformers_logging.enable_progress_bar()


def loss_description(loss: Any) -> dict[str, Any]:
    """The loss's class and settings, JSON-ready (part of the tuned model's cache key)."""
    return {"class": type(loss).__name__, **json.loads(json.dumps(loss.get_config_dict(), default=str))}


def _folder(
    pairs: Sequence[tuple[str, str, str]],
    recipe: RetrieverRecipe,
    base: str,
    steps: int,
    loss: dict[str, Any] | None = None,
) -> Path:
    description = {"pairs": list(pairs), "recipe": dataclasses.asdict(recipe), "base": base, "steps": steps}
    if loss is not None:  # the default loss adds nothing: models tuned with it keep the names they had
        description["loss"] = loss
    digest = hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir("retrievers") / f"minilm-tuned-{digest}"


@dataclass(frozen=True)
class TunedRetriever:
    """A fine-tuned embedder folder and what its training measured."""

    path: Path
    manifest: dict[str, Any]

    @property
    def losses(self) -> list[float]:
        return list(self.manifest.get("losses", []))

    def encoder(self, settings: Settings | None = None) -> CachedEncoder:
        """Normalized embeddings from the tuned model, cached on disk under its own key."""
        from sentence_transformers import SentenceTransformer

        from domainllm.config import dtype_tag, model_dtype
        from domainllm.runtime.embedding_cache import sentence_encode

        settings = settings or get_settings()
        model = SentenceTransformer(str(self.path), device=settings.device).to(model_dtype(settings))
        return CachedEncoder(sentence_encode(model), f"tuned:{self.path.name}{dtype_tag(settings)}")


def _custom_loss(loss: Any, base: str) -> dict[str, Any] | None:
    """The description of ``loss`` for the cache key, None for the default loss; checks that it
    wraps the configured embedder, which the key names."""
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    source = getattr(getattr(loss.model[0], "auto_model", None), "name_or_path", base)
    if Path(source).name != Path(base).name:
        raise ValueError(f"The loss must wrap base_embedder() ({base}); it wraps {source}.")
    described = loss_description(loss)
    return None if described == loss_description(MultipleNegativesRankingLoss(loss.model)) else described


def train_retriever(
    pairs: Sequence[tuple[str, str, str]],
    recipe: RetrieverRecipe | None = None,
    settings: Settings | None = None,
    loss: Any = None,
) -> TunedRetriever:
    """Fine-tune the configured embedder on ``pairs`` with ``loss`` (or load the cached result).

    ``loss``: a sentence-transformers loss around :func:`base_embedder`'s model; by default
    ``MultipleNegativesRankingLoss`` with its default settings.
    """
    from domainllm.runtime.models import embedder_source

    recipe = recipe or RetrieverRecipe()
    settings = settings or get_settings()
    if len(pairs) < recipe.batch_size:
        raise ValueError(
            f"Retriever training needs at least one batch of {recipe.batch_size} triplets; got {len(pairs)}."
        )
    steps = settings.scaled(recipe.steps)
    base = embedder_source(settings)
    custom = None if loss is None else _custom_loss(loss, base)
    folder = _folder(pairs, recipe, Path(base).name, steps, custom)

    def train(staging: Path) -> dict[str, Any]:
        from datasets import Dataset
        from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        from sentence_transformers.sentence_transformer.training_args import BatchSamplers

        rows = list(pairs)
        random.Random(recipe.seed).shuffle(rows)
        dataset = Dataset.from_dict(
            {
                "anchor": [q for q, _, _ in rows],
                "positive": [p for _, p, _ in rows],
                "negative": [n for _, _, n in rows],
            }
        )
        objective = loss if loss is not None else MultipleNegativesRankingLoss(base_embedder(settings))
        model = objective.model
        model.max_seq_length = recipe.max_seq_length  # the contract header and the section's opening
        with tempfile.TemporaryDirectory() as scratch:
            args = SentenceTransformerTrainingArguments(
                output_dir=scratch,
                max_steps=steps,
                per_device_train_batch_size=recipe.batch_size,
                learning_rate=recipe.learning_rate,
                warmup_steps=max(1, steps // 10),
                logging_steps=1,
                save_strategy="no",
                report_to=[],
                seed=recipe.seed,
                use_cpu=settings.device == "cpu",
                batch_sampler=BatchSamplers.NO_DUPLICATES,
                # recompute activations in the backward pass: the same steps, a third of the memory
                # (lab 7b's kernel peaked at 1.8 GB, over Binder's 1.75 GB for a lab)
                activation_checkpointing=True,
                activation_checkpointing_kwargs={"use_reentrant": False},
            )
            trainer = SentenceTransformerTrainer(
                model=model, args=args, train_dataset=dataset, loss=objective
            )
            started = time.perf_counter()
            trainer.train()
            seconds = time.perf_counter() - started
        model.save(str(staging))
        losses = [float(e["loss"]) for e in trainer.state.log_history if "loss" in e]
        return {"losses": losses, "seconds": seconds, "steps": steps, "pairs": len(rows)}

    manifest = build_once(folder, train)
    release()  # the trainer, model and optimizer sit in reference cycles: free them before the lab goes on
    return TunedRetriever(folder, manifest)


def section_retrievers(
    encoders: Mapping[str, Any], kinds: Sequence[str] = ("dense", "hybrid")
) -> Iterator[tuple[str, str, Any]]:
    """(encoder name, kind, retriever) for each encoder and retriever kind, over the section index
    embedded by that encoder (None: the configured embedder). Each index is built when its turn
    comes and closed once its retrievers have been used."""
    for name, encoder in encoders.items():
        index = build_index(SECTION_INDEX, encode=encoder)
        try:
            for kind in kinds:
                yield name, kind, make_retriever(kind, index)
        finally:
            index.close()


def tuned_encoder() -> Any:
    """Lab 7b's fine-tuned MiniLM (triplets from the ``train`` questions over section chunks), as an
    encoder; loaded from the cache, or trained now when the cache has none."""
    return train_retriever(section_triplets()).encoder()


register_encoder("tuned", tuned_encoder)
