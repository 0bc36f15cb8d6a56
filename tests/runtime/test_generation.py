"""Chat generation with the real model: template, batching, empty and overlong questions."""

from __future__ import annotations

import pytest

from domainllm.config import get_settings
from domainllm.runtime.models import load_generator

pytestmark = pytest.mark.slow


def test_prompt_uses_the_models_own_chat_template() -> None:
    prompt = load_generator().chat_prompt("Which law governs?", system="Answer briefly.")
    assert prompt.startswith("<|im_start|>system\nAnswer briefly.<|im_end|>")
    assert prompt.endswith("<|im_start|>assistant\n")
    assert "[INST]" not in prompt


QUESTIONS = ["What is 2 + 2?", "Name the largest planet.", "What colour is the sky on a clear day?"]


def batched_and_single(dtype: str) -> tuple[list[str], list[str]]:
    generator = load_generator(get_settings().replace(dtype=dtype))
    batched = generator.chat(QUESTIONS, max_new_tokens=16, batch_size=3)
    assert all(c.prompt_tokens > 0 and 0 < c.completion_tokens <= 16 for c in batched)
    single = [generator.chat([q], max_new_tokens=16, batch_size=1)[0].text for q in QUESTIONS]
    return [c.text for c in batched], single


def test_batched_greedy_answers_equal_one_at_a_time_in_float32() -> None:
    batched, single = batched_and_single("float32")
    assert batched == single


def test_batched_greedy_answers_in_bfloat16_agree_with_one_at_a_time_on_their_opening() -> None:
    # bfloat16 rounds a padded batch differently, so a long greedy answer can drift after a
    # dozen tokens; the opening words agree.
    batched, single = batched_and_single("bfloat16")
    assert [" ".join(t.split()[:6]) for t in batched] == [" ".join(t.split()[:6]) for t in single]


def test_empty_question_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="question is empty"):
        load_generator().ask("   ")


def test_overlong_question_is_truncated_with_a_warning() -> None:
    generator = load_generator()
    question = "Please read this clause. " * 1000 + "What is the notice period?"
    assert len(question) > 20_000
    with pytest.warns(UserWarning, match="truncated"):
        completion = generator.chat([question], max_new_tokens=8)[0]
    assert completion.prompt_tokens <= generator.context_window - 8


def test_batches_respect_count_and_token_budget() -> None:
    from domainllm.runtime.generation import token_budget_batches

    # lengths sorted ascending; budget 100 tokens: [10,10,30] -> 3*30=90 ok, adding 40 -> 4*40=160 > 100
    assert token_budget_batches([10, 10, 30, 40, 40, 200], batch_size=8, max_batch_tokens=100) == [
        [0, 1, 2],
        [3, 4],
        [5],
    ]
    assert token_budget_batches([1] * 5, batch_size=2, max_batch_tokens=1000) == [[0, 1], [2, 3], [4]]
    assert token_budget_batches([], batch_size=2, max_batch_tokens=10) == []


def test_chunked_prefill_answers_a_long_prompt_as_a_whole_prefill_does_in_float32() -> None:
    from domainllm.runtime.generation import PREFILL_CHUNK_TOKENS

    generator = load_generator(get_settings().replace(dtype="float32"))
    passage = "The supplier shall deliver the goods to the warehouse in Rotterdam within thirty days. " * 60
    prompt = generator.chat_prompt(f"{passage}\nWithin how many days must the goods arrive?")
    assert len(generator.tokenizer(prompt)["input_ids"]) > 3 * PREFILL_CHUNK_TOKENS
    seen = []
    generate = generator.model.generate

    def recording_generate(*args, **kwargs):
        seen.append(kwargs.get("prefill_chunk_size"))
        return generate(*args, **kwargs)

    generator.model.generate = recording_generate
    try:
        chunked = generator.complete([prompt], max_new_tokens=16)[0]
        whole = generator.complete([prompt], max_new_tokens=16, prefill_chunk_size=None)[0]
    finally:
        del generator.model.generate
    assert seen == [PREFILL_CHUNK_TOKENS, None]  # chunked by default, whole when asked
    assert chunked == whole
