"""Lab 8 (feedback and DPO): Direct preference optimization (TRL ``DPOTrainer``) with a LoRA adapter on a fine-tuned model.

The parent adapters (for example the retrieval-aware SFT adapter) are merged into a fresh
copy of the base weights; DPO trains a new LoRA adapter on top. With the new adapter switched
off the model is exactly the parent, which is the reference DPO needs, so no second copy of the
model is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.finetune.adapters import (
    LoraSettings,
    TrainedAdapter,
    TrainingRun,
    check_training_set,
    data_fingerprint,
    generator_fingerprint,
    load_or_train,
)
from domainllm.finetune.sft import fit_lora, loss_history


@dataclass(frozen=True)
class DpoRecipe:
    """Hyperparameters of one DPO run at scale 1 (steps scale with ``Settings.scale``)."""

    name: str
    steps: int = 8
    batch_size: int = 2
    micro_batch_size: int | None = 1
    learning_rate: float = 1e-3
    beta: float = 0.1
    max_length: int = 448
    lora: LoraSettings = LoraSettings(r=8, alpha=16)

    def run(
        self, examples: Sequence[dict[str, Any]], parent: TrainedAdapter, settings: Settings
    ) -> TrainingRun:
        """The cacheable description of this recipe applied to ``examples`` on top of ``parent``."""
        return TrainingRun(
            name=self.name,
            method="dpo",
            data_fingerprint=data_fingerprint(examples),
            parents=tuple(a.run.digest() for a in parent.chain),
            generator=generator_fingerprint(settings),
            lora=self.lora,
            learning_rate=self.learning_rate,
            max_steps=settings.scaled(self.steps),
            batch_size=self.batch_size,
            micro_batch_size=self.micro_batch_size,
            max_length=self.max_length,
            seed=settings.seed,
            beta=self.beta,
        )


def train_dpo(
    recipe: DpoRecipe,
    examples: Sequence[dict[str, Any]],
    parent: TrainedAdapter,
    settings: Settings | None = None,
) -> TrainedAdapter:
    """Train (or load from the cache) a DPO adapter on (prompt, chosen, rejected) rows."""
    settings = settings or get_settings()
    check_training_set(examples, recipe.batch_size, minimum=recipe.batch_size)
    run = recipe.run(examples, parent, settings)

    def train(staging: Path) -> dict[str, Any]:
        from trl import DPOConfig, DPOTrainer

        history, _, seconds = fit_lora(
            DPOTrainer, DPOConfig, run, settings, examples, parent.chain, staging, beta=run.beta
        )
        return {
            "losses": loss_history(history),
            "reward_margins": [float(e["rewards/margins"]) for e in history if "rewards/margins" in e],
            "reward_accuracies": [
                float(e["rewards/accuracies"]) for e in history if "rewards/accuracies" in e
            ],
            "seconds": seconds,
            "steps": run.max_steps,
            "examples": len(examples),
        }

    return load_or_train(run, train, (parent,))
