"""Lab 7 (supervised fine-tuning): supervised fine-tuning with LoRA (TRL ``SFTTrainer`` + PEFT), two ways.

* **Closed-book** (knowledge injection): the prompt is the question alone, the target the
  short answer. The model can only learn facts by memorizing them.
* **Retrieval-aware** (RAFT-style): the prompt is the RAG prompt with the passages the
  retriever returned for that training question, distractors included; the target is the
  answer as that passage writes it, with the passage's number (``thirty days [2]``), or "not
  in the context" when no passage holds it, exactly what the RAG system prompt asks for.
  Copying a span is what a small model can learn from a few hundred examples; rewriting
  "thirty days" as "30 days" on top of it is much harder (lab 7 explains the choices).

Examples are prompt-completion conversations, so the loss covers the answer tokens only.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import Question
from domainllm.finetune.adapters import (
    LoraSettings,
    TrainedAdapter,
    TrainingRun,
    check_training_set,
    data_fingerprint,
    generator_blocks,
    generator_fingerprint,
    load_base_model,
    load_or_train,
    load_tokenizer,
    release,
)
from domainllm.metrics.answers import contains_answer
from domainllm.rag.chunking import Chunk
from domainllm.rag.pipeline import closed_book_messages, rag_messages
from domainllm.runtime.generation import Message
from domainllm.runtime.memory import heap_trimming_callback
from domainllm.runtime.shape_buckets import SHAPE_MULTIPLE

if TYPE_CHECKING:
    from peft import LoraConfig

NOT_IN_CONTEXT = "not in the context"
Example = dict[str, list[Message]]


def _assistant(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def closed_book_example(question: Question) -> Example:
    """Question alone in, short answer out."""
    return {"prompt": closed_book_messages(question.question), "completion": _assistant(question.answer)}


def answer_as_written(passage: str, references: Sequence[str]) -> str:
    """The answer in the passage's own words: the first reference (the canonical answer) when the
    passage contains it verbatim, else the shortest other reference it contains verbatim, spelled
    as in the passage (case included); the first reference when none occurs verbatim."""
    lowered = passage.lower()
    candidates = [references[0], *sorted(references[1:], key=len)]
    for reference in candidates:
        start = lowered.find(reference.lower()) if reference else -1
        if start >= 0:
            return passage[start : start + len(reference)]
    return references[0]


def cited_answer(
    question: Question, chunks: Sequence[Chunk], text_of: Callable[[Chunk], str] | None = None
) -> str:
    """The target for a retrieval-aware example: the answer as the first passage holding it writes
    it, plus that passage's number; "not in the context" when no passage holds it."""
    text_of = text_of or (lambda chunk: chunk.text)
    for number, chunk in enumerate(chunks, 1):
        text = text_of(chunk)
        if contains_answer(text, question.references):
            return f"{answer_as_written(text, question.references)} [{number}]"
    return NOT_IN_CONTEXT


def is_abstention(example: Example) -> bool:
    """Whether an example's target is the "not in the context" reply."""
    return example["completion"][0]["content"] == NOT_IN_CONTEXT


