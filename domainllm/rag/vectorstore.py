"""Lab 3 (retrieval): A Milvus collection holding chunks for dense, BM25 and hybrid (RRF) search.

By default each :class:`MilvusIndex` runs Milvus Lite, embedded in this process, on a fresh
temporary folder under ``cache_dir("milvus")``, deleted again by :meth:`MilvusIndex.close`
(or on leaving a ``with`` block, or when the object is garbage collected, or at exit). Two
notebooks running at once therefore never share a database. The folder's name carries the
process id, so one left behind by a killed process is deleted by the next index created.

The same code talks to a Milvus server or cluster: ``MilvusIndex(uri="http://host:19530")``.
The collection is then created on the server (``overwrite=True`` drops an existing one with the
same name) and left there on close. With ``DOMAINLLM_MILVUS_URI`` set, every index created
without a ``uri`` goes to that server instead of Milvus Lite, under a collection name of its own
that is dropped again on close (:mod:`domainllm.rag.milvus_server`).

Dense search over a large collection: Milvus Lite's search visits every row in Python whatever
its index, so past :data:`~domainllm.rag.ann.ANN_MIN_ROWS` chunks (or when
``DOMAINLLM_DENSE_INDEX`` names an index) the Milvus Lite collection keeps exact vectors and
:meth:`MilvusIndex.search_dense` searches an :class:`~domainllm.rag.ann.AnnIndex` built beside
it; searches with a filter still go through Milvus. A server builds the named index itself
(``auto``: Milvus's AUTOINDEX).

Schema: ``chunk_id`` (primary key), ``doc_id``, ``doc_type``, ``section`` (scalar fields for
filters such as ``doc_type == "nda"``), ``text`` (analysed VARCHAR), ``metadata`` (JSON),
``dense`` (FLOAT_VECTOR, inner product on normalised vectors = cosine) and ``sparse``
(SPARSE_FLOAT_VECTOR filled by a Milvus BM25 function from ``text``).

Milvus Lite (3.x, pure Python) differs from a Milvus server in ways this module absorbs:

* BM25 hits come back with negated scores; :class:`Hit` scores are always positive.
* BM25 statistics (IDF, average length) are per flushed segment, so :meth:`MilvusIndex.add`
  flushes once per call: add the whole corpus in one call.
* No ``"english"`` analyzer preset: the analyzer is spelled out (standard tokenizer, lowercase,
  Lucene's English stop words; no stemming), which means the same on a server.
* Each search call costs time proportional to the collection size (Python loops over rows), so
  pass many queries per call where you can.
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from domainllm.rag.ann import AnnIndex, brute_force_top_k, check_dense_index, choose_dense_index
from domainllm.rag.lite_folders import cleanup, temporary_uri
from domainllm.rag.milvus_server import connect, private_collection_name, server_uri

if TYPE_CHECKING:
    from domainllm.rag.chunking import Chunk

# Milvus Lite talks gRPC to an in-process server whose keep-alive chatter ("too_many_pings")
# gRPC would print to stderr in every notebook; keep gRPC's own logging quiet unless asked.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

MAX_TEXT_BYTES = 65_535  # Milvus VARCHAR limit, counted in UTF-8 bytes
SEARCH_BATCH = 256  # queries per request, keeps gRPC messages small
# Lucene's English stop words, spelled out because Milvus Lite has no "_english_" preset.
STOP_WORDS = (
    *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it"),
    *("no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these"),
    *("they", "this", "to", "was", "will", "with"),
)
DEFAULT_ANALYZER: dict[str, Any] = {
    "tokenizer": "standard",
    "filter": ["lowercase", {"type": "stop", "stop_words": list(STOP_WORDS)}],
}


@dataclass(frozen=True)
class Hit:
    """One search result: the chunk's id, its document, its score (higher is better) and rank (from 1)."""

    chunk_id: str
    doc_id: str
    score: float
    rank: int


def check_positive(k: int, name: str = "k") -> None:
    if not isinstance(k, int | np.integer) or k <= 0:
        raise ValueError(f"{name} must be a positive integer, got {k!r}.")


def check_queries(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("Pass a list of query texts, not a single string.")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"empty question at position {i}: {text!r}")
    return texts


