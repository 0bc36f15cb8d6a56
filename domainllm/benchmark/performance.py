"""Machine-level performance measurements and the verdicts the Performance page draws from them.

Two halves. The pure half (latency summaries, run-to-run spread, brute-force top-k, where a
latency curve crosses a threshold, training FLOP estimates, and ``bench.json`` -> tables and
verdicts) needs only NumPy, so the book page imports this module without torch. The measuring
half (matmul FLOP rate, embedding, generation and LoRA training throughput, GGUF against
materialized loading, Milvus Lite dense search at a given size) imports torch, transformers and
pymilvus inside each function; ``scripts/bench.py`` calls it and writes ``_build/bench.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

BOOK_BUDGET_S = 20 * 60  # whole book: sum of the labs' wall times
RETRIEVAL_TARGET_MS = 20.0  # dense retrieval p50 at TARGET_CONTRACTS
TARGET_CONTRACTS = 40_000
LORA_FRACTION_TARGET = 0.25  # of the machine's measured peak matmul FLOP rate
STANDARD_TRAINING_FORMULA = "6 x (trainable + frozen parameters) x tokens"
CONFIG_TRAINING_FORMULA = (
    "(2 x all parameters + 2 x parameters the backward pass runs through) x tokens"
    " + 6 x LoRA parameters x tokens"
)


# ---------------------------------------------------------------------------- pure: statistics


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Count, mean, p50, p95, min and max of ``values`` (percentiles linearly interpolated)."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("summarize() needs at least one value.")
    return {
        "n": int(array.size),
        "mean": float(array.mean()),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """:func:`summarize` of per-call latencies given in seconds, reported in milliseconds."""
    return summarize(np.asarray(seconds, dtype=float) * 1000.0)


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Each run's value, their mean, and the spread (max - min) relative to the mean."""
    runs = [float(v) for v in values]
    if not runs:
        raise ValueError("spread() needs at least one run.")
    mean = sum(runs) / len(runs)
    relative = (max(runs) - min(runs)) / mean if mean else 0.0
    return {"runs": runs, "mean": mean, "min": min(runs), "max": max(runs), "relative": relative}


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def brute_force_top_k(
    corpus: np.ndarray, queries: np.ndarray, k: int, normalized: bool = False
) -> np.ndarray:
    """Indices of the ``k`` corpus rows most cosine-similar to each query, best first.

    Exact: every row is scored; ties are broken by the lower row index. Returns an
    ``(n_queries, min(k, n_rows))`` integer array. ``normalized=True`` promises unit-length
    rows (as an index stores them), so only the inner products are computed.
    """
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}.")
    if normalized:
        corpus, queries = np.asarray(corpus), np.atleast_2d(np.asarray(queries))
    else:
        corpus, queries = normalize_rows(corpus), normalize_rows(queries)
    if corpus.shape[1] != queries.shape[1]:
        raise ValueError(f"dimensions differ: corpus {corpus.shape[1]}, queries {queries.shape[1]}.")
    n = corpus.shape[0]
    k = min(k, n)
    scores = queries @ corpus.T
    kth = np.partition(scores, n - k, axis=1)[:, n - k]  # the k-th largest score of each row
    out = np.empty((len(queries), k), dtype=np.int64)
    for row, (row_scores, threshold) in enumerate(zip(scores, kth, strict=True)):
        candidates = np.flatnonzero(row_scores >= threshold)
        order = np.lexsort((candidates, -row_scores[candidates]))
        out[row] = candidates[order[:k]]
    return out


def top_k_agreement(first: Sequence[Sequence[Any]], second: Sequence[Sequence[Any]]) -> dict[str, float]:
    """How often two top-k result lists agree: same members, same order, and mean overlap."""
    if len(first) != len(second) or not first:
        raise ValueError("top_k_agreement() needs two equally long, non-empty lists of results.")
    same_set = same_order = overlap = 0.0
    for a, b in zip(first, second, strict=True):
        a, b = list(a), list(b)
        same_set += set(a) == set(b)
        same_order += a == b
        overlap += len(set(a) & set(b)) / max(len(a), len(b), 1)
    n = len(first)
    return {"same_set": same_set / n, "same_order": same_order / n, "overlap": overlap / n}


