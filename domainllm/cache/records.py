"""The record-cache base (infrastructure): JSON records on disk, keyed by a content hash.

LLM outputs that cost seconds (generated pairs, judge scores) are stored once per hash of
everything that decides them: model, prompt, settings. A second run, or a later lab asking for
the same thing, reads the file instead of running the model. One file per key, written
atomically, so concurrent kernels never see half a record.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from domainllm.cache.keys import content_key  # noqa: F401  (re-exported: the key the records use)
from domainllm.files import atomic_write_text
from domainllm.paths import cache_dir


class CorruptCacheFileWarning(UserWarning):
    """A cache file could not be read back; the warning names it, and the record is computed again."""


class JsonDiskCache:
    """``get``/``put`` JSON objects under ``folder`` (default: ``<cache>/<name>``); counts hits and misses.

    Every JSON record cache of the book subclasses this one (generated text, answers, questions)
    or uses it directly (judge scores, synthetic pairs).
    """

    def __init__(self, name: str, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir(name)
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored record, or None: a missing file is a miss; a corrupt one is named in a
        :class:`CorruptCacheFileWarning` and counts as a miss, so the next ``put`` rewrites it."""
        path = self._path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            record = None
        except (OSError, ValueError) as exc:
            record = None
            warnings.warn(
                f"Cache file {path} is unreadable ({exc}); it is computed again.",
                CorruptCacheFileWarning,
                stacklevel=2,
            )
        else:
            if not isinstance(record, dict):
                warnings.warn(
                    f"Cache file {path} holds no record; it is computed again.",
                    CorruptCacheFileWarning,
                    stacklevel=2,
                )
                record = None
        if record is None:
            self.misses += 1
            return None
        self.hits += 1
        return record

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Store ``record`` under ``key`` (atomically replacing any older one)."""
        atomic_write_text(self._path(key), json.dumps(record, ensure_ascii=False) + "\n")
