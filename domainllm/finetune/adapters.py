"""Labs 7 and 8 (fine-tuning): LoRA adapters cached by a hash of everything that shaped them.

A training run is described by a :class:`TrainingRun`: method (SFT or DPO), the adapters it
starts from, the generator, a fingerprint of its data and its hyperparameters. The hash of
that description names the adapter's cache folder, so any lab that asks for the same run
loads it, and a lab that finds the cache empty trains it itself. Folders are built with
:func:`domainllm.cache.folders.build_once`: an interrupted run leaves nothing loadable behind
and the next call trains again from the start.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainllm.cache.folders import build_once
from domainllm.config import Settings, get_settings
from domainllm.paths import cache_dir
from domainllm.runtime.memory import trim_heap

if TYPE_CHECKING:
    from peft import LoraConfig

    from domainllm.runtime.generation import Generator

ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraSettings:
    """Rank, scaling, dropout and target modules of a LoRA adapter, and how many layers it adapts.

    ``top_layers``: adapt only the last N transformer blocks (None: all). Backpropagation then
    stops at the lowest adapted block and no activations are kept below it, so on a CPU a step
    costs about half as much time and a fraction of the memory of adapting all 30 blocks of
    SmolLM2-135M. With a GPU, set it to None.
    """

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ALL_LINEAR
    top_layers: int | None = 6

    def to_peft(self, num_layers: int | None = None) -> LoraConfig:
        """The matching ``peft.LoraConfig`` for a causal language model with ``num_layers`` blocks."""
        from peft import LoraConfig

        layers = None
        if self.top_layers is not None and num_layers is not None:
            layers = list(range(max(0, num_layers - self.top_layers), num_layers))
        return LoraConfig(
            r=self.r,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=list(self.target_modules),
            layers_to_transform=layers,
            layers_pattern="layers" if layers else None,
            task_type="CAUSAL_LM",
        )

    @classmethod
    def from_peft(cls, config: LoraConfig, num_layers: int) -> LoraSettings:
        """The settings behind ``config``, a ``peft.LoraConfig`` for a model with ``num_layers`` blocks.

        The settings name the adapter's cache folder, so a config they cannot describe exactly (an
        option they leave out, blocks other than the top ones) is refused, never cached under the
        name of another adapter.
        """
        order = {name: i for i, name in enumerate(ALL_LINEAR)}  # the book's order, so the hash stays
        modules = config.target_modules or ()
        modules = (
            [modules] if isinstance(modules, str) else sorted(modules, key=lambda m: (order.get(m, 99), m))
        )
        layers = config.layers_to_transform
        settings = cls(
            r=config.r,
            alpha=config.lora_alpha,
            dropout=config.lora_dropout,
            target_modules=tuple(modules),
            top_layers=None if layers is None else len([layers] if isinstance(layers, int) else layers),
        )
        rebuilt = settings.to_peft(num_layers).to_dict()
        differ = sorted(k for k, v in config.to_dict().items() if rebuilt.get(k) != v)
        if differ:
            raise ValueError(
                f"LoraSettings cannot describe this LoRA config (it differs in {', '.join(differ)}): "
                "adapt the top N blocks (layers_to_transform, layers_pattern='layers') and leave the "
                "options LoraSettings has no field for at their defaults."
            )
        return settings


@dataclass(frozen=True)
class TrainingRun:
    """Everything that determines an adapter; its hash names the cache folder."""

    name: str
    method: str
    data_fingerprint: str
    parents: tuple[str, ...] = ()
    generator: str = ""
    lora: LoraSettings = field(default_factory=LoraSettings)
    learning_rate: float = 2e-4
    max_steps: int = 40
    batch_size: int = 8
    micro_batch_size: int | None = None
    max_length: int = 512
    seed: int = 0
    beta: float | None = None

    def __post_init__(self) -> None:
        if self.method not in ("sft", "dpo"):
            raise ValueError(f"method must be 'sft' or 'dpo', got {self.method!r}")
        if self.max_steps <= 0 or self.batch_size <= 0:
            raise ValueError("max_steps and batch_size must be positive")
        if self.micro_batch_size is not None and (
            self.micro_batch_size <= 0 or self.batch_size % self.micro_batch_size
        ):
            raise ValueError("micro_batch_size must be a positive divisor of batch_size")

    @property
    def accumulation_steps(self) -> int:
        """Micro-batches per optimizer step (memory grows with the micro-batch, not the batch)."""
        return self.batch_size // (self.micro_batch_size or self.batch_size)

    def digest(self) -> str:
        """A stable hash of the whole description."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def folder(self) -> Path:
        """Where this run's adapter lives in the cache."""
        return cache_dir("adapters") / f"{self.name}-{self.digest()}"


@dataclass(frozen=True)
class TrainedAdapter:
    """A finished adapter: its folder, the run that made it, and what training measured."""

    path: Path
    run: TrainingRun
    manifest: dict[str, Any]
    parents: tuple[TrainedAdapter, ...] = ()

    @property
    def chain(self) -> tuple[TrainedAdapter, ...]:
        """This adapter preceded by the ones it was trained on top of, oldest first."""
        return (*[a for p in self.parents for a in p.chain], self)

    @property
    def losses(self) -> list[float]:
        """Training loss logged at each step."""
        return list(self.manifest.get("losses", []))

    @property
    def question_ids(self) -> frozenset[str]:
        """Ids of the questions its training set was made from (empty when not logged)."""
        return frozenset(self.manifest.get("question_ids", []))


