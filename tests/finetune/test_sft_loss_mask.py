"""Lab 7 shows in the page how the SFT loss skips the prompt (its tokens get the label -100).
TRL's ``SFTTrainer``, which trains the book's adapters, must build exactly those labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from domainllm.config import get_settings
from domainllm.corpus.questions import load_questions
from domainllm.finetune.adapters import load_base_model, load_tokenizer
from domainllm.finetune.sft import CLOSED_BOOK_SFT, RAFT_SFT, closed_book_example, trainer_common_args

pytestmark = pytest.mark.slow


def page_labels(example: dict, tokenizer: object) -> tuple[list[int], list[int]]:
    """Token ids and labels of one prompt-completion example, computed as lab 7 does in the page."""
    prompt_ids = tokenizer.apply_chat_template(example["prompt"], add_generation_prompt=True)["input_ids"]
    input_ids = tokenizer.apply_chat_template(example["prompt"] + example["completion"])["input_ids"]
    assert input_ids[: len(prompt_ids)] == prompt_ids
    return input_ids, [-100] * len(prompt_ids) + input_ids[len(prompt_ids) :]


@pytest.mark.parametrize("recipe", [CLOSED_BOOK_SFT, RAFT_SFT], ids=lambda r: r.name)
def test_trl_labels_the_tokens_lab_7_says_count_in_the_loss(recipe, tmp_path: Path) -> None:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    settings = get_settings()
    tokenizer = load_tokenizer(settings)
    examples = [closed_book_example(q) for q in load_questions("train")[:3]]
    run = recipe.run(examples, settings)
    trainer = SFTTrainer(
        model=load_base_model(settings),
        args=SFTConfig(output_dir=str(tmp_path), **trainer_common_args(run, settings)),
        train_dataset=Dataset.from_list(examples),
        processing_class=tokenizer,
    )
    for example, row in zip(examples, trainer.train_dataset, strict=True):
        input_ids, labels = page_labels(example, tokenizer)
        assert row["input_ids"] == input_ids
        assert row["labels"] == labels