@contextlib.contextmanager
def _explain_filter_errors(filter: str | None) -> Iterator[None]:
    """Turn Milvus's complaint about a bad filter expression into a ValueError naming it."""
    from pymilvus import MilvusException

    try:
        yield
    except MilvusException as exc:
        if not filter:
            raise
        raise ValueError(f"Milvus rejected the search (filter {filter!r}): {exc.message}") from exc


class MilvusIndex:
    """Chunks in one Milvus collection, searchable by dense vector, BM25 text or both (RRF).

    ``uri=None`` uses the server ``DOMAINLLM_MILVUS_URI`` names, else a private Milvus Lite
    database in a temporary folder; a ``.db`` path uses (and keeps) that Milvus Lite database;
    ``http://host:19530`` uses a Milvus server. ``index_type`` is the dense index: ``auto`` (the
    default; ``DOMAINLLM_DENSE_INDEX`` overrides it), ``FLAT`` (exact), ``IVF_FLAT``, ``IVF_SQ8`` or
    ``HNSW`` (:mod:`domainllm.rag.ann`).
    """

    def __init__(
        self,
        dim: int = 384,
        uri: str | None = None,
        collection: str | None = None,
        *,
        index_type: str | None = None,
        analyzer_params: dict[str, Any] | None = None,
        bm25_k1: float = 1.2,
        bm25_b: float = 0.75,
        overwrite: bool = False,
    ) -> None:
        check_positive(dim, "dim")
        self.dim = int(dim)
        self.requested_index = check_dense_index(
            index_type or os.environ.get("DOMAINLLM_DENSE_INDEX") or "auto"
        )
        self._folder: str | None = None
        self._drop_on_close = False
        if uri is None:
            uri = server_uri()
            if uri is not None and collection is None:
                collection, self._drop_on_close = private_collection_name(), True
        if uri is None:
            uri, self._folder = temporary_uri()
        self.collection = collection or "chunks"
        self.uri = uri
        self.is_lite = uri.endswith(".db")
        self._finalizer = weakref.finalize(self, cleanup, uri, self._folder)
        self._ids: set[str] = set()
        self._doc_ids: dict[str, str] = {}
        self._dense_parts: list[np.ndarray] = []
        self._dense_ids: list[str] = []
        self._ann: AnnIndex | None = None
        self._client: Any = None
        try:
            self._client = connect(uri)
            if self._client.has_collection(self.collection):
                if not overwrite:
                    raise ValueError(
                        f"Collection {self.collection!r} already exists at {uri}; "
                        "pass overwrite=True to replace it or choose another name."
                    )
                self._client.drop_collection(self.collection)
            self._create(self._milvus_index(), analyzer_params or DEFAULT_ANALYZER, bm25_k1, bm25_b)
        except BaseException:
            self.close()
            raise

    def _milvus_index(self) -> tuple[str, dict[str, Any]]:
        """The dense index Milvus itself builds: exact in Milvus Lite (an :class:`AnnIndex` beside it
        takes over large collections), the requested one on a server (``auto``: AUTOINDEX)."""
        if self.is_lite or self.requested_index == "FLAT":
            return "FLAT", {}
        if self.requested_index == "auto":
            return "AUTOINDEX", {}
        if self.requested_index == "HNSW":
            return "HNSW", {"M": 32, "efConstruction": 64}
        return self.requested_index, {"nlist": 1024}

    @property
    def dense_index(self) -> str:
        """The index dense searches use now, e.g. ``FLAT``, ``IVF_FLAT (in process)`` or ``AUTOINDEX (server)``."""
        if self._ann is not None:
            return f"{self._ann.kind} (in process, width {self._ann.width})"
        kind, _ = self._milvus_index()
        return kind if self.is_lite else f"{kind} (server)"

    def _create(
        self, index: tuple[str, dict[str, Any]], analyzer: dict[str, Any], k1: float, b: float
    ) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field("doc_type", DataType.VARCHAR, max_length=256)
        schema.add_field("section", DataType.VARCHAR, max_length=1024)
        text_options = {"max_length": MAX_TEXT_BYTES, "enable_analyzer": True, "analyzer_params": analyzer}
        schema.add_field("text", DataType.VARCHAR, **text_options)
        schema.add_field("metadata", DataType.JSON)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="text_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
        index_params = MilvusClient.prepare_index_params()
        index_type, params = index
        index_params.add_index(field_name="dense", index_type=index_type, metric_type="IP", params=params)
        index_params.add_index(
            field_name="sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": k1, "bm25_b": b},
        )
        self._client.create_collection(self.collection, schema=schema, consistency_level="Strong")
        # sync=False skips pymilvus's 0.5 s polling per index; Milvus Lite builds indexes at once,
        # a server is asked to wait (the collection is empty, so that is quick too).
        self._client.create_index(self.collection, index_params, sync=not self.is_lite)
        self._client.load_collection(self.collection)

    # ------------------------------------------------------------------ writing

    def add(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        batch_size: int = 512,
        texts: Sequence[str] | None = None,
    ) -> None:
        """Insert chunks with their (normalised) vectors, then flush so searches see them.

        ``texts`` (default: each chunk's own text) is what BM25 indexes, e.g. the chunk with a
        contextual header naming its contract. Add everything in one call where possible:
        Milvus Lite computes BM25 statistics per flushed segment, so one call gives one
        segment and corpus-wide IDF.
        """
        check_positive(batch_size, "batch_size")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(chunks), self.dim):
            raise ValueError(f"vectors must have shape ({len(chunks)}, {self.dim}), got {vectors.shape}.")
        if not np.isfinite(vectors).all():
            raise ValueError("vectors contain NaN or infinite values.")
        ids = [chunk.id for chunk in chunks]
        if len(set(ids)) != len(ids) or self._ids.intersection(ids):
            raise ValueError("chunk ids must be unique (within the call and across calls to add).")
        texts = [chunk.text for chunk in chunks] if texts is None else list(texts)
        if len(texts) != len(chunks):
            raise ValueError(f"texts has {len(texts)} entries for {len(chunks)} chunks.")
        rows = [
            self._row(chunk, vector, text) for chunk, vector, text in zip(chunks, vectors, texts, strict=True)
        ]
        for start in range(0, len(rows), batch_size):
            self._client.insert(self.collection, rows[start : start + batch_size])
        if rows:
            self._client.flush(self.collection)
        self._ids.update(ids)
        self._doc_ids.update((chunk.id, chunk.doc_id) for chunk in chunks)
        if self.is_lite:
            self._dense_parts.append(vectors)
            self._dense_ids.extend(ids)
            self._refresh_ann()

    def _refresh_ann(self) -> None:
        """(Re)build the in-process ANN index when the collection has become large enough."""
        kind = choose_dense_index(len(self._dense_ids), self.requested_index)
        if kind == "FLAT":
            self._ann = None
            return
        if len(self._dense_parts) > 1:
            self._dense_parts = [np.concatenate(self._dense_parts)]
        self._ann = AnnIndex.build(self._dense_parts[0], self._dense_ids, kind)

    def tune_dense_index(self, queries: np.ndarray, k: int = 10, target: float = 0.95) -> float | None:
        """Widen the in-process ANN search until recall@``k`` against exact search reaches
        ``target`` on these calibration query vectors; return the recall (None without an ANN index)."""
        if self._ann is None:
            return None
        queries = self._vectors(queries)
        exact = brute_force_top_k(self._dense_parts[0], queries, k, normalized=True)
        return self._ann.tune(queries, exact, target)

    @staticmethod
    def _row(chunk: Chunk, vector: np.ndarray, text: str) -> dict[str, Any]:
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise ValueError(f"Chunk {chunk.id} is longer than {MAX_TEXT_BYTES} UTF-8 bytes; chunk smaller.")
        meta = chunk.metadata
        metadata = json.loads(json.dumps(dict(meta), default=str))  # JSON-safe copy
        return {
            "chunk_id": chunk.id,
            "doc_id": chunk.doc_id,
            "doc_type": str(meta.get("doc_type") or ""),
            "section": str(meta.get("section") or "")[:1024],
            "text": text,
            "metadata": {**metadata, "start": chunk.start, "end": chunk.end},
            "dense": vector.tolist(),
        }

    # ------------------------------------------------------------------ searching

    def _vectors(self, vectors: np.ndarray) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors[None, :]
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"query vectors must have shape (n, {self.dim}), got {vectors.shape}.")
        return vectors

    @staticmethod
    def _hits(results: Any, bm25: bool = False) -> list[list[Hit]]:
        def score(distance: float) -> float:
            # Milvus Lite reports BM25 scores negated (as distances), Milvus servers positive;
            # BM25 scores are never negative, so abs() is right for both.
            return abs(distance) if bm25 else distance

        return [
            [
                Hit(chunk_id=h["chunk_id"], doc_id=h["entity"]["doc_id"], score=score(h["distance"]), rank=r)
                for r, h in enumerate(hits, start=1)
            ]
            for hits in results
        ]

    def _search(self, data: list, field: str, metric: str, k: int, filter: str | None) -> list[list[Hit]]:
        out: list[list[Hit]] = []
        for start in range(0, len(data), SEARCH_BATCH):
            with _explain_filter_errors(filter):
                results = self._client.search(
                    self.collection,
                    data=data[start : start + SEARCH_BATCH],
                    anns_field=field,
                    limit=k,
                    filter=filter or "",
                    output_fields=["doc_id"],
                    search_params={"metric_type": metric},
                )
            out.extend(self._hits(results, bm25=metric == "BM25"))
        return out

    def search_dense(self, vectors: np.ndarray, k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        """Top-``k`` chunks by inner product for each query vector (one list per query)."""
        check_positive(k)
        vectors = self._vectors(vectors)
        if not len(vectors) or not self._ids:
            return [[] for _ in vectors]
        if self._ann is not None and not filter:
            return [
                [
                    Hit(chunk_id=chunk_id, doc_id=self._doc_ids[chunk_id], score=score, rank=rank)
                    for rank, (chunk_id, score) in enumerate(row, start=1)
                ]
                for row in self._ann.search_ids(vectors, k)
            ]
        return self._search(vectors.tolist(), "dense", "IP", k, filter)

    def search_bm25(self, texts: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        """Top-``k`` chunks by BM25 for each query text; queries sharing no term with any chunk get []."""
        check_positive(k)
        texts = check_queries(texts)
        if not texts or not self._ids:
            return [[] for _ in texts]
        return self._search(texts, "sparse", "BM25", k, filter)

    def search_hybrid(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        k: int = 5,
        candidates: int = 50,
        rrf_k: int = 60,
        filter: str | None = None,
    ) -> list[list[Hit]]:
        """Milvus ``hybrid_search``: ``candidates`` dense and BM25 hits per query fused by ``RRFRanker``.

        Scores are RRF scores (Milvus returns them as float32).
        """
        from pymilvus import AnnSearchRequest, RRFRanker

        check_positive(k)
        check_positive(candidates, "candidates")
        texts = check_queries(texts)
        vectors = self._vectors(vectors)
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors.")
        if not texts or not self._ids:
            return [[] for _ in texts]
        if not 0 < rrf_k < 16384:
            raise ValueError(f"rrf_k must be in (0, 16384) for Milvus's RRFRanker, got {rrf_k}.")
        candidates = max(candidates, k)
        out: list[list[Hit]] = []
        for start in range(0, len(texts), SEARCH_BATCH):
            stop = start + SEARCH_BATCH
            dense = AnnSearchRequest(
                vectors[start:stop].tolist(), "dense", {"metric_type": "IP"}, candidates, filter=filter
            )
            bm25 = AnnSearchRequest(
                texts[start:stop], "sparse", {"metric_type": "BM25"}, candidates, filter=filter
            )
            with _explain_filter_errors(filter):
                results = self._client.hybrid_search(
                    self.collection, [dense, bm25], RRFRanker(rrf_k), limit=k, output_fields=["doc_id"]
                )
            out.extend(self._hits(results))
        return out

    # ------------------------------------------------------------------ lifecycle

    def __len__(self) -> int:
        return len(self._ids)

    def close(self) -> None:
        """Disconnect; for a temporary Milvus Lite database also stop it and delete its folder."""
        client = getattr(self, "_client", None)
        if client is not None:
            if getattr(self, "_drop_on_close", False):
                with contextlib.suppress(Exception):
                    client.drop_collection(self.collection)
            client.close()
            self._client = None
        self._finalizer()

    def __enter__(self) -> MilvusIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"MilvusIndex(uri={self.uri!r}, collection={self.collection!r}, chunks={len(self)}, "
            f"dense index {self.dense_index})"
        )
