"""Readings cached on disk by content hash, so a lab reads back what an earlier run computed (lab 4b).

Infrastructure for the readers that do not go through the answer cache of
:mod:`domainllm.runtime.answer_cache`: the key is the reader's identity (its name, version and
model weights) and everything it reads (the prompt or the question and passages). A record
keeps the answer, its spans and citation, its token counts and the seconds it took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domainllm.cache.records import JsonDiskCache, content_key
from domainllm.corpus.records import Evidence
from domainllm.rag.readers.base import Reading


class ReadingCache(JsonDiskCache):
    """Reading records under ``folder`` (default: the cache folder ``reader_answers``)."""

    def __init__(self, folder: Any = None) -> None:
        super().__init__("reader_answers", folder)


def reading_record(reading: Reading) -> dict[str, Any]:
    """A JSON-ready copy of a reading."""
    return {
        "answer": reading.answer,
        "spans": [[s.doc_id, s.start, s.end] for s in reading.spans],
        "citation": reading.citation,
        "prompt_tokens": reading.prompt_tokens,
        "completion_tokens": reading.completion_tokens,
        "seconds": reading.seconds,
        "note": reading.note,
        "extra": reading.extra,
    }


def reading_from(record: dict[str, Any]) -> Reading:
    """The reading a record stores."""
    return Reading(
        str(record["answer"]),
        tuple(Evidence(str(d), int(s), int(e)) for d, s, e in record.get("spans", [])),
        record.get("citation"),
        int(record.get("prompt_tokens", 0)),
        int(record.get("completion_tokens", 0)),
        float(record.get("seconds", 0.0)),
        str(record.get("note", "")),
        dict(record.get("extra", {})),
    )


def cached_readings(
    identity: Any,
    inputs: Sequence[Any],
    compute: Callable[[list[int]], list[Reading]],
    cache: ReadingCache | None = None,
) -> list[Reading]:
    """One reading per input: from the cache where present, else ``compute(positions)`` and stored.

    ``identity`` (a value, or a function giving it, called only when there is something to
    read) None: a reader whose model has no known identity, such as a test double, computes
    everything and stores nothing.
    """
    if not inputs:
        return []
    if callable(identity):
        identity = identity()
    if identity is None:
        return compute(list(range(len(inputs))))
    cache = cache or ReadingCache()
    keys = [content_key(identity, item) for item in inputs]
    found = [cache.get(key) for key in keys]
    readings: list[Reading | None] = [None if r is None else reading_from(r) for r in found]
    todo = [i for i, r in enumerate(readings) if r is None]
    if todo:
        for i, reading in zip(todo, compute(todo), strict=True):
            readings[i] = reading
            cache.put(keys[i], reading_record(reading))
    return [r for r in readings if r is not None]
