"""Performance chapter: dense search latency of Milvus Lite against an exact NumPy scan, by corpus size.

The exact half (:func:`normalize_rows`, :func:`brute_force_top_k`, :func:`top_k_agreement`, and
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
