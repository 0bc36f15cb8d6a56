"""Measure the book's speed, memory and scale, print it, and write it to _build/bench.json.

Two parts, both on this machine:

* labs: every lab's wall time and peak memory, each in a fresh process (the kernel's peak
  resident set size, as the operating system reports it), against its budget, run in book
  order in one empty temporary cache (the models already materialized, as `make setup` leaves
  them) as a cold book build runs them; and the first generator load (including
  materialization, in an empty temporary cache) and a later one.
* micro-benchmarks, each repeated ``--repeat`` times to show run-to-run spread, in a temporary
  cache folder (nothing is left in the book's cache): peak matmul FLOP rate, MiniLM embedding
  throughput, dense retrieval latency and index build rate against corpus size on Milvus Lite
  next to a brute-force NumPy search, SmolLM2 generation throughput, loading from the GGUF
  against the materialized checkpoint, and LoRA SFT training throughput.

The Performance page of the book (chapters/performance.md) is drawn from the JSON.

    python scripts/bench.py                       # everything
    python scripts/bench.py --skip-labs           # micro-benchmarks only
    python scripts/bench.py labs/00-setup.ipynb   # one lab (and the micro-benchmarks)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domainllm.benchmark import dense_search, machine, throughput  # noqa: E402
from domainllm.benchmark import performance as perf  # noqa: E402
from domainllm.files import atomic_write_text  # noqa: E402
from domainllm.metrics.measurements import spread  # noqa: E402
from domainllm.paths import cache_dir  # noqa: E402
from domainllm.rag.ann import ANN_MIN_ROWS, TARGET_RECALL  # noqa: E402

BUDGETS = {  # lab -> (seconds, MiB), from the issues
    "00-setup": (120, 1536),
    "01-naive-rag": (300, 1536),
    "02-pre-retrieval": (300, 1536),
    "03-retrieval": (300, 1536),
    "04-post-retrieval": (300, 1536),
    "04b-reading": (300, 1536),
    "05-knowledge-graph": (300, 1536),
    "06-synthetic-data": (360, perf.LAB_MEMORY_CEILING_MIB),
    "07-sft": (360, perf.LAB_MEMORY_CEILING_MIB),
    "07b-retriever-tuning": (360, perf.LAB_MEMORY_CEILING_MIB),
    "08-feedback-dpo": (360, perf.LAB_MEMORY_CEILING_MIB),
    "09-benchmark": (480, 1536),
    "10-roi": (60, 1536),
}
SCHEMA = 1

LOAD = "import time; t = time.perf_counter(); from domainllm.runtime.models import load_generator; load_generator(); print(time.perf_counter() - t)"
RUN_LAB = """
import resource, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": "labs"}}).execute()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def timed_load(cache: str) -> float:
    """Seconds for one generator load in a fresh process using ``cache`` as the cache folder."""
    env = {**os.environ, "DOMAINLLM_CACHE": cache}
    done = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def run_lab(path: Path) -> tuple[float, float]:
    """Wall seconds and kernel peak memory (MiB) of one lab executed top to bottom."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN_LAB, str(path)], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{path.name} failed:\n{done.stderr[-3000:]}")
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def bench_labs(labs: list[Path]) -> tuple[dict[str, Any], bool]:
    """Generator load times and every lab's time and peak memory against its budget."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        first, later = timed_load(cache), timed_load(cache)
    results["generator_load_s"] = {"first_with_materialization": first, "later": later}
    print(f"generator load: first {first:.1f} s (budget 60), later {later:.1f} s (budget 10)")
    results["labs"] = {}
    models = cache_dir("models")  # warmed by `make setup`, as before a book build
    with temporary_cache() as cache:  # a cold book build: the labs share one empty cache, in book order
        (Path(cache) / "models").symlink_to(models, target_is_directory=True)
        ok = run_labs_in_order(labs, results["labs"])
    return results, ok


def run_labs_in_order(labs: list[Path], entries: dict[str, Any]) -> bool:
    """Run each lab in its own process, recording its time and peak memory into ``entries``."""
    ok = True
    for lab in labs:
        budget_s, budget_mib = BUDGETS.get(lab.stem, (None, None))
        entry: dict[str, Any] = {"budget_s": budget_s, "budget_mib": budget_mib}
        try:
            seconds, mib = run_lab(lab)
        except RuntimeError as exc:
            ok = False
            entry["error"] = str(exc)[-2000:]
            print(f"{lab.stem:>20}: FAILED\n{exc}")
        else:
            entry.update({"seconds": seconds, "peak_mib": mib})
            verdict = (
                ""
                if budget_s is None
                else (" ok" if seconds <= budget_s and mib <= budget_mib else " OVER BUDGET")
            )
            print(
                f"{lab.stem:>20}: {seconds:6.1f} s, peak {mib:6.0f} MiB (budget {budget_s} s, {budget_mib} MiB){verdict}"
            )
        entries[lab.stem] = entry
    return ok


