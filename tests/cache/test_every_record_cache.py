"""One contract, checked for every record cache of the book (each subclasses JsonDiskCache).

A miss, then a hit after ``put``; a second instance on the same folder sees the record (the cache
lives on disk); a corrupt or truncated file counts as a miss and is rewritten by the next ``put``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from domainllm.cache.keys import content_key
from domainllm.cache.records import CorruptCacheFileWarning, JsonDiskCache
from domainllm.rag.hypothetical_questions import QuestionCache
from domainllm.rag.readers.reading_cache import ReadingCache
from domainllm.runtime.answer_cache import AnswerCache
from domainllm.runtime.generation_cache import GenerationCache

CACHES = {
    "JsonDiskCache": lambda folder: JsonDiskCache("records", folder),
    "GenerationCache": lambda folder: GenerationCache(folder=folder),
    "AnswerCache": lambda folder: AnswerCache(folder),
    "QuestionCache": lambda folder: QuestionCache(folder),
    "ReadingCache": lambda folder: ReadingCache(folder),
}


def all_record_caches() -> set[type]:
    """Every subclass of the base the library defines (imported through the public packages)."""
    import domainllm.finetune  # noqa: F401  (imports every cache user)
    import domainllm.rag  # noqa: F401

    found: set[type] = set()
    todo = [JsonDiskCache]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {c for c in found if c.__module__.startswith("domainllm")}


def test_every_record_cache_is_tested() -> None:
    assert {c.__name__ for c in all_record_caches()} == set(CACHES)


@pytest.mark.parametrize("name", sorted(CACHES))
def test_record_cache_contract(tmp_path: Path, name: str) -> None:
    cache = CACHES[name](tmp_path)
    key = content_key("model", [{"role": "user", "content": "q"}], 32)
    assert cache.get(key) is None and cache.misses == 1
    cache.put(key, {"text": "thirty days", "questions": ["When?"]})
    assert cache.get(key)["text"] == "thirty days" and cache.hits == 1
    assert CACHES[name](tmp_path).get(key)["text"] == "thirty days"
    stored = next(tmp_path.rglob(f"{key}.json"))
    stored.write_text('{"text": "thir', encoding="utf-8")
    with pytest.warns(CorruptCacheFileWarning, match=str(stored)):
        assert cache.get(key) is None
    cache.put(key, {"text": "again"})
    assert cache.get(key) == {"text": "again"}


def test_content_key_ignores_dict_order_and_sees_every_part() -> None:
    assert content_key({"a": 1, "b": 2}) == content_key({"b": 2, "a": 1})
    assert content_key("m", "q", 1) != content_key("m", "q", 2)


def test_folder_with_a_corrupt_marker_is_named_and_built_again(tmp_path: Path) -> None:
    from domainllm.cache.folders import MARKER, build_once

    builds = []

    def build(staging: Path) -> dict:
        builds.append(staging)
        (staging / "weights.bin").write_bytes(b"w")
        return {"n": len(builds)}

    target = tmp_path / "adapter"
    assert build_once(target, build) == {"n": 1}
    assert build_once(target, build) == {"n": 1} and len(builds) == 1
    (target / MARKER).write_text('{"n": ', encoding="utf-8")
    with pytest.warns(CorruptCacheFileWarning, match=str(target / MARKER)):
        assert build_once(target, build) == {"n": 2}
    assert (target / "weights.bin").read_bytes() == b"w"
