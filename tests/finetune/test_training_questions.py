"""Which train questions fine-tuning learns from, the ids its training logs, and lab 9's train column."""

from __future__ import annotations

from pathlib import Path

import pytest

from domainllm.benchmark.systems import benchmark_questions
from domainllm.config import Settings
from domainllm.corpus.questions import load_questions
from domainllm.finetune.adapters import TrainedAdapter, TrainingRun
from domainllm.finetune.finetuned import closed_book_examples
from domainllm.finetune.sft import CLOSED_BOOK_SFT, RAFT_SFT
from domainllm.finetune.training_questions import (
    asked_again,
    examples_per_run,
    fact_key,
    fine_tuning_questions,
    paraphrases_of,
    raft_questions,
    trained_share,
)


def test_fine_tuning_passes_once_over_train_questions_whose_facts_are_asked_again() -> None:
    sft, raft = fine_tuning_questions(), raft_questions()
    assert len(sft) == examples_per_run(CLOSED_BOOK_SFT.steps, CLOSED_BOOK_SFT.batch_size)
    assert len(raft) == examples_per_run(RAFT_SFT.steps, RAFT_SFT.batch_size)
    assert {q.id for q in raft} <= {q.id for q in sft}  # RAFT learns from a part of SFT's questions
    assert all(q.split == "train" for q in sft)
    paraphrases = load_questions("test_paraphrase")
    assert len(asked_again(sft, paraphrases)) == len(sft)  # every one is asked again in other words
    assert len(paraphrases_of(raft, paraphrases)) == len(raft)


def test_examples_carry_their_question_id_and_no_test_question() -> None:
    examples = closed_book_examples()
    assert [e["id"] for e in examples] == [q.id for q in fine_tuning_questions()]
    tests = {q.question for split in ("dev", "test_paraphrase", "test_fresh") for q in load_questions(split)}
    assert not any(e["prompt"][-1]["content"] in tests for e in examples)


def test_the_train_column_comes_from_raft_questions_and_test_paraphrase_rewords_exactly_it() -> None:
    for n in (8, 64):
        sample = benchmark_questions(Settings(), n)
        trained = {q.id for q in raft_questions()}
        assert len(sample["train"]) == n and all(q.id in trained for q in sample["train"])
        assert sorted(map(fact_key, sample["test_paraphrase"])) == sorted(map(fact_key, sample["train"]))
        assert not {q.question for q in sample["test_paraphrase"]} & {q.question for q in sample["train"]}


def _adapter(ids: list[str], parents: tuple[TrainedAdapter, ...] = ()) -> TrainedAdapter:
    run = TrainingRun(name="r", method="sft", data_fingerprint="x")
    return TrainedAdapter(Path("."), run, {"question_ids": ids}, parents)


def test_trained_share_reads_the_logs_of_the_adapter_and_its_parents() -> None:
    questions = fine_tuning_questions()[:4]
    raft = _adapter([q.id for q in questions[:3]])
    dpo = _adapter([], parents=(raft,))  # DPO logs no question ids: its parent's count
    assert trained_share(raft, questions) == 0.75
    assert trained_share(dpo, questions) == 0.75
    assert trained_share(_adapter([]), questions) == 0.0
    assert trained_share(raft, []) is None


@pytest.mark.slow
def test_training_logs_the_question_ids_and_does_not_train_on_them(monkeypatch, tmp_path: Path) -> None:
    from domainllm.finetune.sft import SftRecipe, train_sft

    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    examples = closed_book_examples()[:8]
    recipe = SftRecipe("tiny", steps=1, batch_size=8, max_length=128)
    adapter = train_sft(recipe, examples)
    assert adapter.question_ids == {e["id"] for e in examples}
    without_ids = [{k: v for k, v in e.items() if k != "id"} for e in examples]
    assert adapter.run == recipe.run(without_ids)  # the ids change neither the data nor the cache key


def test_given_the_training_logs_the_train_column_keeps_only_logged_questions() -> None:
    logged = {q.id for q in raft_questions()[::2]}  # as if RAFT's log named every other question
    sample = benchmark_questions(Settings(), 16, logged)
    assert len(sample["train"]) == 16 and all(q.id in logged for q in sample["train"])
    assert sorted(map(fact_key, sample["test_paraphrase"])) == sorted(map(fact_key, sample["train"]))
