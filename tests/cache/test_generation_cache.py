"""Generated text cached on disk: only missing conversations reach the model; corrupt entries are misses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domainllm.runtime.generation_cache import GenerationCache, cached_chat


@dataclass
class Reply:
    text: str


class CountingModel:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def chat(self, conversations, max_new_tokens=48, batch_size=8, **_):
        self.asked += [c[-1]["content"] for c in conversations]
        return [Reply(c[-1]["content"].upper()) for c in conversations]


def chat(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_only_missing_conversations_are_generated(tmp_path: Path) -> None:
    cache = GenerationCache(folder=tmp_path)
    model = CountingModel()
    assert cached_chat(model, [chat("a"), chat("b")], cache) == ["A", "B"]
    assert cached_chat(model, [chat("b"), chat("c")], cache) == ["B", "C"]
    assert model.asked == ["a", "b", "c"] and cache.hits == 1
    # The token limit is part of the key: a longer answer is generated afresh.
    cached_chat(model, [chat("a")], cache, max_new_tokens=99)
    assert model.asked[-1] == "a"


def test_a_corrupt_entry_counts_as_missing(tmp_path: Path) -> None:
    cache = GenerationCache(folder=tmp_path)
    model = CountingModel()
    cached_chat(model, [chat("a")], cache)
    (entry,) = tmp_path.glob("*/*.json")
    entry.write_text("{not json")
    assert cached_chat(model, [chat("a")], cache) == ["A"] and model.asked == ["a", "a"]
