"""RAG answers cached by content hash: same weights, messages and limit give the stored answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domainllm.runtime.answer_cache import AnswerCache, answer_conversations
from domainllm.runtime.generation import Completion


@dataclass
class Named:
    generator: str = "some/model"
    dtype: str = "float32"
    device: str = "cpu"


class CountingGenerator:
    """Answers with the last user message reversed and counts what it was asked."""

    context_window = 2048

    def __init__(self, settings: object | None = Named()) -> None:
        self.settings = settings
        self.weights_key: str | None = None
        self.asked: list[str] = []

    def chat(self, conversations, max_new_tokens=48, batch_size=8, progress=None):  # noqa: ANN001, ANN201
        texts = [c[-1]["content"] for c in conversations]
        self.asked.extend(texts)
        return [Completion(t[::-1], len(t), 3) for t in texts]


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_a_second_ask_reads_the_answer_and_its_measured_seconds(tmp_path: Path) -> None:
    generator, cache = CountingGenerator(), AnswerCache(tmp_path)
    first = answer_conversations(generator, [ask("abc"), ask("de")], 24, cache=cache)
    again = answer_conversations(generator, [ask("de"), ask("fgh"), ask("abc")], 24, cache=cache)
    assert generator.asked == ["abc", "de", "fgh"]
    assert [c.text for c, _ in again] == ["ed", "hgf", "cba"]
    assert again[0] == first[1] and again[2] == first[0]  # same completion, same seconds
    assert again[0][0].prompt_tokens == 2 and again[0][0].completion_tokens == 3


def test_other_weights_or_limits_are_answered_afresh(tmp_path: Path) -> None:
    generator, cache = CountingGenerator(), AnswerCache(tmp_path)
    answer_conversations(generator, [ask("abc")], 24, cache=cache)
    answer_conversations(generator, [ask("abc")], 32, cache=cache)  # another token limit
    generator.weights_key = "some/model+lora:1234"  # adapters merged in
    answer_conversations(generator, [ask("abc")], 24, cache=cache)
    assert generator.asked == ["abc", "abc", "abc"]


def test_a_generator_without_a_name_is_never_cached(tmp_path: Path) -> None:
    generator, cache = CountingGenerator(settings=None), AnswerCache(tmp_path)
    answer_conversations(generator, [ask("abc")], 24, cache=cache)
    answer_conversations(generator, [ask("abc")], 24, cache=cache)
    assert generator.asked == ["abc", "abc"]
    assert not list(tmp_path.rglob("*.json"))
