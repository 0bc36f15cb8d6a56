"""Issue #23 (c, k): settings are validated when built, and every message names the variable."""

from __future__ import annotations

import pytest

from domainllm.cli.commands import main
from domainllm.config import Settings, SettingsError, get_settings

BAD_ENVIRONMENT = [
    ("DOMAINLLM_MAX_CONTEXT", "10"),
    ("DOMAINLLM_MAX_CONTEXT", "-5"),
    ("DOMAINLLM_MAX_CONTEXT", "abc"),
    ("DOMAINLLM_MAX_CONTEXT", "2048.5"),
    ("DOMAINLLM_SCALE", "nan"),
    ("DOMAINLLM_SCALE", "inf"),
    ("DOMAINLLM_SCALE", "abc"),
    ("DOMAINLLM_SEED", "abc"),
    ("DOMAINLLM_SEED", "-1"),
    ("DOMAINLLM_DEVICE", "gpu"),
]


@pytest.mark.parametrize(("variable", "value"), BAD_ENVIRONMENT)
def test_bad_environment_value_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        get_settings()


@pytest.mark.parametrize(("variable", "value"), BAD_ENVIRONMENT[:3] + BAD_ENVIRONMENT[4:8])
def test_command_line_prints_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["models", "warm"]) == 2
    err = capsys.readouterr().err
    assert variable in err and err.startswith("error:") and err.count("\n") == 1
    assert "could not convert" not in err and "invalid literal" not in err


@pytest.mark.parametrize(
    "changes",
    [
        {"max_context_tokens": 10},
        {"scale": float("nan")},
        {"scale": float("inf")},
        {"seed": -3},
        {"seed": "7"},
        {"generator": ""},
    ],
    ids=lambda c: next(iter(c)) + "=" + repr(next(iter(c.values()))),
)
def test_settings_built_in_code_are_validated_too(changes: dict) -> None:
    with pytest.raises(SettingsError, match=next(iter(changes))):
        Settings(**changes)


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOMAINLLM_SCALE", "")
    monkeypatch.setenv("DOMAINLLM_SEED", " ")
    assert get_settings().scale == 1.0 and get_settings().seed == 0
