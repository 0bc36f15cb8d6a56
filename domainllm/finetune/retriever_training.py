"""Fine-tune the embedder on (training question, gold passage, hard negative) triplets, contrastively.

The loss is sentence-transformers' ``MultipleNegativesRankingLoss``: each question must
score its own passage above its hard negative and above every other passage in the batch.
Only ``train`` questions are used; the tuned model is cached by a hash of its
data and settings, like the LoRA adapters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.cache.folders import build_once
from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.questions import Question, load_questions
from domainllm.metrics.retrieval import is_relevant
from domainllm.paths import cache_dir
from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.contract_context import contract_header
from domainllm.rag.recipes import SECTION_INDEX, register_encoder
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


def _folder(pairs: Sequence[tuple[str, str, str]], recipe: RetrieverRecipe, base: str, steps: int) -> Path:
    description = {"pairs": list(pairs), "recipe": dataclasses.asdict(recipe), "base": base, "steps": steps}
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


def train_retriever(
    pairs: Sequence[tuple[str, str, str]],
    recipe: RetrieverRecipe | None = None,
    settings: Settings | None = None,
) -> TunedRetriever:
    """Fine-tune the configured embedder on ``pairs`` (or load the cached result)."""
    from domainllm.runtime.models import embedder_source

    recipe = recipe or RetrieverRecipe()
    settings = settings or get_settings()
    if len(pairs) < recipe.batch_size:
        raise ValueError(
            f"Retriever training needs at least one batch of {recipe.batch_size} triplets; got {len(pairs)}."
        )
    steps = settings.scaled(recipe.steps)
    base = embedder_source(settings)
    folder = _folder(pairs, recipe, Path(base).name, steps)

    def train(staging: Path) -> dict[str, Any]:
        from datasets import Dataset
        from sentence_transformers import (
            SentenceTransformer,
            SentenceTransformerTrainer,
            SentenceTransformerTrainingArguments,
        )
        from sentence_transformers.losses import MultipleNegativesRankingLoss
        from sentence_transformers.training_args import BatchSamplers

        rows = list(pairs)
        random.Random(recipe.seed).shuffle(rows)
        dataset = Dataset.from_dict(
            {
                "anchor": [q for q, _, _ in rows],
                "positive": [p for _, p, _ in rows],
                "negative": [n for _, _, n in rows],
            }
        )
        model = SentenceTransformer(base, device=settings.device)
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
            )
            trainer = SentenceTransformerTrainer(
                model=model, args=args, train_dataset=dataset, loss=MultipleNegativesRankingLoss(model)
            )
            started = time.perf_counter()
            trainer.train()
            seconds = time.perf_counter() - started
        model.save(str(staging))
        losses = [float(e["loss"]) for e in trainer.state.log_history if "loss" in e]
        return {"losses": losses, "seconds": seconds, "steps": steps, "pairs": len(rows)}

    return TunedRetriever(folder, build_once(folder, train))


def tuned_encoder() -> Any:
    """Lab 7b's fine-tuned MiniLM (triplets from the ``train`` questions over section chunks), as an
    encoder; loaded from the cache, or trained now when the cache has none."""
    chunks = chunk_documents(load_corpus(), SECTION_INDEX.strategy, **SECTION_INDEX.params)
    return train_retriever(training_triplets(load_questions("train"), chunks, contract_header)).encoder()


register_encoder("tuned", tuned_encoder)
