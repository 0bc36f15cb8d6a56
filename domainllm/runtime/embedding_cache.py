"""Embeddings cached on disk by content hash, so a corpus is embedded once across labs and runs.

Vectors live in one SQLite file per embedder under the cache folder (``embeddings/``). SQLite
handles concurrent readers and writers, so two labs embedding at the same time stay safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from domainllm.paths import cache_dir
from domainllm.runtime.shape_buckets import SHAPE_MULTIPLE

Encode = Callable[[list[str]], np.ndarray]

_computing_afresh = False


@contextlib.contextmanager
def computed_afresh() -> Iterator[None]:
    """Inside this block every :class:`CachedEncoder` embeds its texts and leaves the cache alone
    (neither read nor written): for timing what a first-time text costs."""
    global _computing_afresh
    before, _computing_afresh = _computing_afresh, True
    try:
        yield
    finally:
        _computing_afresh = before


def text_key(model_key: str, text: str) -> str:
    """Cache key of one text under one embedder."""
    return hashlib.sha256(f"{model_key}\x00{text}".encode()).hexdigest()


class CachedEncoder:
    """Wrap ``encode`` (list of texts -> rows of floats) with a persistent per-text cache."""

    def __init__(self, encode: Encode, model_key: str, path: Path | None = None) -> None:
        self._encode = encode
        self.model_key = model_key
        safe = hashlib.sha256(model_key.encode()).hexdigest()[:16]
        self.path = path or cache_dir("embeddings") / f"{safe}.sqlite"
        self.hits = 0
        self.misses = 0
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if _computing_afresh:
            self.misses += len(texts)
            return np.asarray(self._encode(texts), dtype=np.float32)
        keys = [text_key(self.model_key, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                batch = keys[start : start + 500]
                marks = ",".join("?" * len(batch))
                for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, key in enumerate(keys) if key not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = np.asarray(self._encode([texts[i] for i in missing]), dtype=np.float32)
            with self._connect() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    [(keys[i], fresh[row].tobytes()) for row, i in enumerate(missing)],
                )
            for row, i in enumerate(missing):
                found[keys[i]] = fresh[row]
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[key] for key in keys])


# Texts per embedder batch. On a 2-core CPU batches of 16 embed 1,000-character chunks faster
# than 32 or 64 (the activations stay in cache); the vectors agree to float rounding.
EMBED_BATCH = 16
# Each batch padded to a multiple of SHAPE_MULTIPLE tokens (see domainllm.runtime.shape_buckets).
BUCKETED_PADDING = {"text": {"pad_to_multiple_of": SHAPE_MULTIPLE}}


def sentence_encode(model: Any, batch_size: int = EMBED_BATCH) -> Encode:
    """A sentence-transformers model as ``list[str] -> normalised vectors`` in the book's batch
    size, each batch padded to a multiple of SHAPE_MULTIPLE tokens; no cache."""

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            processing_kwargs=BUCKETED_PADDING,
        )

    return encode


def embedder_encode(settings: object | None = None, batch_size: int = EMBED_BATCH) -> Encode:
    """The book's embedder as ``list[str] -> normalised vectors``, with no cache (every call embeds)."""
    from domainllm.runtime.models import load_embedder

    return sentence_encode(load_embedder(settings), batch_size)


def cached_embedder_encode(settings: object | None = None, batch_size: int = EMBED_BATCH) -> CachedEncoder:
    """The book's embedder (normalised vectors) behind the on-disk cache."""
    from domainllm.config import SHIPPED_EMBEDDER, dtype_tag, get_settings
    from domainllm.runtime.models import EMBEDDER_SHA256

    settings = settings or get_settings()
    key = (
        f"{SHIPPED_EMBEDDER}:{EMBEDDER_SHA256}"
        if settings.embedder == SHIPPED_EMBEDDER
        else settings.embedder
    ) + dtype_tag(settings)
    return CachedEncoder(embedder_encode(settings, batch_size), key)
