"""Performance chapter: dense search latency of Milvus Lite, an exact NumPy scan and approximate indexes, by corpus size.

The exact half (:func:`~domainllm.rag.ann.brute_force_top_k`, :func:`top_k_agreement`, and
the seeded vectors and queries that stand in for a corpus larger than the shipped one) needs only
NumPy; :func:`dense_search_benchmark` imports pymilvus (through the vector store) when it times
Milvus. ``scripts/bench.py`` calls it at each corpus size and writes ``_build/bench.json``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from domainllm.benchmark.machine import time_calls
from domainllm.metrics.measurements import latency_ms
from domainllm.rag.ann import (
    ANN_KINDS,
    TARGET_RECALL,
    AnnIndex,
    brute_force_top_k,
    normalize_rows,
    recall_at_k,
)


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


def vectors_around(anchors: np.ndarray, n: int, noise: float = 0.05, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors spread over the region real embeddings occupy: each a random mix of two
    ``anchors`` (real chunk embeddings) plus Gaussian noise. Unlike uniform random vectors, whose
    nearest neighbours are all about equally far, they have the near and far neighbours that make
    an approximate index's recall meaningful."""
    anchors = normalize_rows(anchors)
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, len(anchors), n), rng.integers(0, len(anchors), n)
    mix = rng.random((n, 1), dtype=np.float32)
    out = mix * anchors[first]
    out += (1 - mix) * anchors[second]
    out += rng.normal(0.0, noise, out.shape).astype(np.float32)
    return normalize_rows(out)


def ann_benchmark(
    vectors: np.ndarray,
    calibration: np.ndarray,
    queries: np.ndarray,
    k: int = 10,
    kinds: Sequence[str] = ANN_KINDS,
    target: float = TARGET_RECALL,
) -> dict[str, Any]:
    """Exact search against each approximate index kind on the same vectors: build seconds,
    index bytes, and per-query latency with recall@``k`` against exact search, at the default
    width and at the width :meth:`AnnIndex.tune` picks on the ``calibration`` queries (the
    reported recall is on the other ``queries``)."""
    vectors, calibration, queries = (
        normalize_rows(vectors),
        normalize_rows(calibration),
        normalize_rows(queries),
    )
    exact_seconds = time_calls(
        lambda i: brute_force_top_k(vectors, queries[i], k, normalized=True), len(queries)
    )
    exact = brute_force_top_k(vectors, queries, k, normalized=True)
    exact_calibration = brute_force_top_k(vectors, calibration, k, normalized=True)
    ids = [str(i) for i in range(len(vectors))]
    result: dict[str, Any] = {
        "rows": len(vectors),
        "k": k,
        "exact_ms": latency_ms(exact_seconds),
        "kinds": {},
    }
    for kind in kinds:
        started = time.perf_counter()
        index = AnnIndex.build(vectors, ids, kind)
        build_s = time.perf_counter() - started

        def measured(index: AnnIndex = index) -> dict[str, Any]:
            seconds = time_calls(lambda i: index.search(queries[i], k), len(queries))
            return {
                "width": index.width,
                "ms": latency_ms(seconds),
                "recall": recall_at_k(index.search(queries, k)[1], exact),
            }

        entry = {"build_s": build_s, "memory_mib": index.memory_bytes() / 2**20, "default": measured()}
        entry["calibration_recall"] = index.tune(calibration, exact_calibration, target)
        entry["tuned"] = measured()
        result["kinds"][kind] = entry
        print(
            f"    {kind}: build {build_s:.1f} s, tuned width {index.width}: "
            f"p50 {entry['tuned']['ms']['p50']:.2f} ms, recall@{k} {entry['tuned']['recall']:.3f}",
            flush=True,
        )
        del index
    return result


def milvus_lite_ann_latency(
    chunks: Sequence[Any], vectors: np.ndarray, queries: np.ndarray, kind: str = "HNSW", k: int = 10
) -> dict[str, Any]:
    """Per-query latency and recall of Milvus Lite searching with its own ``kind`` index (built by
    Milvus Lite on the flushed segment): shows that the index is used, and that Milvus Lite still
    spends time proportional to the collection on each query."""
    from domainllm.rag.vectorstore import MilvusIndex

    vectors, queries = normalize_rows(vectors), normalize_rows(queries)
    position = {chunk.id: i for i, chunk in enumerate(chunks)}
    with MilvusIndex(dim=vectors.shape[1], index_type="FLAT") as index:
        started = time.perf_counter()
        index.add(chunks, vectors)
        client = index._client
        client.release_collection(index.collection)
        client.drop_index(index.collection, "dense")
        params = client.prepare_index_params()
        params.add_index(
            field_name="dense", index_type=kind, metric_type="IP", params={"M": 32, "efConstruction": 64}
        )
        client.create_index(index.collection, params, sync=False)
        client.load_collection(index.collection)
        build_s = time.perf_counter() - started
        seconds = time_calls(lambda i: index.search_dense(queries[i], k=k), len(queries))
        hits = index.search_dense(queries, k=k)
    found = np.array([[position[h.chunk_id] for h in row] for row in hits])
    return {
        "index": kind,
        "rows": len(vectors),
        "build_s": build_s,
        "ms": latency_ms(seconds),
        "recall": recall_at_k(found, brute_force_top_k(vectors, queries, k, normalized=True)),
    }