@contextlib.contextmanager
def temporary_cache() -> Iterator[str]:
    """Point DOMAINLLM_CACHE at an empty temporary folder for the duration, then restore it."""
    before = os.environ.get("DOMAINLLM_CACHE")
    with tempfile.TemporaryDirectory(prefix="domainllm-bench-") as cache:
        os.environ["DOMAINLLM_CACHE"] = cache
        try:
            yield cache
        finally:
            if before is None:
                os.environ.pop("DOMAINLLM_CACHE", None)
            else:
                os.environ["DOMAINLLM_CACHE"] = before


def repeated(label: str, repeat: int, measure: Any) -> dict[str, Any]:
    """Run ``measure()`` ``repeat`` times; each run's result gets the load average before it."""
    runs = []
    for i in range(repeat):
        load = machine.load_average()
        started = time.perf_counter()
        result = measure()
        runs.append({**result, "load_average_before": load})
        print(f"  {label} run {i + 1}/{repeat}: {time.perf_counter() - started:.1f} s", flush=True)
    return {"runs": runs}


def generated_corpus(
    contracts: int, scratch: Path
) -> tuple[list[Any], list[Any], float, list[str], list[str]]:
    """Generate a portfolio of ``contracts`` contracts; its chunks as the labs cut them
    (``NAIVE_INDEX``), the documents, the generator's seconds, its paraphrase questions and its
    dev questions."""
    from domainllm.corpus.documents import load_corpus
    from domainllm.corpus.portfolio.generate import generate_portfolio
    from domainllm.corpus.questions import load_questions
    from domainllm.rag.chunking import chunk_documents
    from domainllm.rag.recipes import NAIVE_INDEX

    folder = scratch / f"corpus-{contracts}"
    started = time.perf_counter()
    generate_portfolio(folder, contracts=contracts)
    seconds = time.perf_counter() - started
    documents = load_corpus(folder)
    chunks = chunk_documents(documents, NAIVE_INDEX.strategy, **NAIVE_INDEX.params)
    questions = [q.question for q in load_questions("test_paraphrase", folder)]
    dev = [q.question for q in load_questions("dev", folder)]
    shutil.rmtree(folder, ignore_errors=True)
    return chunks, documents, seconds, questions, dev


def repeated_chunks(base: list[Any], count: int) -> list[Any]:
    """``count`` chunks cycling through ``base``, each copy with its own id."""
    return [
        dataclasses.replace(base[i % len(base)], id=f"{base[i % len(base)].id}#{i // len(base)}")
        for i in range(count)
    ]


