"""Settings: defaults, environment overrides and refusal of impossible values."""

from __future__ import annotations

import pytest

from domainllm.config import SHIPPED_GENERATOR, Settings, dtype_tag, get_settings, model_dtype


def test_defaults_run_the_shipped_models_on_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DOMAINLLM_GENERATOR", "DOMAINLLM_DEVICE", "DOMAINLLM_SEED", "DOMAINLLM_SCALE"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.generator == SHIPPED_GENERATOR and settings.device == "cpu" and settings.seed == 0


def test_environment_points_the_labs_at_another_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOMAINLLM_GENERATOR", "HuggingFaceTB/SmolLM2-360M-Instruct")
    monkeypatch.setenv("DOMAINLLM_SEED", "7")
    monkeypatch.setenv("DOMAINLLM_SCALE", "4")
    settings = get_settings()
    assert settings.generator == "HuggingFaceTB/SmolLM2-360M-Instruct"
    assert (settings.seed, settings.scale) == (7, 4.0)
    assert settings.replace(device="cuda").device == "cuda" and settings.device == "cpu"


def test_unknown_backend_and_bad_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown backend"):
        Settings(backend="carrier-pigeon")
    with pytest.raises(ValueError, match="scale must be positive"):
        Settings(scale=0)
    with pytest.raises(ValueError, match="Unknown dtype"):
        Settings(dtype="float8")


def test_dtype_setting_picks_the_weights_format_and_tags_cache_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setenv("DOMAINLLM_DTYPE", "float32")
    assert model_dtype(get_settings()) == torch.float32 and dtype_tag(get_settings()) == ""
    monkeypatch.setenv("DOMAINLLM_DTYPE", "bfloat16")
    assert model_dtype(get_settings()) == torch.bfloat16 and dtype_tag(get_settings()) == ":bfloat16"
    # auto means bfloat16 only where the CPU multiplies it natively
    native = torch.ops.mkldnn._is_mkldnn_bf16_supported()
    assert model_dtype(Settings(dtype="auto")) == (torch.bfloat16 if native else torch.float32)


def test_generator_and_embedder_load_in_the_configured_dtype() -> None:
    import torch

    from domainllm.runtime.models import load_embedder, load_generator

    for name in ("float32", "bfloat16"):
        settings = get_settings().replace(dtype=name)
        expected = getattr(torch, name)
        assert next(load_generator(settings).model.parameters()).dtype == expected
        assert next(load_embedder(settings).parameters()).dtype == expected


def test_released_generators_are_loaded_again_and_their_memory_can_go() -> None:
    import gc
    import weakref

    from domainllm.runtime.models import load_generator, release_generators

    first = load_generator()
    assert load_generator() is first  # loaded once per process
    gone = weakref.ref(first.model)
    del first
    release_generators()
    gc.collect()
    assert gone() is None  # nothing in the library holds the released weights
    again = load_generator()  # loaded anew, and cached again
    assert again.model is not None and load_generator() is again
