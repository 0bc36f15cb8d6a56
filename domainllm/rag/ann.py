"""Lab 3 (retrieval) and the Performance page: an approximate nearest-neighbour index for large portfolios.

Exact (FLAT) dense search scores every chunk, so its time grows with the portfolio. Milvus Lite
3.2.2 does build FAISS indexes (HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8) on flushed segments, but its
search executor still walks every row in Python on each query (de-duplication and deletion
masks), so in Milvus Lite a query costs time proportional to the collection whatever the index.
:class:`AnnIndex` is the remedy on one machine: the same FAISS index types, searched directly.
:class:`~domainllm.rag.vectorstore.MilvusIndex` builds one beside its Milvus Lite collection
once the collection is large (:func:`choose_dense_index`), and a Milvus server builds the index
itself.

Kinds: ``IVF_FLAT`` (k-means cells, exact scores inside the ``width`` cells searched),
``IVF_SQ8`` (the same with 8-bit vectors, a quarter of the memory) and ``HNSW`` (a graph;
``width`` is its search breadth). :meth:`AnnIndex.tune` widens the search until recall against
exact search reaches a target on calibration queries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

ANN_KINDS = ("IVF_FLAT", "IVF_SQ8", "HNSW")
DENSE_INDEXES = ("auto", "FLAT", *ANN_KINDS)
# Milvus Lite's exact search took 8.8 ms per query at 6,077 chunks and 105 ms at 60,983 on the
# 2-core machine (data/performance/bench.json): it crosses 20 ms near 15,000 chunks.
ANN_MIN_ROWS = 15_000
DEFAULT_ANN = "IVF_FLAT"  # built in a fifth of HNSW's time at 610,000 chunks, and more accurate there
TARGET_RECALL = 0.95
HNSW_NEIGHBOURS = 32
HNSW_BUILD_BREADTH = 64


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


def check_dense_index(name: str) -> str:
    """``name`` upper-cased if it is a dense index this book knows, else a ValueError listing them."""
    normalized = name.strip()
    normalized = normalized if normalized == "auto" else normalized.upper()
    if normalized not in DENSE_INDEXES:
        raise ValueError(f"Unknown dense index {name!r}; choose one of {', '.join(DENSE_INDEXES)}.")
    return normalized


def choose_dense_index(rows: int, requested: str = "auto") -> str:
    """The dense index for a collection of ``rows`` chunks: ``requested`` unless it is ``auto``,
    else exact ``FLAT`` below :data:`ANN_MIN_ROWS` and :data:`DEFAULT_ANN` from there on."""
    requested = check_dense_index(requested)
    if requested != "auto":
        return requested
    return "FLAT" if rows < ANN_MIN_ROWS else DEFAULT_ANN


def cell_count(rows: int) -> int:
    """IVF cells for ``rows`` vectors: about 4 x sqrt(rows) (FAISS's rule of thumb), at most rows / 39
    so that k-means sees 39 training vectors per cell, and at least 1."""
    return max(1, min(round(4 * math.sqrt(rows)), rows // 39))


def default_width(kind: str, rows: int) -> int:
    """Search width before tuning: a tenth of the IVF cells (at least 32), or 256 for HNSW."""
    if kind == "HNSW":
        return 256
    cells = cell_count(rows)
    return min(cells, max(32, cells // 10))


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each query's exact top-k that ``found`` (same shape, row per query) also holds."""
    found, exact = np.atleast_2d(found), np.atleast_2d(exact)
    if found.shape[0] != exact.shape[0] or not len(exact):
        raise ValueError(
            f"recall_at_k() needs one row per query in both; got {found.shape} and {exact.shape}."
        )
    k = exact.shape[1]
    return float(np.mean([len(set(a[a >= 0]) & set(b)) / k for a, b in zip(found, exact, strict=True)]))


@dataclass
class AnnIndex:
    """A FAISS index over unit vectors with inner-product scores (cosine), keyed by string ids."""

    kind: str
    index: Any
    ids: list[str]
    width: int

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: Sequence[str], kind: str = DEFAULT_ANN, seed: int = 0
    ) -> AnnIndex:
        """Index ``vectors`` (rows, normalized to unit length) under ``ids``."""
        import faiss

        kind = check_dense_index(kind)
        if kind not in ANN_KINDS:
            raise ValueError(f"AnnIndex builds {', '.join(ANN_KINDS)}, not {kind}.")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(ids) or not len(ids):
            raise ValueError(
                f"AnnIndex needs one vector per id and at least one; got {vectors.shape} for {len(ids)}."
            )
        rows, dim = vectors.shape
        if kind == "HNSW":
            index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_BUILD_BREADTH
        else:
            quantizer = faiss.IndexFlatIP(dim)
            cells = cell_count(rows)
            if kind == "IVF_FLAT":
                index = faiss.IndexIVFFlat(quantizer, dim, cells, faiss.METRIC_INNER_PRODUCT)
            else:
                index = faiss.IndexIVFScalarQuantizer(
                    quantizer, dim, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
                )
            index.cp.seed = seed
            sample = np.random.default_rng(seed).choice(rows, size=min(rows, 64 * cells), replace=False)
            index.train(vectors[np.sort(sample)])
            index.quantizer_trains_alone = 0
        index.add(vectors)
        built = cls(kind=kind, index=index, ids=list(ids), width=1)
        built.set_width(default_width(kind, rows))
        return built

    def set_width(self, width: int) -> None:
        """Cells searched (IVF) or search breadth (HNSW); wider is slower and finds more."""
        if width < 1:
            raise ValueError(f"width must be at least 1, got {width}.")
        self.width = int(width)
        if self.kind == "HNSW":
            self.index.hnsw.efSearch = self.width
        else:
            self.width = min(self.width, self.index.nlist)
            self.index.nprobe = self.width

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row positions of the ``k`` best rows per query; position -1 pads short rows."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if self.kind == "HNSW":
            self.index.hnsw.efSearch = max(self.width, k)
        return self.index.search(queries, k)

    def search_ids(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Per query, the ``k`` best ``(id, score)`` pairs, best first."""
        scores, positions = self.search(queries, k)
        return [
            [(self.ids[p], float(s)) for p, s in zip(row_p, row_s, strict=True) if p >= 0]
            for row_p, row_s in zip(positions, scores, strict=True)
        ]

    def tune(self, queries: np.ndarray, exact: np.ndarray, target: float = TARGET_RECALL) -> float:
        """Double the width until recall@k of ``queries`` against their ``exact`` top-k (row
        positions, one row per query) reaches ``target``, or the search is exhaustive; return the
        recall reached. Tune on calibration queries, then measure on others."""
        limit = self.index.nlist if self.kind != "HNSW" else max(4096, self.width)
        while True:
            recall = recall_at_k(self.search(queries, exact.shape[1])[1], exact)
            if recall >= target or self.width >= limit:
                return recall
            self.set_width(min(limit, self.width * 2))

    def memory_bytes(self) -> int:
        """Bytes the index occupies once serialized (vectors, cells or graph)."""
        import faiss

        return int(faiss.serialize_index(self.index).nbytes)

    def __len__(self) -> int:
        return len(self.ids)
