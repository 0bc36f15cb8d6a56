"""Lab 10 (ROI): the cost model's measured inputs, read from lab 9's benchmark results.

Lab 9 measures, for each system, the mean prompt and completion tokens per answer, the seconds
per answer and the time and tokens of each training run. :func:`measured_inputs` reads them for
the three choices a team actually makes (:data:`APPROACHES`):

========================  =====================  ==========================  =================
approach                  measured system        training run                retrieval
========================  =====================  ==========================  =================
``RAG``                   ``compressed_rag``       none                        yes
``Fine-tuned``            ``sft_closed_book``    ``sft_closed_book``         no
``RAG + fine-tuned``      ``raft_rag``           ``raft``                    yes
========================  =====================  ==========================  =================

Per-query tokens are the means over the test splits, weighted by their sizes.
:func:`embedding_token_counts` counts the tokens a question or the corpus costs to embed.

Those counts are the lab's own models' (SmolLM2 for generation, all-MiniLM-L6-v2 for
embedding). An API bills its own tokenizer's tokens, so :func:`characters_per_token` measures
how many characters each of the lab's tokenizers puts in a token; the cost model converts the
counts through characters (:func:`domainllm.costs.roi.api_tokens_per_measured_token`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from domainllm.config import Settings

__all__ = [
    "APPROACHES",
    "TEST_SPLITS",
    "ApproachSpec",
    "characters_per_token",
    "embedding_token_counts",
    "measured_inputs",
]

TEST_SPLITS = ("test_paraphrase", "test_fresh", "test_multidoc")


@dataclass(frozen=True)
class ApproachSpec:
    """One approach a team chooses, and the benchmark system and training run that measure it."""

    key: str
    name: str
    system: str
    retrieval: bool
    fine_tuned: bool
    training_run: str | None = None


APPROACHES: tuple[ApproachSpec, ...] = (
    ApproachSpec("rag", "RAG", "compressed_rag", retrieval=True, fine_tuned=False),
    ApproachSpec("fine_tuned", "Fine-tuned", "sft_closed_book", False, True, "sft_closed_book"),
    ApproachSpec("combined", "RAG + fine-tuned", "raft_rag", True, True, "raft"),
)


def _system(results: Mapping[str, Any], spec: ApproachSpec) -> Mapping[str, Any]:
    """The measured results of ``spec.system``, after checking the system is what the spec says."""
    systems = results.get("systems", {})
    if spec.system not in systems or spec.system not in results.get("results", {}):
        raise ValueError(
            f"benchmark results have no system {spec.system!r} (have: {', '.join(systems) or 'none'})"
        )
    described = systems[spec.system]
    for flag in ("retrieval", "fine_tuned"):
        if bool(described.get(flag)) != getattr(spec, flag):
            raise ValueError(
                f"system {spec.system!r} has {flag}={described.get(flag)!r}, but approach "
                f"{spec.name!r} needs {flag}={getattr(spec, flag)}: the labels do not match the systems"
            )
    return results["results"][spec.system]


def _usage(measured: Mapping[str, Any], system: str, splits: Sequence[str]) -> tuple[float, float, float]:
    """Prompt tokens, completion tokens and (prompt + completion) tokens per second, weighted by n."""
    present = [measured[s] for s in splits if s in measured and measured[s].get("n", 0) > 0]
    if not present:
        raise ValueError(f"system {system!r} has no results on any of the splits {', '.join(splits)}")
    n = sum(r["n"] for r in present)
    prompt = sum(r["n"] * r["prompt_tokens"] for r in present) / n
    completion = sum(r["n"] * r["completion_tokens"] for r in present) / n
    seconds = sum(r["n"] * r["seconds_per_answer"] for r in present) / n
    if not seconds > 0:
        raise ValueError(f"system {system!r}: seconds_per_answer must be > 0 to derive a throughput")
    return prompt, completion, (prompt + completion) / seconds


def measured_inputs(
    results: Mapping[str, Any],
    *,
    query_tokens: float,
    corpus_tokens: float,
    splits: Sequence[str] = TEST_SPLITS,
    generator_chars_per_token: float | None = None,
    embedder_chars_per_token: float | None = None,
) -> dict[str, float]:
    """The cost model's measured inputs, from a benchmark results dict (lab 9's schema).

    Per approach ``key`` (``rag``, ``fine_tuned``, ``combined``): ``key.prompt_tokens``,
    ``key.completion_tokens`` and ``key.tokens_per_second`` (weighted means over ``splits``);
    per fine-tuned approach also ``key.train_tokens`` and ``key.train_seconds`` from its
    training run. ``query_tokens`` (tokens embedded per question) and ``corpus_tokens`` (tokens
    embedded to index the corpus) are measured by the caller with the embedder's tokenizer.
    ``generator_chars_per_token`` and ``embedder_chars_per_token`` (:func:`characters_per_token`)
    let the cost model convert the counts into an API tokenizer's; they are included when given.
    """
    values: dict[str, float] = {"query_tokens": float(query_tokens), "corpus_tokens": float(corpus_tokens)}
    for name, ratio in (
        ("generator_chars_per_token", generator_chars_per_token),
        ("embedder_chars_per_token", embedder_chars_per_token),
    ):
        if ratio is not None:
            if (
                isinstance(ratio, bool)
                or not isinstance(ratio, int | float)
                or not (math.isfinite(ratio) and ratio > 0)
            ):
                raise ValueError(f"{name} must be a finite number > 0, got {ratio!r}")
            values[name] = float(ratio)
    for spec in APPROACHES:
        prompt, completion, speed = _usage(_system(results, spec), spec.system, splits)
        values |= {
            f"{spec.key}.prompt_tokens": prompt,
            f"{spec.key}.completion_tokens": completion,
            f"{spec.key}.tokens_per_second": speed,
        }
        if spec.training_run is not None:
            run = results.get("training", {}).get(spec.training_run)
            if run is None:
                raise ValueError(f"benchmark results have no training run {spec.training_run!r}")
            values[f"{spec.key}.train_tokens"] = float(run["train_tokens"])
            values[f"{spec.key}.train_seconds"] = float(run["seconds"])
    for name, value in values.items():
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"measured {name} must be a finite number >= 0, got {value!r}")
    return values


def embedding_token_counts(texts: Sequence[str], settings: Settings | None = None) -> list[int]:
    """Tokens per text as the embedding model counts them (its own tokenizer, no truncation).

    Used for ``query_tokens`` and ``corpus_tokens``. A hosted embedding API uses its own
    tokenizer, so its counts differ somewhat; the cost of embedding is small either way.
    """
    from transformers import AutoTokenizer

    from domainllm.runtime.models import embedder_source

    tokenizer = AutoTokenizer.from_pretrained(embedder_source(settings))
    encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, padding=False, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def characters_per_token(
    texts: Sequence[str],
    model: Literal["generator", "embedder"] = "generator",
    settings: Settings | None = None,
) -> float:
    """Characters per token of the lab's ``model`` tokenizer over ``texts`` (lab 10).

    Total characters / total tokens (no special tokens, no truncation). Measured on the corpus
    and the questions, it converts the benchmark's token counts into another tokenizer's: tokens
    x this ratio = characters, / the other tokenizer's characters per token = its tokens.
    """
    from transformers import AutoTokenizer

    from domainllm.runtime.models import embedder_source, generator_source

    if model not in ("generator", "embedder"):
        raise ValueError(f"model must be 'generator' or 'embedder', got {model!r}")
    texts = list(texts)
    characters = sum(len(text) for text in texts)
    if characters == 0:
        raise ValueError("characters_per_token needs at least one non-empty text")
    source = generator_source(settings) if model == "generator" else embedder_source(settings)
    tokenizer = AutoTokenizer.from_pretrained(source)
    encoded = tokenizer(texts, add_special_tokens=False, truncation=False, padding=False, verbose=False)
    return characters / sum(len(ids) for ids in encoded["input_ids"])