def bench_retrieval(args: argparse.Namespace, scratch: Path, real: dict[str, Any]) -> dict[str, Any]:
    """Dense search latency and build rate against corpus size; Milvus Lite next to NumPy."""
    from milvus_lite.index.factory import is_faiss_available

    from domainllm.rag.recipes import NAIVE_INDEX

    dim = real["vectors"].shape[1]
    smallest = min(args.contracts)
    scales = []
    build_rate: float | None = None
    base: tuple[int, list[Any]] | None = None
    for contracts in sorted(args.contracts):
        entry: dict[str, Any] = {"contracts": contracts}
        if contracts == smallest:
            chunks = real["chunks"]
            entry["chunk_source"] = f"generated ({real['documents']} documents)"
        elif contracts <= args.generate_up_to:
            chunks, documents, gen_s, _, _ = generated_corpus(contracts, scratch)
            entry["chunk_source"] = f"generated ({len(documents):,} documents)"
            entry["generate_s"] = gen_s
        else:
            assert base is not None
            per_contract = len(base[1]) / base[0]
            chunks = repeated_chunks(base[1], round(per_contract * contracts))
            entry["chunk_source"] = (
                f"{per_contract:.1f} chunks per contract as at {base[0]:,} contracts, texts repeated"
            )
        if contracts <= args.generate_up_to:
            base = (contracts, chunks)
        entry["chunks"] = len(chunks)
        if contracts == smallest:
            vectors, queries = real["vectors"], real["queries"][: args.queries]
            entry["vectors"] = "MiniLM embeddings of the chunks; queries: embedded test questions"
        else:
            vectors = dense_search.vectors_around(real["vectors"], len(chunks), seed=contracts)
            queries = real["queries"][: args.queries]
            entry["vectors"] = (
                "mixtures of two real MiniLM chunk embeddings plus noise; queries: embedded test questions"
            )
        predicted = len(chunks) / build_rate if build_rate else 0.0
        milvus = predicted <= args.max_build_seconds
        if not milvus:
            entry["skipped"] = (
                f"Milvus Lite not built: at the measured {build_rate:,.0f} rows/s the build would take "
                f"about {predicted:,.0f} s per run, over --max-build-seconds {args.max_build_seconds:.0f}"
            )
            print(f"  {contracts:,} contracts: {entry['skipped']}")
        print(f"  {contracts:,} contracts -> {len(chunks):,} chunks", flush=True)
        entry.update(
            repeated(
                f"retrieval {contracts:,}",
                args.repeat,
                lambda c=chunks, v=vectors, q=queries, m=milvus: dense_search.dense_search_benchmark(
                    c, v, q, k=args.k, milvus=m
                ),
            )
        )
        if milvus:
            build_rate = spread([r["build_rows_per_s"] for r in entry["runs"]])["mean"]
        if contracts in args.lite_ann_at:
            print(f"  Milvus Lite with its own HNSW index, {contracts:,} contracts", flush=True)
            entry["milvus_lite_hnsw"] = dense_search.milvus_lite_ann_latency(chunks, vectors, queries)
        if contracts >= args.ann_from:
            print(f"  approximate indexes, {contracts:,} contracts", flush=True)
            entry["ann"] = dense_search.ann_benchmark(vectors, real["calibration"], queries)
        scales.append(entry)
        del vectors, chunks
    return {
        "k": args.k,
        "queries": args.queries,
        "dim": dim,
        "chunking": NAIVE_INDEX.name,
        "dense_index": "FLAT",
        "faiss_available": is_faiss_available(),
        "why_synthetic": (
            "Past the smallest portfolio, embedding every chunk with MiniLM at the measured "
            "embedding rate would take hours on a small machine. Latency depends on the number and "
            "dimension of the vectors, not on what they encode; an approximate index's recall does "
            "depend on how they are spread, so the vectors mix pairs of real chunk embeddings and "
            "the queries are real questions (tuned on dev questions, measured on test questions)."
        ),
        "ann_target": {"recall": TARGET_RECALL, "p50_ms": 20.0, "auto_threshold_rows": ANN_MIN_ROWS},
        "scales": scales,
    }