def with_abstention_share(examples: Sequence[Example], share: float, seed: int = 0) -> list[Example]:
    """Every example with an answer, plus a seeded sample of the "not in the context" ones sized
    to make up about ``share`` of the result; the order of ``examples`` is kept.

    Retrieval misses the answer for many training questions (lab 7 prints the share). Trained
    on that mix, a small model drifts towards abstaining whenever it is unsure; RAFT likewise keeps the
    passage with the answer in most of its examples.
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1), got {share}.")
    abstain = [i for i, e in enumerate(examples) if is_abstention(e)]
    answered = len(examples) - len(abstain)
    wanted = min(len(abstain), round(share * answered / (1 - share)))
    dropped = set(abstain) - set(random.Random(seed).sample(abstain, wanted))
    return [e for i, e in enumerate(examples) if i not in dropped]


def raft_example(
    question: Question, chunks: Sequence[Chunk], text_of: Callable[[Chunk], str] | None = None
) -> Example:
    """The RAG prompt with the retrieved passages in, the cited answer out."""
    return {
        "prompt": rag_messages(question.question, chunks, text_of),
        "completion": _assistant(cited_answer(question, chunks, text_of)),
    }


@dataclass(frozen=True)
class SftRecipe:
    """Hyperparameters of one SFT run at scale 1 (steps scale with ``Settings.scale``)."""

    name: str
    steps: int
    batch_size: int = 8
    micro_batch_size: int | None = None
    learning_rate: float = 1e-3
    max_length: int = 512
    lora: LoraSettings = LoraSettings()

    def with_lora(self, config: LoraConfig, settings: Settings | None = None) -> SftRecipe:
        """This recipe training the adapter ``config`` describes (a ``peft.LoraConfig`` for the generator).

        Lab 7 builds its LoRA configs in the page and trains with them. The book's configs give the
        book's recipes, so the benchmark (lab 9) loads the adapters the lab trained.
        """
        return replace(self, lora=LoraSettings.from_peft(config, generator_blocks(settings)))

    def run(
        self, examples: Sequence[Example], settings: Settings | None = None, parents: Sequence[str] = ()
    ) -> TrainingRun:
        """The cacheable description of this recipe applied to ``examples``."""
        settings = settings or get_settings()
        return TrainingRun(
            name=self.name,
            method="sft",
            data_fingerprint=data_fingerprint(examples),
            parents=tuple(parents),
            generator=generator_fingerprint(settings),
            lora=self.lora,
            learning_rate=self.learning_rate,
            max_steps=settings.scaled(self.steps),
            batch_size=self.batch_size,
            micro_batch_size=self.micro_batch_size,
            max_length=self.max_length,
            seed=settings.seed,
        )


CLOSED_BOOK_SFT = SftRecipe("sft-closed-book", steps=16, batch_size=8, max_length=128)
# RAFT adapts the top 12 blocks: copying a span out of a passage needs more of the network than
# the top six blocks the closed-book recipe adapts (lab 7 explains the choices).
RAFT_SFT = SftRecipe(
    "sft-raft", steps=24, batch_size=4, micro_batch_size=2, max_length=448, lora=LoraSettings(top_layers=12)
)
RAFT_ABSTENTION_SHARE = 0.1


def loss_history(log_history: Sequence[dict[str, Any]]) -> list[float]:
    """The training loss at each logged step of a ``Trainer``'s ``state.log_history``."""
    return [float(entry["loss"]) for entry in log_history if "loss" in entry and "train_loss" not in entry]


