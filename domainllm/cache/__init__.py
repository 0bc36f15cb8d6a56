"""Caches (infrastructure): one key recipe, one record-cache base, folders built exactly once.

Every cache of the book keys its entries with :func:`content_key` (a SHA-256 of everything that
decides the result) and stores JSON records through :class:`JsonDiskCache`; models and adapters
are built once into folders by :func:`build_once`.
"""

from __future__ import annotations

from domainllm.cache.folders import build_once, is_built, read_manifest
from domainllm.cache.keys import content_key
from domainllm.cache.records import CorruptCacheFileWarning, JsonDiskCache

__all__ = [
    "content_key",
    "JsonDiskCache",
    "CorruptCacheFileWarning",
    "build_once",
    "is_built",
    "read_manifest",
]
