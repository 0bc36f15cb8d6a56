"""RAG answers cached on disk by content hash, so a lab that asks what an earlier lab asked reads the answer.

The key is everything that decides a greedy answer: the generator's weights (the shipped weights'
digest and dtype, plus the digests of any adapters merged into them, see
:func:`~domainllm.runtime.models.model_key`), its context window, the chat messages with
their passages, and the token limit. A record keeps the answer, its token counts and the seconds
its generation took when it was made, so latencies read back from the cache are measured ones.
Generators without a known identity (test doubles) are never cached.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domainllm.cache.records import JsonDiskCache, content_key
from domainllm.runtime.generation import Completion, Message
from domainllm.runtime.models import model_key


class AnswerCache(JsonDiskCache):
    """Answer records under ``folder`` (default: the cache folder ``rag_answers``)."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__("rag_answers", folder)


def identifiable(generator: Any) -> bool:
    """True when the generator's weights have a name the cache can key on."""
    return getattr(getattr(generator, "settings", None), "generator", None) is not None


def answer_key(generator: Any, messages: Sequence[Message], max_new_tokens: int) -> str:
    """Cache key of one greedy answer."""
    return content_key(
        model_key(generator), generator.context_window, [dict(m) for m in messages], max_new_tokens
    )


def answer_conversations(
    generator: Any,
    conversations: Sequence[Sequence[Message]],
    max_new_tokens: int,
    batch_size: int = 8,
    progress: bool | None = None,
    cache: AnswerCache | None = None,
) -> list[tuple[Completion, float]]:
    """Each conversation's greedy completion and the seconds its generation took.

    Cached answers come back with the seconds they took when generated; the rest are generated
    together (a batch's time split evenly over its answers) and stored.
    """
    if not identifiable(generator):
        started = time.perf_counter()
        completions = generator.chat(
            conversations, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=progress
        )
        seconds = (time.perf_counter() - started) / max(len(conversations), 1)
        return [(c, seconds) for c in completions]
    cache = cache or AnswerCache()
    keys = [answer_key(generator, c, max_new_tokens) for c in conversations]
    results: list[tuple[Completion, float] | None] = []
    for key in keys:
        record = cache.get(key)
        results.append(
            None
            if record is None
            else (
                Completion(record["text"], record["prompt_tokens"], record["completion_tokens"]),
                float(record["seconds"]),
            )
        )
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        started = time.perf_counter()
        fresh = generator.chat(
            [conversations[i] for i in todo],
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
            progress=progress,
        )
        seconds = (time.perf_counter() - started) / len(todo)
        for i, completion in zip(todo, fresh, strict=True):
            results[i] = (completion, seconds)
            cache.put(
                keys[i],
                {
                    "text": completion.text,
                    "prompt_tokens": completion.prompt_tokens,
                    "completion_tokens": completion.completion_tokens,
                    "seconds": seconds,
                    "messages": [dict(m) for m in conversations[i]],
                },
            )
    return [r for r in results if r is not None]
