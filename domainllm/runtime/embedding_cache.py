"""Embeddings cached on disk by content hash, so a corpus is embedded once across labs and runs.

Vectors live in one SQLite file per embedder under the cache folder (``embeddings/``). SQLite
handles concurrent readers and writers, so two labs embedding at the same time stay safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import warnings
from collections import Counter
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
    """Wrap ``encode`` (list of texts -> rows of floats) with a persistent per-text cache.

    A cache file found corrupt (cut off, overwritten, not SQLite) is reported with a warning
    naming it and rebuilt empty; its texts are then embedded again. A stored vector whose
    length does not match the others is treated the same way, one text at a time.
    """

    def __init__(self, encode: Encode, model_key: str, path: Path | None = None) -> None:
        self._encode = encode
        self.model_key = model_key
        safe = hashlib.sha256(model_key.encode()).hexdigest()[:16]
        self.path = path or cache_dir("embeddings") / f"{safe}.sqlite"
        self.hits = 0
        self.misses = 0
        self._guarded(lambda db: None)  # creates the table (and repairs a corrupt file) now

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def _run(self, operation: Callable[[sqlite3.Connection], Any]) -> Any:
        db = self._connect()
        try:
            with db:  # one transaction, committed on success
                return operation(db)
        finally:
            db.close()

    def _guarded(self, operation: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``operation`` on the database; if the file is corrupt, rebuild it and run it again."""
        try:
            return self._run(operation)
        except sqlite3.DatabaseError as exc:
            if not is_corrupt_database(exc):
                raise
            self._rebuild(exc)
        return self._run(operation)

    def _rebuild(self, reason: Exception) -> None:
        """Replace a corrupt cache file by an empty one (under a lock: other processes wait)."""
        from domainllm.cache.folders import exclusive_lock

        warnings.warn(
            f"Embedding cache {self.path} is corrupt ({reason}); it was deleted and is rebuilt "
            "as texts are embedded again.",
            stacklevel=4,
        )
        with exclusive_lock(self.path.with_name(f".{self.path.name}.lock")):
            try:
                self._run(lambda db: db.execute("SELECT count(*) FROM vectors").fetchone())
                return  # another process rebuilt it meanwhile
            except sqlite3.DatabaseError as exc:
                if not is_corrupt_database(exc):
                    raise
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        def read(db: sqlite3.Connection) -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for start in range(0, len(keys), 500):
                batch = keys[start : start + 500]
                marks = ",".join("?" * len(batch))
                for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch):
                    found[key] = blob
            return found

        blobs = self._guarded(read)
        sizes = Counter(len(b) for b in blobs.values() if isinstance(b, bytes) and b and len(b) % 4 == 0)
        usual = sizes.most_common(1)[0][0] if sizes else None
        bad = [key for key, blob in blobs.items() if not isinstance(blob, bytes) or len(blob) != usual]
        if bad:
            warnings.warn(
                f"Embedding cache {self.path}: {len(bad)} stored vector(s) have the wrong size; "
                "they are embedded again.",
                stacklevel=3,
            )
        return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in blobs.items() if key not in bad}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if _computing_afresh:
            self.misses += len(texts)
            return np.asarray(self._encode(texts), dtype=np.float32)
        keys = [text_key(self.model_key, t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = np.asarray(self._encode([texts[i] for i in missing]), dtype=np.float32)
            if found and fresh.shape[1] != len(next(iter(found.values()))):
                found = {}  # vectors of another width: the cache is not this embedder's
                fresh = np.asarray(self._encode(texts), dtype=np.float32)
                missing = list(range(len(texts)))
            rows = [(keys[i], fresh[row].tobytes()) for row, i in enumerate(missing)]
            self._guarded(
                lambda db: db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            )
            for row, i in enumerate(missing):
                found[keys[i]] = fresh[row]
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[key] for key in keys])


def is_corrupt_database(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged or not a database (not merely busy or locked)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)
    message = str(exc)
    return "malformed" in message or "not a database" in message


SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


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
