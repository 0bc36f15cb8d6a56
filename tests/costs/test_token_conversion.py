"""API token prices apply to the API model's tokens (lab 10): the benchmark's counts are converted
through characters per token, and the conversion and the invented hours reach the tornado chart."""

from __future__ import annotations

import dataclasses
import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from domainllm.costs.benchmark_inputs import characters_per_token, embedding_token_counts, measured_inputs  # noqa: E402
from domainllm.costs.model import MILLION  # noqa: E402
from domainllm.costs.pricing import Pricing, load_pricing  # noqa: E402
from domainllm.costs.roi import (  # noqa: E402
    API_CHARS_PER_TOKEN_SOURCE,
    ASSUMPTIONS,
    ENGINEERING_HOURS,
    RoiModel,
    api_tokens_per_measured_token,
    uncertainty_ranges,
)
from domainllm.costs.roi_report import TornadoMetric  # noqa: E402
from domainllm.costs.sensitivity import SensitivityBar, select_bars, sensitivity  # noqa: E402
from tests.costs.price_table import PRICES  # noqa: E402
from tests.costs.test_roi import SETUP, make_results  # noqa: E402


@pytest.fixture
def pricing(tmp_path: Path) -> Pricing:
    path = tmp_path / "pricing.yml"
    path.write_text(PRICES, encoding="utf-8")
    return load_pricing(path)


def measured(generator: float = 5.0, embedder: float = 6.0) -> dict[str, float]:
    return measured_inputs(
        make_results(),
        query_tokens=20,
        corpus_tokens=1e6,
        generator_chars_per_token=generator,
        embedder_chars_per_token=embedder,
    )


# --------------------------------------------------------------------------- the conversion


def test_api_tokens_per_measured_token_by_hand() -> None:
    # 5 characters per measured token, 4 per API token: each measured token is 1.25 API tokens.
    assert (
        api_tokens_per_measured_token(
            {"generator_chars_per_token": 5.0, "api_chars_per_token": 4.0}, "generator_chars_per_token"
        )
        == 1.25
    )
    # Not measured: taken as it is.
    assert api_tokens_per_measured_token({"api_chars_per_token": 4.0}, "generator_chars_per_token") == 1.0
    with pytest.raises(ValueError, match="api_chars_per_token"):
        api_tokens_per_measured_token({"api_chars_per_token": 0.0}, "generator_chars_per_token")
    with pytest.raises(ValueError, match="generator_chars_per_token"):
        api_tokens_per_measured_token(
            {"generator_chars_per_token": -1.0, "api_chars_per_token": 4.0}, "generator_chars_per_token"
        )
    assumption = ASSUMPTIONS["api_chars_per_token"]
    assert (assumption.value, assumption.low, assumption.high) == (4.0, 3.0, 5.0)
    assert API_CHARS_PER_TOKEN_SOURCE in assumption.meaning


def test_api_prices_apply_to_converted_counts(pricing: Pricing) -> None:
    rag, tuned, combined = RoiModel(pricing, measured(), SETUP).approaches().values()
    # RAG: (1000 x 0.15 + 20 x 0.60) / 1e6 at 1.25 API tokens per SmolLM2 token; the question's
    # 20 embedder tokens are 20 x 6 / 4 = 30 API tokens at 0.02 / 1e6.
    assert rag.per_query["generation (model API)"] == pytest.approx(1.25 * 1.62e-4)
    assert rag.per_query["query embedding"] == pytest.approx(30 * 0.02 / MILLION)
    # Indexing 1e6 embedder tokens: 1.5e6 API tokens.
    assert rag.one_off["indexing (embedding the corpus)"] == pytest.approx(1.5e6 * 0.02 / MILLION)
    # The hosted fine-tuning is billed on converted training tokens: 100,000 x 1.25 x 3.0 / 1e6.
    assert tuned.one_off["fine-tuning (API training tokens)"] == pytest.approx(0.375)
    assert tuned.per_query_total == pytest.approx(1.25 * (100 * 0.30 + 20 * 1.20) / MILLION)
    assert combined.per_query["generation (fine-tuned model API)"] == pytest.approx(
        1.25 * (1000 * 0.30 + 20 * 1.20) / MILLION
    )
    # The assumption moves every API price the same way: 5 characters per API token -> 1.0.
    same = RoiModel(pricing, measured(), SETUP).approaches({"api_chars_per_token": 5.0})["rag"]
    assert same.per_query["generation (model API)"] == pytest.approx(1.62e-4)


def test_a_self_hosted_model_keeps_its_own_tokens(pricing: Pricing) -> None:
    hosted = RoiModel(pricing, measured(), dataclasses.replace(SETUP, serving="self_hosted"))
    rag, tuned, _ = hosted.approaches().values()
    assert tuned.serving[0].tokens_per_query == 120  # SmolLM2's 100 + 20, not converted
    assert rag.serving[0].tokens_per_query == 1020
    assert rag.per_query["query embedding"] == pytest.approx(
        30 * 0.02 / MILLION
    )  # the embedding API still converts


