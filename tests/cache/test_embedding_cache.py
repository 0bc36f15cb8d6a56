"""The on-disk embedding cache: computes each text once, returns identical vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from domainllm.runtime.embedding_cache import CachedEncoder, computed_afresh


class CountingEncoder:
    """Deterministic toy embedder that records how many texts it was asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_second_call_reads_from_disk_and_keeps_order(tmp_path: Path) -> None:
    inner = CountingEncoder()
    cache = CachedEncoder(inner, "toy", path=tmp_path / "v.sqlite")
    first = cache(["alpha", "beta"])
    again = CachedEncoder(inner, "toy", path=tmp_path / "v.sqlite")(["beta", "alpha", "gamma"])
    assert inner.seen == ["alpha", "beta", "gamma"]
    np.testing.assert_array_equal(again[:2], first[::-1])
    assert again.shape == (3, 3)


def test_different_models_do_not_share_vectors(tmp_path: Path) -> None:
    inner = CountingEncoder()
    CachedEncoder(inner, "model-a", path=tmp_path / "v.sqlite")(["text"])
    CachedEncoder(inner, "model-b", path=tmp_path / "v.sqlite")(["text"])
    assert inner.seen == ["text", "text"]


def test_computed_afresh_embeds_every_text_and_leaves_the_cache_alone(tmp_path: Path) -> None:
    inner = CountingEncoder()
    cache = CachedEncoder(inner, "toy", path=tmp_path / "v.sqlite")
    cached = cache(["alpha"])
    with computed_afresh():
        fresh = cache(["alpha", "beta"])
    np.testing.assert_array_equal(fresh[:1], cached)
    assert inner.seen == ["alpha", "alpha", "beta"]
    cache(["beta"])  # not written inside the block, so embedded again now
    assert inner.seen[-1] == "beta" and len(inner.seen) == 4
