"""Performance chapter: the machine the numbers come from, how busy it was, and its peak matmul rate.

:func:`machine_info` and :func:`load_average` describe the machine (read from ``/proc``, no torch);
:func:`time_calls` times a function call by call; :func:`peak_matmul` measures the best FLOP rate
torch reaches here, the yardstick for the LoRA training rate (it imports torch when called).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def machine_info() -> dict[str, Any]:
    """CPUs, CPU model, memory, OS, Python, date and load average of this machine, now."""
    model = platform.processor() or ""
    memory_gib = float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 2**20
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": model,
        "memory_gib": round(memory_gib, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages (other work competing for the CPUs)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def time_calls(fn: Callable[[int], object], n: int, warmup: int = 3) -> list[float]:
    """Wall seconds of ``fn(i)`` for i in 0..n-1, after ``warmup`` untimed calls."""
    for i in range(min(warmup, n)):
        fn(i)
    seconds = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        seconds.append(time.perf_counter() - started)
    return seconds


def matmul_gflops(m: int, k: int, n: int, seconds: float = 1.5, dtype: str = "float32") -> float:
    """Best GFLOP/s of torch's ``(m x k) @ (k x n)`` in ``dtype`` over about ``seconds`` of repeats."""
    import torch

    a, b = torch.randn(m, k).to(getattr(torch, dtype)), torch.randn(k, n).to(getattr(torch, dtype))
    for _ in range(3):
        a @ b
    best = math.inf
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2.0 * m * k * n / best / 1e9


def peak_matmul(
    sizes: Sequence[int] = (512, 1024, 2048),
    model_shape: tuple[int, int, int] = (512, 576, 1536),
    dtype: str = "float32",
) -> dict[str, Any]:
    """The machine's peak ``dtype`` matmul rate: the best over square matrices of ``sizes`` and a
    shape like one of SmolLM2-135M's MLP matmuls in a training step (``tokens x 576 x 1536``)."""
    import torch

    square = {str(size): matmul_gflops(size, size, size, dtype=dtype) for size in sizes}
    shaped = matmul_gflops(*model_shape, dtype=dtype)
    return {
        "dtype": dtype,
        "threads": torch.get_num_threads(),
        "square_gflops": square,
        "model_shape": list(model_shape),
        "model_shape_gflops": shaped,
        "peak_gflops": max(*square.values(), shaped),
    }
