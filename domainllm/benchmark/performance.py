"""Performance chapter: the targets, tables and verdicts the page draws from ``bench.json``.

``scripts/bench.py`` measures (:mod:`domainllm.benchmark.machine`, :mod:`~domainllm.benchmark.throughput`,
:mod:`~domainllm.benchmark.dense_search`) and writes ``_build/bench.json``; this module reads
one or more such files back (:func:`load_bench`) and turns them into per-lab, per-corpus-size and
run-to-run tables and into one :class:`Verdict` per target line. It needs only the standard
library and NumPy, so the book page imports it without torch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from domainllm.benchmark.throughput import STANDARD_TRAINING_FORMULA
from domainllm.metrics.measurements import crossing_point, spread
from domainllm.rag.ann import DEFAULT_ANN, TARGET_RECALL

BOOK_BUDGET_S = 20 * 60  # whole book: sum of the labs' wall times
RETRIEVAL_TARGET_MS = 20.0  # dense retrieval p50 at TARGET_CONTRACTS
TARGET_CONTRACTS = 40_000
LORA_FRACTION_TARGET = 0.25  # of the machine's measured peak matmul FLOP rate
LAB_MEMORY_CEILING_MIB = 1792  # Binder's 2 GB is the whole container, the Jupyter server included


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


def ann_rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per corpus size and search (exact scan, then each approximate index) at the size
    where approximate indexes were measured: latency, recall@k against exact, build and memory."""
    scales = ((bench.get("micro") or {}).get("retrieval") or {}).get("scales") or []
    rows = []
    for scale in scales:
        ann = scale.get("ann")
        if not ann:
            continue
        base = {"contracts": scale["contracts"], "chunks": scale["chunks"]}
        rows.append(
            {
                **base,
                "index": "exact scan (NumPy)",
                "p50 ms": ann["exact_ms"]["p50"],
                "p95 ms": ann["exact_ms"]["p95"],
                "recall@k": 1.0,
            }
        )
        for kind, entry in ann["kinds"].items():
            tuned = entry["tuned"]
            rows.append(
                {
                    **base,
                    "index": kind,
                    "p50 ms": tuned["ms"]["p50"],
                    "p95 ms": tuned["ms"]["p95"],
                    "recall@k": tuned["recall"],
                    "width": tuned["width"],
                    "default width recall": entry["default"]["recall"],
                    "build s": entry["build_s"],
                    "index MiB": entry["memory_mib"],
                }
            )
        lite = scale.get("milvus_lite_hnsw")
        if lite:
            rows.append(
                {
                    **base,
                    "index": "Milvus Lite, its own HNSW",
                    "p50 ms": lite["ms"]["p50"],
                    "p95 ms": lite["ms"]["p95"],
                    "recall@k": lite["recall"],
                    "build s": lite["build_s"],
                }
            )
    return rows


def _memory_ceiling_verdict(labs: list[dict[str, Any]], missing: Sequence[str]) -> Verdict:
    target = (
        f"kernel peak of every lab ≤ {LAB_MEMORY_CEILING_MIB:,} MiB (Binder's 2 GB, less the Jupyter server)"
    )
    peaks = [r for r in labs if r.get("peak_mib") is not None]
    if not peaks:
        return Verdict(target, "not measured", None, "run make bench")
    highest = max(peaks, key=lambda r: r["peak_mib"])
    over = [r["lab"] for r in peaks if r["peak_mib"] > LAB_MEMORY_CEILING_MIB]
    ok: bool | None = not over
    notes = [f"over: {', '.join(over)}"] if over else []
    if missing:
        notes.append(f"not measured: {', '.join(missing)}")
        ok = False if over else None
    measured = f"highest {highest['peak_mib']:,.0f} MiB ({highest['lab']})"
    return Verdict(target, measured, ok, "; ".join(notes))


def _ann_verdict(bench: dict[str, Any]) -> Verdict:
    target = (
        f"approximate dense retrieval at {TARGET_CONTRACTS:,} contracts: p50 ≤ {RETRIEVAL_TARGET_MS:.0f} ms "
        f"and recall@10 ≥ {TARGET_RECALL:g} against exact search"
    )
    chosen = [r for r in ann_rows(bench) if r["contracts"] == TARGET_CONTRACTS and r["index"] == DEFAULT_ANN]
    if not chosen:
        return Verdict(target, "not measured", None, "run make bench")
    row = chosen[0]
    ok = row["p50 ms"] <= RETRIEVAL_TARGET_MS and row["recall@k"] >= TARGET_RECALL
    return Verdict(
        target,
        f"{DEFAULT_ANN}: {row['p50 ms']:.1f} ms, recall {row['recall@k']:.3f}",
        ok,
        f"width {row['width']} tuned on dev questions, measured on test questions",
    )


def inference_rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per inference path: seconds, completion tokens/s, speed-up and identical answers,
    means over runs."""
    runs = _runs(bench, "inference_paths")
    if not runs:
        return []
    rows = []
    for name in runs[0]["paths"]:
        entries = [run["paths"][name] for run in runs if name in run["paths"]]
        rows.append(
            {
                "path": name,
                "seconds": _mean([e["seconds"] for e in entries]),
                "completion tokens/s": _mean([e["completion_tokens_per_s"] for e in entries]),
                "speed-up": _mean([e["speedup"] for e in entries]),
                "identical answers": f"{min(e['identical_answers'] for e in entries)} of {runs[0]['prompts']}",
            }
        )
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
    out.append(_memory_ceiling_verdict(labs, missing))
    out.append(_retrieval_verdict(bench))
    out.append(_ann_verdict(bench))
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