def example_tokens(examples: Sequence[Example], tokenizer: Any) -> list[int]:
    """Tokens of each example (prompt and completion, chat template applied)."""
    texts = [
        tokenizer.apply_chat_template([*e["prompt"], *e["completion"]], tokenize=False) for e in examples
    ]
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def token_labels(tokenizer: Any, input_ids: Sequence[int], labels: Sequence[int]) -> Any:
    """One tokenized example as a table: each token, its label, and whether it counts in the loss
    (label -100 marks a token the loss ignores)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "token": [tokenizer.decode([token]) for token in input_ids],
            "label": list(labels),
            "in the loss": [label != -100 for label in labels],
        }
    )


def trainer_common_args(run: TrainingRun, settings: Settings) -> dict[str, Any]:
    """Arguments shared by the SFT and DPO configs: steps, batch, schedule, logging, CPU."""
    return {
        "max_steps": run.max_steps,
        "per_device_train_batch_size": run.micro_batch_size or run.batch_size,
        "gradient_accumulation_steps": run.accumulation_steps,
        "learning_rate": run.learning_rate,
        "lr_scheduler_type": "cosine",
        "warmup_steps": max(1, run.max_steps // 10),
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": [],
        "seed": run.seed,
        "use_cpu": settings.device == "cpu",
        "dataloader_num_workers": 0,
        "max_length": run.max_length,
        "pad_to_multiple_of": SHAPE_MULTIPLE,  # a few shapes, kernels reused: domainllm.runtime.shape_buckets
        # TRL defaults to bf16 autocast, which slows a CPU down many times over, and to gradient
        # checkpointing, which makes the input embeddings require gradients so backpropagation
        # runs through every block. With LoRA on the top blocks only (``LoraSettings.top_layers``)
        # activations are kept for those blocks alone, so only a run that keeps many of them
        # (long examples, many adapted blocks) checkpoints: see ``checkpoints_activations``.
        "bf16": settings.device != "cpu",
        "activation_checkpointing": checkpoints_activations(run),
        "activation_checkpointing_kwargs": {"use_reentrant": False},
    }


# Activations a micro-batch keeps, in token x adapted-block units, above which training recomputes
# them in the backward pass instead. RAFT (2 x 448 tokens, 12 blocks = 10,752) kept lab 7's kernel
# at 2.0 GB, over Binder's 1.75 GB for a lab; recomputing cut the training's peak by 0.45 GB for
# 35 s more (51 -> 86 s) with the same losses to the last digit. Closed-book SFT (8 x 128 tokens,
# 6 blocks = 6,144) stays below and runs as before.
CHECKPOINT_FROM = 8_192


def checkpoints_activations(run: TrainingRun) -> bool:
    """Whether ``run`` trains with gradient checkpointing (memory for time; same result)."""
    blocks = run.lora.top_layers or 30
    return (run.micro_batch_size or run.batch_size) * run.max_length * blocks >= CHECKPOINT_FROM


# Tokens per chunk when TRL's fused LM head scores the vocabulary. TRL's default (32,768) puts a
# whole batch in one chunk, so its logits (tokens x 49,152 x 4 bytes) and their softmax are
# materialized at once: about 0.6 GB for a DPO micro-batch of 900 tokens. 256 tokens keep that
# near 50 MB and, on a CPU, make a step faster (measured: peak 1.6 -> 1.0 GB, 13.8 -> 9 s a step).
LOGIT_CHUNK_TOKENS = 256


@contextlib.contextmanager
def lean_lm_head(tokens: int = LOGIT_CHUNK_TOKENS) -> Iterator[None]:
    """Within the block, TRL's fused LM head scores only the positions that carry a label, and
    ``tokens`` of them at a time.

    TRL scores only labelled positions on GPUs (its "compact" mode) but every position on other
    devices, to keep tile shapes fixed for compilers. A CPU compiles nothing, and there the
    prompt, most of every example, would cost a projection onto the whole vocabulary, forward
    and backward, that the loss then ignores.
    """
    from trl.trainer import utils

    patches: dict[str, Any] = {}
    if hasattr(utils, "_CHUNKED_LOGPROB_CHUNK_SIZE"):  # a TRL without a setting: leave it alone
        patches["_CHUNKED_LOGPROB_CHUNK_SIZE"] = tokens
    if hasattr(utils, "_use_triton"):  # decides compact scoring in the fused forward, nothing else
        patches["_use_triton"] = lambda device: True
    saved = {name: getattr(utils, name) for name in patches}
    for name, value in patches.items():
        setattr(utils, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(utils, name, value)


def fit_lora(
    trainer_class: Any,
    config_class: Any,
    run: TrainingRun,
    settings: Settings,
    examples: Sequence[Any],
    chain: Sequence[TrainedAdapter],
    staging: Path,
    **config_options: Any,
) -> tuple[list[dict[str, Any]], Any, float]:
    """Train a new LoRA adapter with a TRL trainer on the base model with ``chain`` merged in.

    Saves the adapter into ``staging`` and frees the model; returns the trainer's log history,
    the tokenizer and the seconds spent in ``trainer.train()``. SFT and DPO differ only in the trainer and config classes.
    """
    from datasets import Dataset

    model = load_base_model(settings, chain)
    tokenizer = load_tokenizer(settings)
    with tempfile.TemporaryDirectory() as scratch:
        config = config_class(output_dir=scratch, **trainer_common_args(run, settings), **config_options)
        trainer = trainer_class(
            model=model,
            args=config,
            train_dataset=Dataset.from_list(list(examples)),
            processing_class=tokenizer,
            peft_config=run.lora.to_peft(model.config.num_hidden_layers),
            callbacks=[heap_trimming_callback()],
        )
        started = time.perf_counter()
        with lean_lm_head():
            trainer.train()
        seconds = time.perf_counter() - started
        trainer.model.save_pretrained(staging)
    history = list(trainer.state.log_history)
    del trainer, model
    release()  # the trainer held the model and optimizer in reference cycles: collect them now
    return history, tokenizer, seconds


def train_sft(
    recipe: SftRecipe,
    examples: Sequence[Example],
    settings: Settings | None = None,
    parents: tuple[TrainedAdapter, ...] = (),
) -> TrainedAdapter:
    """Train (or load from the cache) a LoRA adapter on prompt-completion ``examples``.

    An example's ``id`` (the question it was made from) is not trained on: the manifest logs the
    ids as ``question_ids``."""
    settings = settings or get_settings()
    question_ids = sorted({e["id"] for e in examples if e.get("id")})
    examples = [{k: v for k, v in e.items() if k != "id"} for e in examples]  # logged, not trained on
    check_training_set(examples, recipe.batch_size)
    run = recipe.run(examples, settings, [p.run.digest() for p in parents])

    def train(staging: Path) -> dict[str, Any]:
        from trl import SFTConfig, SFTTrainer

        chain = [a for p in parents for a in p.chain]
        history, tokenizer, seconds = fit_lora(SFTTrainer, SFTConfig, run, settings, examples, chain, staging)
        lengths = example_tokens(examples, tokenizer)
        mean_tokens = sum(lengths) / len(lengths)
        return {
            "losses": loss_history(history),
            "seconds": seconds,
            "steps": run.max_steps,
            "examples": len(examples),
            "train_tokens": round(mean_tokens * run.max_steps * run.batch_size),
            "mean_example_tokens": mean_tokens,
            "question_ids": question_ids,  # the questions of this training set (lab 9's train column)
        }

    return load_or_train(run, train, parents)
