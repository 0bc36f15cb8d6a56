"""Chat generation with the real model: template, batching, empty and overlong questions."""

from __future__ import annotations

import pytest

from domainllm.models import load_generator

pytestmark = pytest.mark.slow


def test_prompt_uses_the_models_own_chat_template() -> None:
    prompt = load_generator().chat_prompt("Which law governs?", system="Answer briefly.")
    assert prompt.startswith("<|im_start|>system\nAnswer briefly.<|im_end|>")
    assert prompt.endswith("<|im_start|>assistant\n")
    assert "[INST]" not in prompt


def test_batched_greedy_answers_equal_one_at_a_time() -> None:
    generator = load_generator()
    questions = ["What is 2 + 2?", "Name the largest planet.", "What colour is the sky on a clear day?"]
    batched = generator.chat(questions, max_new_tokens=16, batch_size=3)
    single = [generator.chat([q], max_new_tokens=16, batch_size=1)[0] for q in questions]
    assert [c.text for c in batched] == [c.text for c in single]
    assert all(c.prompt_tokens > 0 and 0 < c.completion_tokens <= 16 for c in batched)


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
    from domainllm.generation import token_budget_batches

    # lengths sorted ascending; budget 100 tokens: [10,10,30] -> 3*30=90 ok, adding 40 -> 4*40=160 > 100
    assert token_budget_batches([10, 10, 30, 40, 40, 200], batch_size=8, max_batch_tokens=100) == [
        [0, 1, 2],
        [3, 4],
        [5],
    ]
    assert token_budget_batches([1] * 5, batch_size=2, max_batch_tokens=1000) == [[0, 1], [2, 3], [4]]
    assert token_budget_batches([], batch_size=2, max_batch_tokens=10) == []