def test_missing_ratios_warn_and_bad_ratios_are_refused(pricing: Pricing) -> None:
    plain = measured_inputs(make_results(), query_tokens=20, corpus_tokens=1e6)
    assert "generator_chars_per_token" not in plain
    with pytest.warns(UserWarning, match="generator_chars_per_token, embedder_chars_per_token"):
        RoiModel(pricing, plain, SETUP)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RoiModel(pricing, measured(), SETUP)  # no warning once both are measured
    for bad in (0.0, -2.0, math.nan, True, "4"):
        with pytest.raises(ValueError, match="generator_chars_per_token"):
            measured_inputs(make_results(), query_tokens=20, corpus_tokens=0, generator_chars_per_token=bad)


def test_characters_per_token_counts_the_tokenizer_s_tokens() -> None:
    texts = ["The Supplier shall deliver the Goods within 30 days.", "Governing law: Sweden."]
    ratio = characters_per_token(texts, "embedder")
    assert ratio == pytest.approx(sum(map(len, texts)) / sum(embedding_token_counts(texts)))
    assert 1 < ratio < 10
    with pytest.raises(ValueError, match="non-empty"):
        characters_per_token(["", ""], "embedder")
    with pytest.raises(ValueError, match="generator' or 'embedder"):
        characters_per_token(texts, "reader")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the tornado chart's inputs


def _bar(name: str, low: float, high: float, base: float = 10.0) -> SensitivityBar:
    return SensitivityBar(name, 1.0, 2.0, low, high, base)


def test_select_bars_keeps_the_named_inputs_and_fills_up_with_the_widest() -> None:
    bars = [_bar("a", 0, 30), _bar("b", 5, 20), _bar("hours", 9, 12), _bar("c", 9, 11), _bar("flat", 10, 10)]
    assert [b.name for b in select_bars(bars, limit=3, keep=["flat", "hours"])] == ["a", "hours", "flat"]
    assert [b.name for b in select_bars(bars, limit=2)] == ["a", "b"]
    assert [b.name for b in select_bars(bars, limit=1, keep=["flat", "hours", "absent"])] == ["hours", "flat"]
    with pytest.raises(ValueError, match="limit"):
        select_bars(bars, limit=0)


def test_tornado_inputs_include_the_load_assumptions_and_the_invented_hours(pricing: Pricing) -> None:
    hosted = RoiModel(pricing, measured(), dataclasses.replace(SETUP, serving="self_hosted"))
    approaches = hosted.approaches()
    metric = TornadoMetric.for_approaches(approaches, reference_volume=1e5)
    assert metric.stepped and metric.label.startswith("first break-even volume")
    ranges = uncertainty_ranges(hosted)
    for name in ("utilisation", "peak_to_average", *ENGINEERING_HOURS):
        assert ranges[name] == (ASSUMPTIONS[name].low, ASSUMPTIONS[name].high)
    bars = sensitivity(hosted.inputs(), hosted.approaches, metric, ranges)
    shown = select_bars(bars, limit=6, keep=list(ASSUMPTIONS))
    assert {"utilisation", "peak_to_average", *ENGINEERING_HOURS} <= {b.name for b in shown}
    by_name = {b.name: b for b in bars}
    # A busier replica or a flatter peak serves more queries each, so RAG needs its second
    # replica later and the break-even moves up.
    assert by_name["utilisation"].high_metric > by_name["utilisation"].low_metric
    assert by_name["peak_to_average"].low_metric > by_name["peak_to_average"].high_metric
    text = metric.effects(bars, ("utilisation", "peak_to_average", "nope"))
    assert (
        text.startswith("utilisation from 0.1 to 1 moves it from ")
        and "; peak_to_average from 1.5 to 8" in text
    )
    flat = SensitivityBar("evaluation_hours", 8.0, 40.0, 5e6, 5e6, 5e6)
    assert metric.effects([flat], ["evaluation_hours"]) == "evaluation_hours from 8 to 40 leaves it at 5M"
    values = metric.glue_values(shown, prefix="lab10_hosted")
    assert set(values) == {
        "lab10_hosted_tornado_pair",
        "lab10_hosted_tornado_base",
        "lab10_hosted_widest",
        "lab10_hosted_widest_range",
        "lab10_hosted_widest_effect",
        "lab10_hosted_second",
    }
    figure = metric.chart(shown, title="Self-hosted")
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert any(label.startswith("peak_to_average\n(1.5 to 8)") for label in labels)
    assert any(label.startswith("rag_setup_hours\n(8 to 80)") for label in labels)
    assert figure.axes[0].get_title() == "Self-hosted"
    plt.close(figure)
