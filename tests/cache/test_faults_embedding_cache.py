"""Issue #23 (l): a corrupt embeddings database is named, rebuilt, and never returns wrong vectors."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from domainllm.runtime.embedding_cache import CachedEncoder

TEXTS = [f"clause {i} " * 40 for i in range(400)]


class Encoder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[len(t), t.count("1"), 1.0] for t in texts], dtype=np.float32)


def _filled(path: Path) -> np.ndarray:
    encoder = CachedEncoder(Encoder(), "model", path)
    vectors = encoder(TEXTS)
    db = sqlite3.connect(path)  # fold the write-ahead log into the file, as a finished run does
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return vectors


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _scramble(path: Path) -> None:
    rng = random.Random(0)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(path.stat().st_size)))


@pytest.mark.parametrize("damage", [_truncate, _scramble], ids=["truncated", "scrambled"])
def test_corrupt_database_is_named_rebuilt_and_gives_the_right_vectors(tmp_path: Path, damage) -> None:
    path = tmp_path / "vectors.sqlite"
    expected = _filled(path)
    damage(path)
    encoder = Encoder()
    with pytest.warns(UserWarning, match=str(path)):
        cached = CachedEncoder(encoder, "model", path)
        vectors = cached(TEXTS)
    np.testing.assert_array_equal(vectors, expected)
    again = CachedEncoder(Encoder(), "model", path)  # the rebuilt file works: all hits now
    np.testing.assert_array_equal(again(TEXTS), expected)
    assert again.hits == len(TEXTS)


def test_a_stored_vector_of_the_wrong_size_is_embedded_again(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    expected = _filled(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE vectors SET vector = ? WHERE rowid = 3", (b"\x00\x01\x02",))
    db.commit()
    db.close()
    with pytest.warns(UserWarning, match="wrong size"):
        vectors = CachedEncoder(Encoder(), "model", path)(TEXTS)
    np.testing.assert_array_equal(vectors, expected)


def test_a_busy_database_is_not_mistaken_for_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    _filled(path)
    error = sqlite3.OperationalError("database is locked")
    from domainllm.runtime.embedding_cache import is_corrupt_database

    assert not is_corrupt_database(error)
    assert path.stat().st_size > 0