def crossing_point(
    sizes: Sequence[float], values: Sequence[float], threshold: float
) -> dict[str, Any] | None:
    """Where an increasing curve first reaches ``threshold``, interpolated on log-log axes.

    Returns ``{"size": x, "how": ...}`` with ``how`` one of ``"interpolated"`` (between two
    measured sizes), ``"extrapolated"`` (past the largest size, along the power law through
    the last two points) or ``"at or below the smallest size"``; ``None`` if the curve does not
    rise towards the threshold.
    """
    points = sorted((float(x), float(y)) for x, y in zip(sizes, values, strict=True))
    if not points or any(x <= 0 or y <= 0 for x, y in points) or threshold <= 0:
        raise ValueError("crossing_point() needs positive sizes, values and threshold.")
    if points[0][1] >= threshold:
        return {"size": points[0][0], "how": "at or below the smallest size"}
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y0 < threshold <= y1:
            t = (math.log(threshold) - math.log(y0)) / (math.log(y1) - math.log(y0))
            return {"size": math.exp(math.log(x0) + t * (math.log(x1) - math.log(x0))), "how": "interpolated"}
    if len(points) < 2:
        return None
    (x0, y0), (x1, y1) = points[-2], points[-1]
    if y1 <= y0 or x1 == x0:
        return None
    slope = (math.log(y1) - math.log(y0)) / (math.log(x1) - math.log(x0))
    return {"size": x1 * (threshold / y1) ** (1 / slope), "how": "extrapolated"}


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


# ---------------------------------------------------------------------------- pure: bench.json


@dataclass(frozen=True)
class Verdict:
    """One target line: what was asked, what was measured, whether it holds (None: not measured)."""

    target: str
    measured: str
    ok: bool | None
    note: str = ""


BENCH_SECTIONS = ("labs", "generator_load_s", "micro")


def load_bench(*paths: str | Path) -> dict[str, Any]:
    """Merge ``bench.json`` files: each section (labs, generator loads, micro-benchmarks) from the
    first of ``paths`` that has it. ``sources`` and ``machines`` say, per section, which file it
    came from and which machine measured it; missing files are skipped."""
    merged: dict[str, Any] = {"sources": {}, "machines": {}}
    for path in map(Path, paths):
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for section in BENCH_SECTIONS:
            if data.get(section) and section not in merged:
                merged[section] = data[section]
                merged["sources"][section] = str(path)
                merged["machines"][section] = data.get("machine") or {}
    return merged


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values))


def _runs(bench: dict[str, Any], section: str) -> list[dict[str, Any]]:
    return list((bench.get("micro") or {}).get(section, {}).get("runs") or [])


def lab_rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per lab: wall time, peak memory, their budgets and a verdict."""
    rows = []
    for lab, result in sorted((bench.get("labs") or {}).items()):
        budget_s, budget_mib = result.get("budget_s"), result.get("budget_mib")
        if "error" in result:
            verdict = "failed"
        elif budget_s is None or budget_mib is None:
            verdict = "no budget"
        else:
            over = [
                name
                for name, value, limit in (
                    ("time", result["seconds"], budget_s),
                    ("memory", result["peak_mib"], budget_mib),
                )
                if value > limit
            ]
            verdict = "over " + " and ".join(over) if over else "ok"
        rows.append(
            {
                "lab": lab,
                "seconds": result.get("seconds"),
                "budget_s": budget_s,
                "peak_mib": result.get("peak_mib"),
                "budget_mib": budget_mib,
                "verdict": verdict,
            }
        )
    return rows


def retrieval_rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per corpus size: chunks, where chunks and vectors came from, build rate, latencies
    (means over runs), the brute-force comparison, or why Milvus was skipped at that size."""
    scales = ((bench.get("micro") or {}).get("retrieval") or {}).get("scales") or []
    rows = []
    for scale in scales:
        runs = scale.get("runs") or []
        row: dict[str, Any] = {
            "contracts": scale["contracts"],
            "chunks": scale["chunks"],
            "chunks from": scale.get("chunk_source", ""),
            "vectors": scale.get("vectors", ""),
        }
        numpy_runs = [r["numpy_ms"] for r in runs if "numpy_ms" in r]
        milvus_runs = [r for r in runs if "milvus_ms" in r]
        if milvus_runs:
            row["build rows/s"] = _mean([r["build_rows_per_s"] for r in milvus_runs])
            row["Milvus p50 ms"] = _mean([r["milvus_ms"]["p50"] for r in milvus_runs])
            row["Milvus p95 ms"] = _mean([r["milvus_ms"]["p95"] for r in milvus_runs])
        if numpy_runs:
            row["NumPy p50 ms"] = _mean([r["p50"] for r in numpy_runs])
            row["NumPy p95 ms"] = _mean([r["p95"] for r in numpy_runs])
        if milvus_runs and numpy_runs:
            row["Milvus / NumPy (p50)"] = row["Milvus p50 ms"] / row["NumPy p50 ms"]
            row["same top-k"] = _mean([r["agreement"]["same_order"] for r in milvus_runs])
        if scale.get("skipped"):
            row["note"] = scale["skipped"]
        rows.append(row)
    return rows


