"""Infrastructure: generated text cached on disk by content hash, so a slow CPU generates each answer only once.

The key is the SHA-256 of the model (its weights' digest for the shipped model), the chat messages
and the token limit (see :func:`domainllm.cache.keys.content_key`): change any of them and
the answer is generated afresh. One small JSON file per key, written atomically (:class:`~domainllm.cache.records.JsonDiskCache`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from domainllm.cache.keys import content_key
from domainllm.cache.records import JsonDiskCache
from domainllm.paths import cache_dir
from domainllm.runtime.models import model_key

Messages = Sequence[Mapping[str, str]]


class GenerationCache(JsonDiskCache):
    """Raw completions stored under ``folder`` (default: the cache folder ``generations/<name>``)."""

    def __init__(self, name: str = "generations", folder: Path | None = None) -> None:
        super().__init__(name, Path(folder) if folder is not None else cache_dir("generations", name))

    def text(self, key: str) -> str | None:
        """The cached completion, or None (a missing or corrupt entry counts as missing)."""
        record = self.get(key)
        return None if record is None or "text" not in record else str(record["text"])

    def put_text(self, key: str, text: str, messages: Messages) -> None:
        """Store a completion with the messages it answers (for a curious reader of the cache)."""
        self.put(key, {"text": text, "messages": [dict(m) for m in messages]})


def cached_chat(
    generator: Any,
    conversations: Sequence[Messages],
    cache: GenerationCache,
    max_new_tokens: int = 48,
    batch_size: int = 8,
    progress: bool | None = None,
    desc: str = "generating",
) -> list[str]:
    """Completions of ``conversations``; only those missing from ``cache`` reach the generator.

    Work is saved to the cache every few batches, so an interrupted run keeps what it generated.
    """
    model = model_key(generator)
    keys = [content_key(model, c, max_new_tokens) for c in conversations]
    texts: list[str | None] = [cache.text(key) for key in keys]
    todo = [i for i, text in enumerate(texts) if text is None]
    step = batch_size * 4
    show = progress if progress is not None else len(todo) > batch_size
    for begin in tqdm(range(0, len(todo), step), desc=desc, disable=not show):
        part = todo[begin : begin + step]
        completions = generator.chat(
            [conversations[i] for i in part], max_new_tokens=max_new_tokens, batch_size=batch_size
        )
        for i, completion in zip(part, completions, strict=True):
            texts[i] = completion.text
            cache.put_text(keys[i], completion.text, conversations[i])
    return [text or "" for text in texts]
