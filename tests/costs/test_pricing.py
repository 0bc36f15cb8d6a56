"""The committed price table loads, and every kind of bad entry is rejected with a clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from domainllm.costs.pricing import CURRENCIES, DEFAULT_PRICING_PATH, UNITS, PricingError, load_pricing

TODAY = dt.date(2026, 11, 21)
KEY = "llm_api.demo.input"

GOOD_ENTRY = {
    "value": "0.15",
    "unit": "per 1M tokens",
    "currency": "USD",
    "source": "https://example.com/pricing",
    "read_on": "2026-11-01",
}


def _write(tmp_path: Path, entry: dict[str, str] | None, extra: str = "") -> Path:
    """A one-price file; ``entry`` is written field by field, so a field can be left out."""
    lines = ["llm_api:", "  demo:", "    input:"]
    lines += [f"      {k}: {v}" for k, v in (entry or {}).items()]
    path = tmp_path / "pricing.yml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def _without(field: str) -> dict[str, str]:
    return {k: v for k, v in GOOD_ENTRY.items() if k != field}


def _with(**changes: str) -> dict[str, str]:
    return {**GOOD_ENTRY, **changes}


def test_committed_pricing_loads() -> None:
    pricing = load_pricing()
    assert len(pricing) >= 10
    groups = {key.split(".")[0] for key in pricing}
    assert {"llm_api", "embedding_api", "gpu", "vector_db", "people"} <= groups
    for price in pricing.prices.values():
        assert price.source.startswith("https://"), price.key
        assert price.currency in CURRENCIES and price.unit in UNITS
        assert price.value >= 0
    assert pricing["people.ml_engineer.hourly"].kind == "assumption"
    assert len(pricing.names("llm_api")) >= 3


def test_committed_pricing_has_what_the_cost_model_reads() -> None:
    pricing = load_pricing(DEFAULT_PRICING_PATH)
    for key in (
        "llm_api.gpt_4o_mini.input",
        "llm_api.gpt_4o_mini.output",
        "llm_api.gpt_4o_mini_fine_tuned.training",
        "embedding_api.text_embedding_3_small.input",
        "gpu.aws_g5_xlarge.hourly",
        "gpu.lambda_h100_sxm.hourly",
        "vector_db.pinecone_standard.monthly",
        "vector_db.pinecone_standard.read_units",
        "people.ml_engineer.hourly",
    ):
        assert key in pricing, key


def test_good_file_parses_every_field(tmp_path: Path) -> None:
    path = _write(tmp_path, _with(note="'per 1M input tokens'", kind="price"))
    price = load_pricing(path, today=TODAY)[KEY]
    assert price.value == 0.15 and price.currency == "USD" and price.unit == "per 1M tokens"
    assert price.read_on == dt.date(2026, 11, 1) and price.note == "per 1M input tokens"
    assert price.to_dict()["read_on"] == "2026-11-01"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (_without("value"), "missing price"),
        (_with(value="null"), "missing price"),
        (_with(value="-0.15"), "negative"),
        (_with(value="cheap"), "not a number"),
        (_with(value=".nan"), "not finite"),
        (_with(currency="USS"), "unknown currency"),
        (_without("currency"), "unknown currency"),
        (_with(read_on="2026-13-01"), "not a date"),
        (_with(read_on="last tuesday"), "not a date"),
        (_without("read_on"), "missing read_on"),
        (_with(read_on="2099-01-01"), "in the future"),
        (_without("source"), "missing source"),
        (_with(source="''"), "missing source"),
        (_with(unit="per 1K tokens"), "unknown unit"),
        (_with(kind="guess"), "unknown kind"),
        (_with(valeu="1"), "unknown field"),
    ],
)
def test_bad_entry_names_file_key_and_reason(tmp_path: Path, entry: dict[str, str], reason: str) -> None:
    path = _write(tmp_path, entry)
    with pytest.raises(PricingError) as caught:
        load_pricing(path, today=TODAY)
    message = str(caught.value)
    assert str(path) in message and KEY in message and reason in message
    assert caught.value.key == KEY and caught.value.file == str(path)
    assert isinstance(caught.value, ValueError)


def test_empty_group_is_a_missing_price(tmp_path: Path) -> None:
    path = tmp_path / "pricing.yml"
    path.write_text("gpu:\n  aws_g5_xlarge: {}\n", encoding="utf-8")
    with pytest.raises(PricingError, match=r"gpu\.aws_g5_xlarge: missing price"):
        load_pricing(path, today=TODAY)


def test_read_on_one_day_ahead_is_allowed_for_time_zones(tmp_path: Path) -> None:
    path = _write(tmp_path, _with(read_on="2026-11-22"))
    assert load_pricing(path, today=TODAY)[KEY].read_on == dt.date(2026, 11, 22)


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "llm_api: [unclosed\n"])
def test_unusable_file_is_rejected_with_its_name(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pricing.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PricingError, match="pricing.yml"):
        load_pricing(path, today=TODAY)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PricingError, match="file not found"):
        load_pricing(tmp_path / "nope.yml")


def test_lookups_check_key_unit_and_currency(tmp_path: Path) -> None:
    pricing = load_pricing(_write(tmp_path, GOOD_ENTRY), today=TODAY)
    assert pricing.value(KEY, unit="per 1M tokens", currency="USD") == 0.15
    with pytest.raises(PricingError, match=r"llm_api\.demo\.output: no such price"):
        pricing["llm_api.demo.output"]
    with pytest.raises(PricingError, match="unit is"):
        pricing.value(KEY, unit="per hour")
    with pytest.raises(PricingError, match="currency is USD"):
        pricing.value(KEY, currency="EUR")
    assert [row["key"] for row in pricing.rows()] == [KEY]
    assert list(pricing.group("llm_api")) == [KEY]
