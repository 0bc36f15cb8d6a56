"""Heap trimming gives freed memory back to the operating system."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.runtime.memory import _libc, heap_trimming_callback, trim_heap


def resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


@pytest.mark.skipif(_libc() is None, reason="needs glibc (malloc_trim)")
def test_trim_returns_fragmented_free_heap_pages() -> None:
    # 800 blocks of 100 KB sit in the heap (below glibc's mmap threshold); freeing all but the
    # last leaves 80 MB free inside the heap, which plain free() keeps resident.
    blocks = [np.ones(100 * 1024, dtype=np.uint8) for _ in range(800)]
    last = blocks[-1]
    del blocks
    before = resident_mib()
    trim_heap()
    after = resident_mib()
    assert before - after > 40, f"resident memory {before:.0f} -> {after:.0f} MiB"
    assert last.sum() == 100 * 1024


def test_callback_is_a_trainer_callback_that_trims() -> None:
    from transformers import TrainerCallback

    callback = heap_trimming_callback()
    assert isinstance(callback, TrainerCallback)
    callback.on_step_end(None, None, None)
    callback.on_substep_end(None, None, None)
