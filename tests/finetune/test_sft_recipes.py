"""Which training runs trade time for memory by recomputing activations (gradient checkpointing)."""

from __future__ import annotations

from domainllm.config import Settings
from domainllm.finetune.dpo import DpoRecipe
from domainllm.finetune.sft import CLOSED_BOOK_SFT, RAFT_SFT, checkpoints_activations, trainer_common_args

EXAMPLES = [{"prompt": [{"role": "user", "content": f"q{i}"}], "completion": [{"role": "assistant", "content": "a"}]} for i in range(8)]  # fmt: skip


def test_raft_recomputes_activations_and_closed_book_sft_does_not() -> None:
    settings = Settings()
    raft = RAFT_SFT.run(EXAMPLES, settings, [])
    closed = CLOSED_BOOK_SFT.run(EXAMPLES, settings, [])
    assert checkpoints_activations(raft) and not checkpoints_activations(closed)
    args = trainer_common_args(raft, settings)
    assert args["activation_checkpointing"] is True
    assert args["activation_checkpointing_kwargs"] == {"use_reentrant": False}
    assert trainer_common_args(closed, settings)["activation_checkpointing"] is False


def test_dpo_rounds_keep_their_activations() -> None:
    from domainllm.finetune.adapters import TrainingRun

    recipe = DpoRecipe("dpo-test")
    run = TrainingRun(
        name="dpo-test", method="dpo", data_fingerprint="x", parents=(), generator="g", lora=recipe.lora,
        learning_rate=recipe.learning_rate, max_steps=2, batch_size=recipe.batch_size,
        micro_batch_size=recipe.micro_batch_size, max_length=recipe.max_length, seed=0, beta=recipe.beta,
    )  # fmt: skip
    assert not checkpoints_activations(run)
