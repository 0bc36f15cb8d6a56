"""The record-cache base (infrastructure): JSON records on disk, keyed by a content hash.

LLM outputs that cost seconds (generated pairs, judge scores) are stored once per hash of
everything that decides them: model, prompt, settings. A second run, or a later lab asking for
the same thing, reads the file instead of running the model. One file per key, written
atomically, so concurrent kernels never see half a record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domainllm.cache.keys import content_key  # noqa: F401  (re-exported: the key the records use)
from domainllm.files import atomic_write_text
from domainllm.paths import cache_dir


class JsonDiskCache:
    # Every JSON record cache of the book subclasses this one: generated text, answers, questions.
    """``get``/``put`` JSON objects under ``folder`` (default: ``<cache>/<name>``); counts hits and misses."""

    def __init__(self, name: str, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir(name)
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored record, or None (a missing or corrupt file counts as a miss)."""
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        if not isinstance(record, dict):
            self.misses += 1
            return None
        self.hits += 1
        return record

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Store ``record`` under ``key`` (atomically replacing any older one)."""
        atomic_write_text(self._path(key), json.dumps(record, ensure_ascii=False) + "\n")
