"""Settings: defaults, environment overrides and refusal of impossible values."""

from __future__ import annotations

import pytest

from domainllm.config import SHIPPED_GENERATOR, Settings, get_settings


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