def milvus_crossing(
    bench: dict[str, Any], threshold_ms: float = RETRIEVAL_TARGET_MS
) -> dict[str, Any] | None:
    """Corpus size (contracts) where Milvus Lite's measured p50 reaches ``threshold_ms``."""
    measured = [r for r in retrieval_rows(bench) if "Milvus p50 ms" in r]
    if not measured:
        return None
    return crossing_point(
        [r["contracts"] for r in measured], [r["Milvus p50 ms"] for r in measured], threshold_ms
    )


def lora_summary(bench: dict[str, Any]) -> dict[str, float] | None:
    """Mean LoRA tokens/s, achieved GFLOP/s and fractions of the measured peak over the runs."""
    runs, peaks = _runs(bench, "lora"), _runs(bench, "matmul")
    if not runs or not peaks:
        return None
    peak = _mean([r["peak_gflops"] for r in peaks])
    tokens_per_s = _mean([r["tokens_per_s"] for r in runs])
    standard = _mean([r["standard_gflops"] for r in runs])
    configured = _mean([r["configured_gflops"] for r in runs])
    shaped = [r["model_shape_gflops"] for r in peaks if "model_shape_gflops" in r]
    return {
        "peak_gflops": peak,
        "tokens_per_s": tokens_per_s,
        "standard_gflops": standard,
        "standard_fraction": standard / peak,
        "configured_gflops": configured,
        "configured_fraction": configured / peak,
        "model_shape_fraction": _mean(shaped) / peak if shaped else float("nan"),
    }


def verdicts(bench: dict[str, Any], expected_labs: Sequence[str] = ()) -> list[Verdict]:
    """The issue's target lines, each judged from the numbers in ``bench``.

    ``expected_labs`` names every lab of the book: while some have no measurement, the whole-book
    line cannot be judged (a sum over some labs says nothing about the book).
    """
    out: list[Verdict] = []
    labs = lab_rows(bench)
    missing = sorted(set(expected_labs) - {r["lab"] for r in labs})
    if labs:
        ran = [r for r in labs if r["verdict"] != "failed"]
        failed = [r["lab"] for r in labs if r["verdict"] == "failed"]
        total = sum(r["seconds"] for r in ran)
        notes = [f"failed: {', '.join(failed)}"] if failed else []
        if missing:
            notes.append(f"not measured: {', '.join(missing)}")
        book_ok: bool | None = True
        if failed or total > BOOK_BUDGET_S:
            book_ok = False  # already over, whatever the missing labs take
        elif missing:
            book_ok = None
        out.append(
            Verdict(
                f"whole book (sum of the labs) ≤ {BOOK_BUDGET_S / 60:.0f} min",
                f"{total / 60:.1f} min for {len(ran)} labs",
                book_ok,
                "; ".join(notes),
            )
        )
        for kind in ("time", "memory"):
            over = [r["lab"] for r in labs if kind in r["verdict"]]
            if over:
                notes.append(f"over {kind}: {', '.join(over)}")
        within = [r for r in labs if r["verdict"] == "ok"]
        every_ok = len(within) == len(labs)
        out.append(
            Verdict(
                "every lab within its time and peak-memory budget",
                f"{len(within)} of {len(labs)} labs",
                None if every_ok and missing else every_ok,
                "; ".join(notes),
            )
        )
    else:
        out.append(Verdict("whole book and every lab within budget", "not measured", None, "run make bench"))
    out.append(_retrieval_verdict(bench))
    out.append(_lora_verdict(bench))
    return out


