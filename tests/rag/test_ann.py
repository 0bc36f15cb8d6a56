"""The approximate nearest-neighbour index for large portfolios, and how the vector store uses it."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.rag.ann import (
    ANN_MIN_ROWS,
    AnnIndex,
    brute_force_top_k,
    cell_count,
    choose_dense_index,
    normalize_rows,
    recall_at_k,
)
from domainllm.rag.chunking import Chunk
from domainllm.rag.vectorstore import MilvusIndex


def clustered(n: int, dim: int = 32, clusters: int = 20, seed: int = 0) -> np.ndarray:
    """Unit vectors scattered around a few centres, as embeddings of related passages are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    return normalize_rows(centres[rng.integers(0, clusters, n)] + 0.3 * rng.standard_normal((n, dim)))


def test_choose_dense_index_switches_to_ann_on_large_collections_and_obeys_an_override() -> None:
    assert choose_dense_index(ANN_MIN_ROWS - 1) == "FLAT"
    assert choose_dense_index(ANN_MIN_ROWS) == "IVF_FLAT"
    assert choose_dense_index(10, "hnsw") == "HNSW"
    assert choose_dense_index(10**6, "FLAT") == "FLAT"
    with pytest.raises(ValueError, match="choose one of auto, FLAT, IVF_FLAT, IVF_SQ8, HNSW"):
        choose_dense_index(10, "DISKANN")


def test_cell_count_leaves_enough_training_vectors_per_cell() -> None:
    assert cell_count(1) == 1
    assert cell_count(1_000) == 1_000 // 39
    assert cell_count(610_000) == round(4 * 610_000**0.5)


@pytest.mark.parametrize("kind", ["IVF_FLAT", "IVF_SQ8", "HNSW"])
def test_each_kind_tunes_to_the_target_recall_and_keeps_it_on_other_queries(kind: str) -> None:
    vectors = clustered(4_000)
    ids = [f"c{i}" for i in range(len(vectors))]
    index = AnnIndex.build(vectors, ids, kind)
    calibration, held_out = clustered(50, seed=1), clustered(50, seed=2)
    reached = index.tune(calibration, brute_force_top_k(vectors, calibration, 10, normalized=True), 0.95)
    assert reached >= 0.95
    found = index.search(held_out, 10)[1]
    assert recall_at_k(found, brute_force_top_k(vectors, held_out, 10, normalized=True)) >= 0.85
    best = index.search_ids(held_out[:1], 3)[0]
    assert [score for _, score in best] == sorted((score for _, score in best), reverse=True)
    assert all(chunk_id in ids for chunk_id, _ in best)
    assert index.memory_bytes() > 0


def test_an_exhaustive_ivf_search_is_exact() -> None:
    vectors = clustered(2_000)
    index = AnnIndex.build(vectors, [str(i) for i in range(2_000)], "IVF_FLAT")
    index.set_width(10**6)  # capped at the number of cells: every cell is searched
    queries = clustered(20, seed=3)
    assert index.width == index.index.nlist
    assert recall_at_k(index.search(queries, 10)[1], brute_force_top_k(vectors, queries, 10)) == 1.0


def test_recall_at_k_counts_shared_members_and_ignores_padding() -> None:
    assert recall_at_k(np.array([[1, 2, -1]]), np.array([[2, 1, 3]])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="one row per query"):
        recall_at_k(np.array([[1]]), np.array([[1], [2]]))


def test_ann_index_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError, match="one vector per id"):
        AnnIndex.build(clustered(10), ["a"], "HNSW")
    with pytest.raises(ValueError, match="builds IVF_FLAT, IVF_SQ8, HNSW, not FLAT"):
        AnnIndex.build(clustered(10), [str(i) for i in range(10)], "FLAT")


def chunks_for(vectors: np.ndarray) -> list[Chunk]:
    return [
        Chunk(
            id=f"doc{i % 7}:c{i}",
            doc_id=f"doc{i % 7}",
            start=0,
            end=4,
            text=f"clause {i}",
            metadata={"doc_type": "msa" if i % 2 else "nda", "section": "s"},
        )
        for i in range(len(vectors))
    ]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    monkeypatch.delenv("DOMAINLLM_MILVUS_URI", raising=False)
    monkeypatch.delenv("DOMAINLLM_DENSE_INDEX", raising=False)
    return tmp_path


def test_the_vector_store_searches_its_ann_index_and_agrees_with_exact_search(cache) -> None:
    vectors = clustered(600, dim=16)
    chunks = chunks_for(vectors)
    queries = clustered(10, dim=16, seed=5)
    with MilvusIndex(dim=16) as exact, MilvusIndex(dim=16, index_type="IVF_FLAT") as approximate:
        exact.add(chunks, vectors)
        approximate.add(chunks, vectors)
        assert exact.dense_index == "FLAT"
        assert approximate.dense_index.startswith("IVF_FLAT (in process")
        assert approximate.tune_dense_index(queries, k=5, target=1.0) == 1.0
        expected = exact.search_dense(queries, k=5)
        found = approximate.search_dense(queries, k=5)
        assert [[h.chunk_id for h in row] for row in found] == [[h.chunk_id for h in row] for row in expected]
        assert [[h.doc_id for h in row] for row in found] == [[h.doc_id for h in row] for row in expected]
        assert [h.rank for h in found[0]] == [1, 2, 3, 4, 5]
        # a filtered search goes through Milvus and still honours the filter
        filtered = approximate.search_dense(queries[:1], k=3, filter='doc_type == "nda"')[0]
        assert filtered and all(int(h.chunk_id.split(":c")[1]) % 2 == 0 for h in filtered)


def test_dense_index_setting_comes_from_the_environment_and_is_checked(cache, monkeypatch) -> None:
    monkeypatch.setenv("DOMAINLLM_DENSE_INDEX", "hnsw")
    with MilvusIndex(dim=8) as index:
        assert index.requested_index == "HNSW"
        index.add(chunks_for(clustered(30, dim=8)), clustered(30, dim=8))
        assert index.dense_index.startswith("HNSW (in process")
    monkeypatch.setenv("DOMAINLLM_DENSE_INDEX", "annoy")
    with pytest.raises(ValueError, match="Unknown dense index 'annoy'"):
        MilvusIndex(dim=8)
