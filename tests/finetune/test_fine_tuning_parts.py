"""Fine-tuning plumbing without training: cache folders, run hashes, examples, small-data errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domainllm.cache.folders import build_once, is_built
from domainllm.corpus.questions import Evidence, Question
from domainllm.finetune.adapters import TrainingRun, check_training_set, data_fingerprint
from domainllm.finetune.sft import (
    CLOSED_BOOK_SFT,
    NOT_IN_CONTEXT,
    answer_as_written,
    cited_answer,
    closed_book_example,
    loss_history,
    raft_example,
    train_sft,
    with_abstention_share,
)
from domainllm.rag.chunking import Chunk


def _question(answer: str = "30 days", aliases: tuple[str, ...] = ("thirty days",)) -> Question:
    return Question(
        id="train-1",
        question="What is the cure period in NDA-00007?",
        answer=answer,
        aliases=aliases,
        evidence=(Evidence("NDA-00007", 10, 40),),
        category="cure_period",
        split="train",
        template="T.cure_period.1",
    )


def _chunk(text: str, number: int) -> Chunk:
    return Chunk(f"c{number}", "NDA-00007", 0, len(text), text, {"section": f"Section {number}"})


def test_build_once_builds_once_and_keeps_the_manifest(tmp_path: Path) -> None:
    calls = []

    def build(staging: Path) -> dict[str, int]:
        calls.append(staging)
        (staging / "weights.bin").write_bytes(b"x")
        return {"steps": 3}

    target = tmp_path / "adapter"
    assert build_once(target, build) == {"steps": 3}
    assert build_once(target, build) == {"steps": 3}
    assert len(calls) == 1 and (target / "weights.bin").is_file()


def test_interrupted_build_leaves_nothing_loadable_and_the_next_call_starts_again(tmp_path: Path) -> None:
    target = tmp_path / "adapter"

    def crash(staging: Path) -> dict[str, int]:
        (staging / "half.bin").write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_once(target, crash)
    assert not is_built(target) and not target.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []
    assert build_once(target, lambda staging: {"ok": 1}) == {"ok": 1}


def test_run_digest_changes_with_every_setting_and_data() -> None:
    run = TrainingRun("sft", "sft", data_fingerprint([{"a": 1}]))
    assert run.digest() == TrainingRun("sft", "sft", data_fingerprint([{"a": 1}])).digest()
    for change in ({"learning_rate": 1e-4}, {"max_steps": 41}, {"seed": 1}, {"parents": ("x",)}):
        assert dataclasses.replace(run, **change).digest() != run.digest()
    assert TrainingRun("sft", "sft", data_fingerprint([{"a": 2}])).digest() != run.digest()
    with pytest.raises(ValueError, match="method"):
        TrainingRun("x", "ppo", "0")


def test_training_on_too_few_examples_stops_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="at least 8 examples"):
        check_training_set([], batch_size=4)
    with pytest.raises(ValueError, match="got 3"):
        train_sft(CLOSED_BOOK_SFT, [closed_book_example(_question())] * 3)


def test_closed_book_example_is_a_prompt_completion_conversation() -> None:
    example = closed_book_example(_question())
    assert [m["role"] for m in example["prompt"]] == ["system", "user"]
    assert example["prompt"][1]["content"] == "What is the cure period in NDA-00007?"
    assert example["completion"] == [{"role": "assistant", "content": "30 days"}]


def test_cited_answer_numbers_the_passage_that_holds_the_answer() -> None:
    chunks = [_chunk("Payment is due in 45 days.", 1), _chunk("The cure period is thirty days.", 2)]
    assert cited_answer(_question(), chunks) == "thirty days [2]"
    assert cited_answer(_question(), chunks[:1]) == NOT_IN_CONTEXT
    example = raft_example(_question(), chunks)
    assert "[2] (NDA-00007, Section 2)" in example["prompt"][1]["content"]
    assert example["completion"][0]["content"] == "thirty days [2]"


def test_the_answer_is_copied_as_the_passage_writes_it() -> None:
    references = ("30 days", "thirty (30) days", "thirty days")
    assert answer_as_written("Cure within 30 days of notice.", references) == "30 days"
    assert answer_as_written("Cure within Thirty days of notice.", references) == "Thirty days"
    assert answer_as_written("Cure within thirty (30) days.", references) == "thirty (30) days"
    assert answer_as_written("Cure within a month.", references) == "30 days"  # no verbatim match


def _example(target: str) -> dict:
    return {
        "prompt": [{"role": "user", "content": target}],
        "completion": [{"role": "assistant", "content": target}],
    }


def test_abstentions_are_sampled_down_to_their_share_and_the_order_is_kept() -> None:
    examples = [_example(f"{i} days [1]") for i in range(9)] + [_example(NOT_IN_CONTEXT) for _ in range(20)]
    kept = with_abstention_share(examples, 0.1, seed=0)
    targets = [e["completion"][0]["content"] for e in kept]
    assert targets[:9] == [f"{i} days [1]" for i in range(9)]
    assert targets.count(NOT_IN_CONTEXT) == 1
    assert with_abstention_share(examples, 0.1, seed=0) == kept
    assert with_abstention_share(examples[:9], 0.5) == examples[:9]  # none to keep
    with pytest.raises(ValueError, match="share"):
        with_abstention_share(examples, 1.0)


def test_loss_history_skips_the_final_summary() -> None:
    log = [{"loss": 2.0, "step": 1}, {"loss": 1.5, "step": 2}, {"train_loss": 1.75, "loss": 1.75}]
    assert loss_history(log) == [2.0, 1.5]


def test_no_training_set_holds_a_dev_question() -> None:
    from domainllm.corpus.questions import load_questions
    from domainllm.finetune.finetuned import closed_book_examples
    from domainllm.finetune.leakage import leakage_report

    dev = {q.question for q in load_questions("dev")}
    prompts = [e["prompt"][-1]["content"] for e in closed_book_examples()]
    assert not any(question in prompt for prompt in prompts for question in dev)
    pairs = [{"question": p, "answer": "", "doc_id": ""} for p in prompts[:50]]
    assert leakage_report(pairs, raise_on_leak=False).test_questions["dev"] == len(dev)
