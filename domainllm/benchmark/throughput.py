"""Performance chapter: throughput of the models the labs run, and the FLOP rate of LoRA training.

Embedding (chunks/s), generation (prompt and completion tokens/s), loading the generator from the
shipped GGUF against the materialized folder, and LoRA SFT training (tokens/s, and achieved
GFLOP/s by two FLOP counts: the standard ``6 x parameters x tokens`` and the work this LoRA setup
really does). Each function imports torch, transformers or trl when called, so importing this
module stays light; ``scripts/bench.py`` calls them and writes ``_build/bench.json``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

STANDARD_TRAINING_FORMULA = "6 x (trainable + frozen parameters) x tokens"
CONFIG_TRAINING_FORMULA = (
    "(2 x all parameters + 2 x parameters the backward pass runs through) x tokens"
    " + 6 x LoRA parameters x tokens"
)


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values))


def training_flops(parameters: float, tokens: float) -> float:
    """The standard estimate of training FLOPs: 6 x parameters x tokens (forward 2, backward 4)."""
    return 6.0 * parameters * tokens


def configured_training_flops(
    all_parameters: float, backward_parameters: float, lora_parameters: float, tokens: float
) -> float:
    """FLOPs of a LoRA step on frozen weights: the forward pass over all weights, the backward
    pass's input gradients through the weights it runs through, and full training of the LoRA
    weights (frozen weights get no weight gradients)."""
    return (2.0 * all_parameters + 2.0 * backward_parameters + 6.0 * lora_parameters) * tokens


def embedding_throughput(
    texts: Sequence[str], batch_size: int | None = None
) -> tuple[dict[str, Any], np.ndarray]:
    """Chunks per second of the shipped MiniLM embedder (loaded once per process) on ``texts``,
    in the labs' batch size unless told, and the normalized vectors it made."""
    from domainllm.runtime.embedding_cache import EMBED_BATCH
    from domainllm.runtime.models import load_embedder

    batch_size = batch_size or EMBED_BATCH
    model = load_embedder()
    model.encode(list(texts[:batch_size]), batch_size=batch_size)  # warm up
    started = time.perf_counter()
    vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    result = {
        "chunks": len(texts),
        "mean_chars": _mean([len(t) for t in texts]),
        "batch_size": batch_size,
        "seconds": seconds,
        "chunks_per_s": len(texts) / seconds,
    }
    return result, np.asarray(vectors, dtype=np.float32)


def generation_throughput(
    generator: Any, rag_prompt: str, batch_prompts: Sequence[str], new_tokens: int = 24
) -> dict[str, Any]:
    """Prompt-processing and completion tokens/s of ``Generator.complete`` (greedy).

    A run with one new token is (nearly) all prompt processing; the extra time of a run with
    ``new_tokens + 1`` forced new tokens is completion. Measured for one RAG prompt (one user
    asking one question) and for ``batch_prompts`` answered as one batch.
    """

    def timed(prompts: Sequence[str], tokens: int) -> tuple[float, int, int]:
        started = time.perf_counter()
        out = generator.complete(
            list(prompts),
            max_new_tokens=tokens,
            min_new_tokens=tokens,
            batch_size=len(prompts),
            progress=False,
        )
        seconds = time.perf_counter() - started
        return seconds, sum(c.prompt_tokens for c in out), sum(c.completion_tokens for c in out)

    generator.complete([rag_prompt], max_new_tokens=2, progress=False)  # warm up
    result: dict[str, Any] = {"new_tokens": new_tokens, "batch_size": len(batch_prompts)}
    for label, prompts in (("", [rag_prompt]), ("batch_", batch_prompts)):
        prefill_s, prompt_tokens, first_tokens = timed(prompts, 1)
        full_s, _, all_tokens = timed(prompts, new_tokens + 1)
        result[f"{label}prompt_tokens"] = prompt_tokens
        result[f"{label}prompt_tokens_per_s"] = prompt_tokens / prefill_s
        result[f"{label}completion_tokens_per_s"] = (all_tokens - first_tokens) / max(
            full_s - prefill_s, 1e-9
        )
    return result


INFERENCE_PATHS: dict[str, dict[str, Any]] = {
    "torch, dynamic KV cache (the labs' path)": {},
    "torch, static KV cache": {"cache_implementation": "static"},
}
ADOPT_SPEEDUP = 2.0  # a path replaces the labs' one only when at least this much faster end to end


def inference_path_comparison(
    generator: Any, prompts: Sequence[str], new_tokens: int = 24, batch_size: int = 8
) -> dict[str, Any]:
    """The same prompts answered greedily through each of :data:`INFERENCE_PATHS`: end-to-end
    seconds, completion tokens per second, speed-up over the labs' path, and whether every answer
    is identical to the labs' path's (a faster path that changes answers is not the same system)."""
    result: dict[str, Any] = {"prompts": len(prompts), "new_tokens": new_tokens, "paths": {}}
    reference: list[str] | None = None
    base_seconds = 0.0
    for name, options in INFERENCE_PATHS.items():
        generator.complete(list(prompts[:1]), max_new_tokens=2, progress=False, **options)  # warm up
        started = time.perf_counter()
        out = generator.complete(
            list(prompts), max_new_tokens=new_tokens, batch_size=batch_size, progress=False, **options
        )
        seconds = time.perf_counter() - started
        texts = [c.text for c in out]
        if reference is None:
            reference, base_seconds = texts, seconds
        result["paths"][name] = {
            "options": options,
            "seconds": seconds,
            "completion_tokens_per_s": sum(c.completion_tokens for c in out) / seconds,
            "speedup": base_seconds / seconds,
            "identical_answers": sum(a == b for a, b in zip(texts, reference, strict=True)),
        }
    return result


