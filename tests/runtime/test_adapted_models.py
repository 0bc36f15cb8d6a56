"""An adapted model shares the base generator's untouched weights and never changes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from domainllm.finetune.adapters import LoraSettings, TrainedAdapter, TrainingRun, load_base_model
from domainllm.finetune.sft import lean_lm_head
from domainllm.runtime.models import load_generator

pytestmark = pytest.mark.slow

TOP = "model.layers.29.self_attn.q_proj"
BOTTOM = "model.layers.0.self_attn.q_proj"


def random_adapter(folder: Path) -> TrainedAdapter:
    """A LoRA adapter on the top block's query projection with random (non-zero) weights."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    model = get_peft_model(
        load_base_model(),
        LoraConfig(r=4, target_modules=["q_proj"], layers_to_transform=[29], init_lora_weights=False),
    )
    model.save_pretrained(folder)
    run = TrainingRun("test-random", "sft", "data", lora=LoraSettings(r=4, top_layers=1))
    return TrainedAdapter(folder, run, {})


def weight(model: torch.nn.Module, name: str) -> torch.Tensor:
    return model.get_submodule(name).weight


def test_adapted_model_shares_untouched_weights_and_leaves_the_base_alone(tmp_path: Path) -> None:
    base = load_generator().model
    top_before = weight(base, TOP).detach().clone()

    adapted = load_base_model(chain=(random_adapter(tmp_path / "adapter"),))

    assert weight(adapted, BOTTOM).data_ptr() == weight(base, BOTTOM).data_ptr()  # shared, not copied
    assert weight(adapted, TOP).data_ptr() != weight(base, TOP).data_ptr()
    assert not torch.equal(weight(adapted, TOP), top_before)  # the adapter was merged in
    assert torch.equal(weight(base, TOP), top_before)  # ... into a clone, not into the generator
    assert not any("lora" in name for name, _ in adapted.named_modules())


def test_lean_lm_head_restores_trls_settings() -> None:
    import torch
    from trl.trainer import utils

    before = (utils._CHUNKED_LOGPROB_CHUNK_SIZE, utils._use_triton)
    with lean_lm_head(64):
        assert utils._CHUNKED_LOGPROB_CHUNK_SIZE == 64
        assert utils._use_triton(torch.device("cpu"))  # compact: labelled positions only
    assert before == (utils._CHUNKED_LOGPROB_CHUNK_SIZE, utils._use_triton)


def test_lean_lm_head_leaves_the_training_loss_and_gradients_unchanged() -> None:
    from trl.trainer.utils import add_fused_lm_head

    from domainllm.config import get_settings

    model = load_base_model(get_settings().replace(dtype="float32"), chain=())  # rounding apart from bfloat16
    tokenizer = load_generator().tokenizer
    add_fused_lm_head(model)
    texts = [
        "Question: the cure period? Answer: thirty days",
        "A longer prompt about supply " * 20 + "ninety days",
    ]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].clone()
    labels[:, :-4] = -100  # only the answer carries a label, as in prompt-completion training
    labels[batch["attention_mask"] == 0] = -100
    weight = model.model.layers[-1].mlp.down_proj.weight

    def loss_and_gradient() -> tuple[torch.Tensor, torch.Tensor]:
        model.zero_grad()
        loss = model(**batch, labels=labels, fused_lm_head=True).loss
        loss.backward()
        return loss.detach(), weight.grad.clone()

    every_position = loss_and_gradient()
    with lean_lm_head():
        labelled_only = loss_and_gradient()
    assert torch.allclose(every_position[0], labelled_only[0], rtol=1e-5)
    difference = (every_position[1] - labelled_only[1]).norm() / every_position[1].norm()
    assert difference < 1e-5  # float rounding of a different summation order, nothing more
