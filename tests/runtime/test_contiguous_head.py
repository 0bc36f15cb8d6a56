"""The output layer gets contiguous input, so PyTorch never expands its weight per sequence."""

from __future__ import annotations

import pytest
import torch

from domainllm.runtime.contiguous_head import make_head_input_contiguous


class TinyLM(torch.nn.Module):
    """Just enough of a causal LM: an output layer behind get_output_embeddings()."""

    def __init__(self) -> None:
        super().__init__()
        self.lm_head = torch.nn.Linear(6, 10, bias=False)

    def get_output_embeddings(self) -> torch.nn.Module:
        return self.lm_head


def seen_by_forward(model: TinyLM) -> list[bool]:
    """Record whether each input that reaches the output layer's forward is contiguous."""
    seen: list[bool] = []
    model.lm_head.register_forward_hook(lambda module, args, out: seen.append(args[0].is_contiguous()))
    return seen


def test_the_last_position_slice_reaches_the_head_contiguous_with_the_same_logits() -> None:
    model = TinyLM()
    hidden = torch.randn(4, 5, 6)
    last = hidden[:, -1:, :]
    assert not last.is_contiguous()  # what transformers hands the head when it keeps one position
    expected = model.lm_head(last)
    make_head_input_contiguous(model)
    seen = seen_by_forward(model)
    torch.testing.assert_close(model.lm_head(last), expected)
    assert seen == [True]


def test_installing_twice_adds_one_hook() -> None:
    model = TinyLM()
    make_head_input_contiguous(model)
    make_head_input_contiguous(model)
    assert len(model.lm_head._forward_pre_hooks) == 1


def test_models_without_an_output_layer_are_left_alone() -> None:
    plain = torch.nn.Linear(2, 2)
    assert make_head_input_contiguous(plain) is plain
    assert not plain._forward_pre_hooks


@pytest.mark.slow
def test_the_shipped_generator_and_an_adapted_copy_carry_the_hook() -> None:
    from domainllm.finetune.adapters import load_base_model
    from domainllm.runtime.generation import Generator
    from domainllm.runtime.models import load_generator

    generator = load_generator()
    assert len(generator.model.get_output_embeddings()._forward_pre_hooks) == 1
    copy = Generator(load_base_model(), generator.tokenizer, generator.settings)
    assert len(copy.model.get_output_embeddings()._forward_pre_hooks) == 1