def _retrieval_verdict(bench: dict[str, Any]) -> Verdict:
    target = f"dense retrieval p50 ≤ {RETRIEVAL_TARGET_MS:.0f} ms at {TARGET_CONTRACTS:,} contracts"
    rows = retrieval_rows(bench)
    if not rows:
        return Verdict(target, "not measured", None)
    at_target = [r for r in rows if r["contracts"] == TARGET_CONTRACTS and "Milvus p50 ms" in r]
    crossing = milvus_crossing(bench)
    where = (
        f"Milvus Lite p50 reaches {RETRIEVAL_TARGET_MS:.0f} ms at about "
        f"{crossing['size']:,.0f} contracts ({crossing['how']})"
        if crossing
        else "no crossing can be read from the sizes measured"
    )
    scanned = [r for r in rows if r["contracts"] == TARGET_CONTRACTS and "NumPy p50 ms" in r]
    if scanned:
        where += (
            f"; a brute-force NumPy scan of the {scanned[0]['chunks']:,} vectors at "
            f"{TARGET_CONTRACTS:,} contracts takes {scanned[0]['NumPy p50 ms']:.1f} ms (p50)"
        )
    if at_target:
        p50 = at_target[0]["Milvus p50 ms"]
        return Verdict(target, f"{p50:.1f} ms", p50 <= RETRIEVAL_TARGET_MS, where)
    largest = max((r for r in rows if "Milvus p50 ms" in r), key=lambda r: r["contracts"], default=None)
    if largest is None:
        return Verdict(target, "not measured", None)
    ok = None if crossing is None else crossing["size"] >= TARGET_CONTRACTS
    measured = f"{largest['Milvus p50 ms']:.1f} ms at {largest['contracts']:,} contracts (largest measured)"
    return Verdict(target, measured, ok, where)


def _lora_verdict(bench: dict[str, Any]) -> Verdict:
    target = f"LoRA training ≥ {LORA_FRACTION_TARGET:.2f} of the peak matmul FLOP rate"
    summary = lora_summary(bench)
    if summary is None:
        return Verdict(target, "not measured", None)
    fraction = summary["standard_fraction"]
    measured = f"{fraction:.3f} ({STANDARD_TRAINING_FORMULA})"
    note = (
        f"{summary['configured_fraction']:.3f} counting only the work this LoRA setup does; "
        f"a matmul of the model's own shapes reaches {summary['model_shape_fraction']:.2f} of peak"
    )
    return Verdict(target, measured, fraction >= LORA_FRACTION_TARGET, note)


def verdict_rows(bench: dict[str, Any], expected_labs: Sequence[str] = ()) -> list[dict[str, Any]]:
    """:func:`verdicts` as table rows, the verdict spelled out."""
    spelled = {True: "met", False: "missed", None: "not judged"}
    return [{**asdict(v), "ok": spelled[v.ok]} for v in verdicts(bench, expected_labs)]


def spread_rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """Run-to-run spread of every headline number: each run, the mean and (max - min) / mean."""
    metrics: list[tuple[str, str, str, str]] = [
        ("matmul", "peak_gflops", "peak matmul", "GFLOP/s"),
        ("embedding", "chunks_per_s", "MiniLM embedding", "chunks/s"),
        ("generation", "prompt_tokens_per_s", "prompt processing (one RAG prompt)", "tokens/s"),
        ("generation", "completion_tokens_per_s", "completion (one question)", "tokens/s"),
        ("generation", "batch_completion_tokens_per_s", "completion (batch of questions)", "tokens/s"),
        ("lora", "tokens_per_s", "LoRA SFT training", "tokens/s"),
        ("gguf_vs_materialized", "load_ratio", "GGUF load / materialized load", "x"),
    ]
    rows = []
    for section, key, label, unit in metrics:
        values = [r[key] for r in _runs(bench, section) if key in r]
        if values:
            rows.append({"metric": label, "unit": unit, **spread(values)})
    for scale in ((bench.get("micro") or {}).get("retrieval") or {}).get("scales") or []:
        values = [r["milvus_ms"]["p50"] for r in scale.get("runs") or [] if "milvus_ms" in r]
        if values:
            rows.append(
                {"metric": f"Milvus p50, {scale['contracts']:,} contracts", "unit": "ms", **spread(values)}
            )
    return rows


# ---------------------------------------------------------------------------- measuring