def gguf_against_materialized(question: str, new_tokens: int = 16) -> dict[str, Any]:
    """Seconds to load the generator straight from the shipped GGUF (``gguf_file=``, dequantized
    on every load) and from the materialized safetensors folder, each followed by one answer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from domainllm.config import get_settings
    from domainllm.runtime.generation import Generator
    from domainllm.runtime.models import materialized_generator_dir, shipped_gguf_path

    gguf, folder = shipped_gguf_path(), materialized_generator_dir()
    sources = {
        "gguf": (str(gguf.parent), {"gguf_file": gguf.name}),
        "materialized": (str(folder), {}),
    }
    result: dict[str, Any] = {}
    answers = {}
    for name, (source, options) in sources.items():
        started = time.perf_counter()
        tokenizer = AutoTokenizer.from_pretrained(source, **options)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, **options).eval()
        result[f"{name}_load_s"] = time.perf_counter() - started
        generator = Generator(model, tokenizer, get_settings())
        started = time.perf_counter()
        answers[name] = generator.chat([question], max_new_tokens=new_tokens, progress=False)[0].text
        result[f"{name}_answer_s"] = time.perf_counter() - started
        del generator, model
    result["load_ratio"] = result["gguf_load_s"] / result["materialized_load_s"]
    result["load_and_answer_ratio"] = (result["gguf_load_s"] + result["gguf_answer_s"]) / (
        result["materialized_load_s"] + result["materialized_answer_s"]
    )
    result["same_answer"] = answers["gguf"] == answers["materialized"]
    return result


def _backward_parameters(model: Any, first_layer: int) -> int:
    """Weights the backward pass runs through: blocks from ``first_layer`` up, final norm, head."""
    inner = getattr(model, "model", None)
    layers = getattr(inner, "layers", None)
    if layers is None:
        return sum(p.numel() for p in model.parameters())
    blocks = sum(p.numel() for layer in layers[first_layer:] for p in layer.parameters())
    norm = sum(p.numel() for p in inner.norm.parameters()) if hasattr(inner, "norm") else 0
    return blocks + norm + model.get_output_embeddings().weight.numel()


def lora_training_throughput(steps: int = 4, examples: int = 64) -> dict[str, Any]:
    """Train a throw-away LoRA adapter for ``steps`` steps of the closed-book SFT recipe through
    :func:`domainllm.finetune.sft.fit_lora` (nothing is cached) and report tokens/s and FLOP rates.

    Tokens are the non-padding tokens of a step (mean example length x batch size); the first
    step (warm-up) is left out of the rate.
    """
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from domainllm.config import get_settings
    from domainllm.corpus.questions import load_questions
    from domainllm.finetune.sft import CLOSED_BOOK_SFT, closed_book_example, example_tokens, fit_lora

    settings = get_settings()
    data = [closed_book_example(q) for q in load_questions("train")[:examples]]
    run = replace(CLOSED_BOOK_SFT.run(data, settings), max_steps=steps, name="bench-throughput")
    step_seconds: list[float] = []
    counts: dict[str, Any] = {}

    class StepTimer(TrainerCallback):
        started = 0.0

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            model = kwargs["model"]  # the PEFT model: count its weights while it exists
            lora, total = model.get_nb_trainable_parameters()
            base = model.get_base_model()
            layers = base.config.num_hidden_layers
            top = run.lora.top_layers
            first = 0 if top is None else max(0, layers - top)
            counts.update(
                lora=lora,
                frozen=total - lora,
                backward=_backward_parameters(base, first) - lora,  # LoRA weights counted apart
                adapted=f"{first}-{layers - 1} of {layers}",
            )

        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.started = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            step_seconds.append(time.perf_counter() - self.started)

    class TimedSFTTrainer(SFTTrainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # fit_lora's own callbacks (heap trimming) run first, inside the timed step
            callbacks = [*kwargs.pop("callbacks", []), StepTimer()]
            super().__init__(*args, callbacks=callbacks, **kwargs)

    with tempfile.TemporaryDirectory() as staging:
        fitted = fit_lora(TimedSFTTrainer, SFTConfig, run, settings, data, (), Path(staging))
    tokenizer, train_s = fitted[1], fitted[2]
    lora_params, frozen, backward = counts["lora"], counts["frozen"], counts["backward"]
    tokens_per_step = _mean(example_tokens(data, tokenizer)) * run.batch_size
    steady = step_seconds[1:] or step_seconds
    tokens_per_s = tokens_per_step / _mean(steady)
    return {
        "steps": steps,
        "batch_size": run.batch_size,
        "tokens_per_step": tokens_per_step,
        "step_seconds": step_seconds,
        "train_seconds": train_s,
        "tokens_per_s": tokens_per_s,
        "frozen_parameters": frozen,
        "lora_parameters": lora_params,
        "backward_parameters": backward,
        "adapted_layers": counts["adapted"],
        "standard_gflops": training_flops(frozen + lora_params, tokens_per_s) / 1e9,
        "configured_gflops": configured_training_flops(frozen, backward, lora_params, tokens_per_s) / 1e9,
    }