def bench_micro(args: argparse.Namespace) -> dict[str, Any]:
    """Every micro-benchmark, in a temporary cache folder."""
    import torch
    from threadpoolctl import threadpool_limits

    from domainllm.finetune.sft import CLOSED_BOOK_SFT
    from domainllm.rag.pipeline import closed_book_messages, rag_messages

    if args.threads:
        torch.set_num_threads(args.threads)
    micro: dict[str, Any] = {"repeat": args.repeat, "threads": torch.get_num_threads()}
    with (
        temporary_cache(),
        threadpool_limits(limits=args.threads),
        tempfile.TemporaryDirectory(prefix="bench-corpus-") as scratch_name,
    ):
        scratch = Path(scratch_name)
        # the peak in the number format the models run in (Settings.dtype), and float32 beside it
        from domainllm.config import dtype_name, get_settings

        dtype = dtype_name(get_settings())
        print(f"peak matmul ({dtype})", flush=True)
        micro["model_dtype"] = dtype
        micro["matmul"] = repeated("matmul", args.repeat, lambda: machine.peak_matmul(dtype=dtype))
        if dtype != "float32":
            micro["matmul_float32"] = repeated("matmul_float32", args.repeat, machine.peak_matmul)

        smallest = min(args.contracts)
        chunks, documents, gen_s, questions, dev_questions = generated_corpus(smallest, scratch)
        texts = [c.text for c in chunks]
        print(f"embedding {len(texts)} chunks of the {smallest}-contract corpus", flush=True)
        # each run embeds its own share of the corpus: the runs together embed every chunk once
        shares = iter(np.array_split(np.arange(len(texts)), args.repeat))
        parts: list[np.ndarray] = []

        def embed() -> dict[str, Any]:
            result, made = throughput.embedding_throughput([texts[i] for i in next(shares)])
            parts.append(made)
            return result

        micro["embedding"] = {"model": "all-MiniLM-L6-v2", **repeated("embedding", args.repeat, embed)}
        from domainllm.runtime.models import load_embedder

        query_vectors = load_embedder().encode(questions[: args.queries], normalize_embeddings=True)
        real = {
            "chunks": chunks,
            "documents": len(documents),
            "vectors": np.concatenate(parts),
            "queries": query_vectors,
            "calibration": load_embedder().encode(dev_questions[: args.queries], normalize_embeddings=True),
        }
        print("retrieval against corpus size", flush=True)
        micro["retrieval"] = bench_retrieval(args, scratch, real)

        print("generation", flush=True)
        from domainllm.runtime.models import load_generator

        started = time.perf_counter()
        generator = load_generator()
        materialize_s = time.perf_counter() - started
        top = dense_search.brute_force_top_k(real["vectors"], query_vectors[:1], 3)[0]
        rag_prompt = generator.chat_prompt(rag_messages(questions[0], [chunks[i] for i in top]))
        batch = [generator.chat_prompt(closed_book_messages(q)) for q in questions[:8]]
        micro["generation"] = {
            "model": f"SmolLM2-135M-Instruct (materialized checkpoint, run in {micro['model_dtype']})",
            "first_load_with_materialization_s": materialize_s,
            **repeated(
                "generation",
                args.repeat,
                lambda: throughput.generation_throughput(generator, rag_prompt, batch),
            ),
        }
        print("inference paths", flush=True)
        rag_prompts = [
            generator.chat_prompt(
                rag_messages(q, [chunks[i] for i in dense_search.brute_force_top_k(real["vectors"], v, 3)[0]])
            )
            for q, v in zip(questions[:16], query_vectors[:16], strict=True)
        ]
        micro["inference_paths"] = {
            "adopt_speedup": throughput.ADOPT_SPEEDUP,
            **repeated(
                "inference paths",
                args.repeat,
                lambda: throughput.inference_path_comparison(generator, rag_prompts),
            ),
        }
        print("GGUF against materialized", flush=True)
        micro["gguf_vs_materialized"] = repeated(
            "GGUF load", args.repeat, lambda: throughput.gguf_against_materialized(questions[0])
        )
        print("LoRA SFT throughput", flush=True)
        micro["lora"] = {
            "recipe": (
                f"{CLOSED_BOOK_SFT.name} (LoRA r={CLOSED_BOOK_SFT.lora.r} on the top "
                f"{CLOSED_BOOK_SFT.lora.top_layers} blocks, batch {CLOSED_BOOK_SFT.batch_size})"
            ),
            "formula": throughput.STANDARD_TRAINING_FORMULA,
            "configured_formula": throughput.CONFIG_TRAINING_FORMULA,
            **repeated(
                "LoRA", args.repeat, lambda: throughput.lora_training_throughput(steps=args.lora_steps)
            ),
        }
        micro["corpus_generate_s"] = {str(smallest): gen_s}
    return micro


def write(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(results, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="notebooks to time (default: every lab)")
    parser.add_argument("--skip-labs", action="store_true", help="run the micro-benchmarks only")
    parser.add_argument("--skip-micro", action="store_true", help="run the labs only")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each micro-benchmark (default 2)")
    parser.add_argument(
        "--contracts", type=int, nargs="+", default=[40, 400, 4000, 40000], help="corpus sizes"
    )
    parser.add_argument(
        "--generate-up-to",
        type=int,
        default=4000,
        help="generate corpora up to this many contracts; larger ones repeat the largest one's chunks",
    )
    parser.add_argument(
        "--max-build-seconds",
        type=float,
        default=120.0,
        help="skip Milvus Lite at a size whose predicted build time exceeds this (NumPy still runs)",
    )
    parser.add_argument("--queries", type=int, default=100, help="queries timed one at a time per size")
    parser.add_argument(
        "--ann-from", type=int, default=4000, help="measure approximate indexes from this many contracts on"
    )
    parser.add_argument(
        "--lite-ann-at",
        type=int,
        nargs="*",
        default=[4000],
        help="corpus sizes at which to time Milvus Lite searching with its own HNSW index",
    )
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--lora-steps", type=int, default=4)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for torch and BLAS in the micro-benchmarks (default: as installed, all CPUs)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bench.json")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    results: dict[str, Any] = {"schema": SCHEMA, "machine": machine.machine_info()}
    ok = True
    if not args.skip_micro:
        results["micro"] = bench_micro(args)
        write(results, args.out)
    if not args.skip_labs:
        labs = [Path(p) for p in args.labs] or sorted((ROOT / "labs").glob("*.ipynb"))
        lab_results, ok = bench_labs(labs)
        results.update(lab_results)
        write(results, args.out)
    print()
    every_lab = [path.stem for path in sorted((ROOT / "labs").glob("*.ipynb"))]
    for verdict in perf.verdicts(results, every_lab):
        state = {True: "met", False: "MISSED", None: "not judged"}[verdict.ok]
        print(f"{state:>12}  {verdict.target}: {verdict.measured}  {verdict.note}")
    print(f"wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
