"""The one recipe for cache keys (infrastructure): a SHA-256 of everything that decides a result.

Every cache in the book (generated text, answers, judge scores, adapters, benchmark reports) keys
its entries with :func:`content_key`, so a change in any input (model weights, prompt, settings,
question text) gives a new key and never returns a result of other data.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def content_key(*parts: Any) -> str:
    """SHA-256 of the JSON encoding of ``parts`` (strings, numbers, lists and dicts)."""
    payload = json.dumps(list(parts), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
