"""Performance chapter: sequence lengths rounded up to a few sizes, so the CPU's matrix-multiply kernels are reused.

In bfloat16 PyTorch multiplies matrices on a CPU with oneDNN, which builds a kernel (a
"primitive") for every input shape it meets and keeps up to 1,024 of them in a cache. A batch
padded to its own longest sequence has a new shape almost every time, so over a lab the cache
fills with kernels used once: measured on lab 7's steps, about 270 MB stayed resident that an
empty cache would not keep (but an empty cache doubled the time, since every call then builds
its kernel afresh). Padding every batch to a multiple of :data:`SHAPE_MULTIPLE` tokens gives a
handful of shapes that are built once and reused. Padded positions are masked, so results do
not change beyond floating-point rounding.
"""

from __future__ import annotations

# Token lengths are padded up to a multiple of this. 32 keeps the padding small next to the
# book's prompts (about 50-350 tokens) and chunks (up to 256 tokens).
SHAPE_MULTIPLE = 32


def bucketed(length: int, multiple: int = SHAPE_MULTIPLE) -> int:
    """``length`` rounded up to the next multiple of ``multiple`` (0 stays 0)."""
    if length < 0 or multiple < 1:
        raise ValueError(f"bucketed() needs length >= 0 and multiple >= 1, got {length} and {multiple}.")
    return -(-length // multiple) * multiple