def machine_info() -> dict[str, Any]:
    """CPUs, CPU model, memory, OS, Python, date and load average of this machine, now."""
    model = platform.processor() or ""
    memory_gib = float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 2**20
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": model,
        "memory_gib": round(memory_gib, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages (other work competing for the CPUs)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def time_calls(fn: Callable[[int], object], n: int, warmup: int = 3) -> list[float]:
    """Wall seconds of ``fn(i)`` for i in 0..n-1, after ``warmup`` untimed calls."""
    for i in range(min(warmup, n)):
        fn(i)
    seconds = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        seconds.append(time.perf_counter() - started)
    return seconds


def matmul_gflops(m: int, k: int, n: int, seconds: float = 1.5, dtype: str = "float32") -> float:
    """Best GFLOP/s of torch's ``(m x k) @ (k x n)`` in ``dtype`` over about ``seconds`` of repeats."""
    import torch

    a, b = torch.randn(m, k).to(getattr(torch, dtype)), torch.randn(k, n).to(getattr(torch, dtype))
    for _ in range(3):
        a @ b
    best = math.inf
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2.0 * m * k * n / best / 1e9


def peak_matmul(
    sizes: Sequence[int] = (512, 1024, 2048),
    model_shape: tuple[int, int, int] = (512, 576, 1536),
    dtype: str = "float32",
) -> dict[str, Any]:
    """The machine's peak ``dtype`` matmul rate: the best over square matrices of ``sizes`` and a
    shape like one of SmolLM2-135M's MLP matmuls in a training step (``tokens x 576 x 1536``)."""
    import torch

    square = {str(size): matmul_gflops(size, size, size, dtype=dtype) for size in sizes}
    shaped = matmul_gflops(*model_shape, dtype=dtype)
    return {
        "dtype": dtype,
        "threads": torch.get_num_threads(),
        "square_gflops": square,
        "model_shape": list(model_shape),
        "model_shape_gflops": shaped,
        "peak_gflops": max(*square.values(), shaped),
    }


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


def dense_search_benchmark(
    chunks: Sequence[Any],
    vectors: np.ndarray,
    queries: np.ndarray,
    k: int = 5,
    milvus: bool = True,
) -> dict[str, Any]:
    """Index build rate and per-query dense search latency of a Milvus Lite ``MilvusIndex``
    (FLAT), and of a brute-force NumPy cosine search over the same vectors, queries issued one at
    a time; plus how often both return the same top-``k``. ``milvus=False`` times NumPy alone."""
    vectors = normalize_rows(vectors)
    queries = normalize_rows(queries)
    numpy_seconds = time_calls(
        lambda i: brute_force_top_k(vectors, queries[i], k, normalized=True), len(queries)
    )
    result: dict[str, Any] = {"rows": len(vectors), "numpy_ms": latency_ms(numpy_seconds)}
    if not milvus:
        return result
    from domainllm.rag.vectorstore import MilvusIndex

    position = {chunk.id: i for i, chunk in enumerate(chunks)}
    with MilvusIndex(dim=vectors.shape[1], index_type="FLAT") as index:
        started = time.perf_counter()
        index.add(chunks, vectors)
        build_s = time.perf_counter() - started
        milvus_seconds = time_calls(lambda i: index.search_dense(queries[i], k=k), len(queries))
        hits = index.search_dense(queries, k=k)
    milvus_top = [[position[h.chunk_id] for h in row] for row in hits]
    numpy_top = brute_force_top_k(vectors, queries, k, normalized=True).tolist()
    result.update(
        {
            "build_s": build_s,
            "build_rows_per_s": len(vectors) / build_s,
            "milvus_ms": latency_ms(milvus_seconds),
            "agreement": top_k_agreement(milvus_top, numpy_top),
        }
    )
    return result


def synthetic_unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """``n`` random unit vectors of dimension ``dim`` (Gaussian, normalized), seeded."""
    rng = np.random.default_rng(seed)
    return normalize_rows(rng.standard_normal((n, dim), dtype=np.float32))


def near_queries(vectors: np.ndarray, n: int, noise: float = 0.5, seed: int = 1) -> np.ndarray:
    """``n`` query vectors, each a corpus row plus Gaussian noise (so each has a clear nearest
    neighbour, as a real question has a passage it is about), normalized."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), size=n, replace=len(vectors) < n)
    scale = noise / math.sqrt(vectors.shape[1])
    return normalize_rows(vectors[rows] + rng.normal(0.0, scale, (n, vectors.shape[1])).astype(np.float32))
