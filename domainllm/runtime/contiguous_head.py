"""Performance chapter: hand the output layer contiguous hidden states, so the CPU multiplies one matrix, not copies of it.

To generate or score the next token, transformers keeps only the last positions' hidden states
(``hidden_states[:, -k:, :]``, the ``logits_to_keep`` slice). That slice is not contiguous in
memory, and ``torch.nn.functional.linear`` on a non-contiguous 3-D input falls back to a
batched matrix multiply that expands the output layer's weight (vocabulary x hidden size) to one
full copy per sequence in the batch. With the book's 49,152-token vocabulary every prompt batch
of generation, judging or reranking briefly held several hundred megabytes of such copies. A
pre-hook that makes the (small) input contiguous sends the same product down the plain
matrix-multiply path; the logits are the same.
"""

from __future__ import annotations

from typing import Any

_MARK = "_domainllm_contiguous_input"


def _contiguous_inputs(module: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Forward pre-hook: every tensor argument made contiguous (a no-op when it already is)."""
    return tuple(a.contiguous() if hasattr(a, "contiguous") else a for a in args)


def make_head_input_contiguous(model: Any) -> Any:
    """Install the hook on ``model``'s output layer once (later calls do nothing); returns ``model``."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if head is not None and not getattr(head, _MARK, False):
        head.register_forward_pre_hook(_contiguous_inputs)
        setattr(head, _MARK, True)
    return model