def data_fingerprint(examples: Sequence[dict[str, Any]]) -> str:
    """Hash of a training set (any JSON-ready records), order included."""
    text = json.dumps(list(examples), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def generator_fingerprint(settings: Settings | None = None) -> str:
    """Identifies the base weights: the shipped generator's checksum (or the configured id) and dtype."""
    from domainllm.config import SHIPPED_GENERATOR, dtype_tag
    from domainllm.runtime.models import GENERATOR_SHA256

    settings = settings or get_settings()
    if settings.generator == SHIPPED_GENERATOR:
        return f"{SHIPPED_GENERATOR}:{GENERATOR_SHA256[:12]}{dtype_tag(settings)}"
    return f"{settings.generator}{dtype_tag(settings)}"


def generator_blocks(settings: Settings | None = None) -> int:
    """How many transformer blocks the generator has (LoRA's ``layers_to_transform`` picks among them)."""
    from transformers import AutoConfig

    from domainllm.runtime.models import generator_source

    return int(AutoConfig.from_pretrained(generator_source(settings or get_settings())).num_hidden_layers)


def check_training_set(examples: Sequence[Any], batch_size: int, minimum: int = 8) -> None:
    """Refuse to train on an empty or too-small set, saying what to do."""
    needed = max(minimum, batch_size)
    if len(examples) < needed:
        raise ValueError(
            f"Training needs at least {needed} examples (one batch of {batch_size}, minimum {minimum}); "
            f"got {len(examples)}. Add examples (or label more pairs) before training."
        )


def load_base_model(settings: Settings | None = None, chain: Sequence[TrainedAdapter] = ()) -> Any:
    """A copy of the base model with the adapters in ``chain`` merged in, in order.

    The copy shares every weight the adapters leave alone with the process-wide generator
    (:func:`~domainllm.runtime.models.load_generator`) and clones only the weights an adapter changes,
    before merging into them. With LoRA on the top six blocks of the 135M model an adapted copy
    costs about 90 MB instead of 0.5 GB, and the shared generator is never modified.
    """
    import copy

    import torch
    from peft import PeftModel

    from domainllm.runtime.models import load_generator

    settings = settings or get_settings()
    torch.manual_seed(settings.seed)
    base = load_generator(settings).model
    shared = [*base.parameters(), *base.buffers()]
    model = copy.deepcopy(base, memo={id(tensor): tensor for tensor in shared})
    shared_storage = {tensor.data_ptr() for tensor in shared}
    for adapter in chain:
        wrapped = PeftModel.from_pretrained(model, str(adapter.path))
        for layer in adapted_layers(wrapped):
            if layer.weight.data_ptr() in shared_storage:
                layer.weight = torch.nn.Parameter(layer.weight.detach().clone(), requires_grad=False)
        model = wrapped.merge_and_unload()
    return model


def adapted_layers(model: Any) -> list[Any]:
    """The base layers (for example ``nn.Linear``) that a PEFT model's LoRA adapters modify."""
    from peft.tuners.lora import LoraLayer

    return [module.get_base_layer() for module in model.modules() if isinstance(module, LoraLayer)]


def load_tokenizer(settings: Settings | None = None) -> Any:
    """The generator's tokenizer (pad token set to end-of-sequence when it has none)."""
    from transformers import AutoTokenizer

    from domainllm.runtime.models import generator_source

    tokenizer = AutoTokenizer.from_pretrained(generator_source(settings or get_settings()))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_adapted_generator(adapter: TrainedAdapter, settings: Settings | None = None) -> Generator:
    """A generator whose weights are the base model with ``adapter`` (and its parents) merged in.

    The untouched weights are shared with the base generator (see :func:`load_base_model`), so
    each call costs only the adapted layers; drop it with :func:`release` when done.
    """
    from domainllm.runtime.generation import Generator
    from domainllm.runtime.models import load_generator, model_key

    settings = settings or get_settings()
    model = load_base_model(settings, adapter.chain)
    model.eval()
    generator = Generator(model, load_tokenizer(settings), settings)
    # caches keyed on the model (answers, judge scores) must not mistake it for the base model
    chain = "+".join(a.run.digest() for a in adapter.chain)
    generator.weights_key = f"{model_key(load_generator(settings))}+lora:{chain}"
    return generator


def release(*objects: Any) -> None:
    """Forget references held by the caller's objects and collect garbage (frees model memory)."""
    for obj in objects:
        if hasattr(obj, "model"):
            obj.model = None
    gc.collect()
    trim_heap()  # hand the freed heap pages back to the system


def load_or_train(
    run: TrainingRun,
    train: Callable[[Path], dict[str, Any]],
    parents: tuple[TrainedAdapter, ...] = (),
) -> TrainedAdapter:
    """Load ``run``'s adapter from the cache, or call ``train(staging_folder)`` to make it."""
    folder = run.folder()
    manifest = build_once(folder, lambda staging: {"run": dataclasses.asdict(run), **train(staging)})
    return TrainedAdapter(folder, run, manifest, parents)
