"""A quick check of the machine a lab runs on: Python, torch, cores, memory and the two models."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from dataclasses import dataclass

from domainllm.config import Settings, get_settings


@dataclass(frozen=True)
class Check:
    """One line of the environment report."""

    item: str
    value: str
    ok: bool
    advice: str = ""


def _memory_gib() -> float | None:
    """Total physical memory in GiB, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def check_environment(settings: Settings | None = None) -> list[Check]:
    """Inspect the interpreter, libraries, hardware and model files; never raises."""
    from domainllm.paths import cache_dir
    from domainllm.runtime import models

    settings = settings or get_settings()
    checks = [
        Check(
            "python", platform.python_version(), sys.version_info[:2] == (3, 11), "the book is tested on 3.11"
        ),
        Check("cpu cores", str(os.cpu_count()), (os.cpu_count() or 0) >= 2, "2 cores are enough"),
    ]
    memory = _memory_gib()
    checks.append(
        Check(
            "memory",
            f"{memory:.1f} GiB" if memory else "unknown",
            memory is None or memory >= 2,
            "labs need 2 GB",
        )
    )
    try:
        import torch

        checks.append(Check("torch", f"{torch.__version__} ({torch.get_num_threads()} threads)", True))
        gpu = torch.cuda.is_available()
        checks.append(Check("gpu", torch.cuda.get_device_name(0) if gpu else "none (CPU is fine)", True))
    except ImportError:
        checks.append(Check("torch", "missing", False, "run make setup"))
    for label, locate in (
        ("generator weights", models.shipped_gguf_path),
        ("embedder weights", models.shipped_embedder_path),
    ):
        try:
            checks.append(Check(label, f"{locate().name}: sha256 verified", True))
        except (models.ModelNotInstalledError, models.ChecksumMismatchError) as exc:
            checks.append(Check(label, "problem", False, str(exc)))
    try:
        folder = cache_dir()
        free = shutil.disk_usage(folder).free / 2**30
        checks.append(Check("cache folder", f"{folder} ({free:.0f} GiB free)", free > 2, "needs ~1 GB"))
    except PermissionError as exc:
        checks.append(Check("cache folder", "not writable", False, str(exc)))
    checks.append(
        Check(
            "settings",
            f"generator={settings.generator}, device={settings.device}, dtype={settings.dtype}",
            True,
        )
    )
    return checks
