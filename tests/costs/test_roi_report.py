"""Lab 10's report helpers: cost items, break-even sentences, the tornado metric, the corrections table."""

from __future__ import annotations

import dataclasses
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from domainllm.costs.decision_guide import decision_guide, guide_summary  # noqa: E402
from domainllm.costs.hosted_report import gpu_conversion_table, hosted_glue, replica_table  # noqa: E402
from domainllm.costs.model import SelfHostedServing, break_even_volume, total_cost  # noqa: E402
from domainllm.costs.roi import RoiModel, uncertainty_ranges  # noqa: E402
from domainllm.costs.roi_report import (  # noqa: E402
    Corrections,
    TornadoMetric,
    accuracy_table,
    break_even_glue,
    break_even_sentence,
    break_even_table,
    cost_items_table,
    cumulative_cost_panels,
    cumulative_cost_table,
    guide_glue,
    measured_table,
    swapped_systems_error,
    training_table,
    volume_cost_chart,
)
from domainllm.costs.sensitivity import sensitivity  # noqa: E402
from domainllm.metrics.stats import Estimate  # noqa: E402
from tests.costs.test_roi import SETUP, make_results, model, pricing  # noqa: E402, F401  (fixtures)


def test_measured_training_and_accuracy_tables(model: RoiModel) -> None:  # noqa: F811
    results = make_results()
    measured = measured_table(results, model.measured)
    assert list(measured.index) == ["RAG", "Fine-tuned", "RAG + fine-tuned"]
    assert (
        measured.loc["RAG", "prompt tokens"] == 1000
        and measured.loc["RAG", "system (lab 9)"] == "Advanced RAG (compressed)"
    )
    assert list(training_table(results).index) == ["Fine-tuned", "RAG + fine-tuned"]
    assert list(accuracy_table(results).columns) == ["test_paraphrase", "test_fresh"]


def test_cost_items_show_per_query_costs_per_thousand_and_retraining(model: RoiModel) -> None:  # noqa: F811
    approaches = model.approaches()
    items = cost_items_table(approaches)
    assert items.index.names == ["approach", "paid", "item"]
    per_query = items.xs("per 1,000 queries", level="paid")["cost"].groupby(level="approach").sum()
    assert per_query["RAG"] == pytest.approx(1000 * approaches["rag"].per_query_total)
    tuned = approaches["fine_tuned"]
    retraining = items.loc[(tuned.name, f"every {tuned.retrain_every_months} months", "retraining"), "cost"]
    assert retraining == pytest.approx(tuned.retrain_cost)


def test_break_even_sentences_and_table(model: RoiModel) -> None:  # noqa: F811
    assert break_even_sentence({"break_even_queries_per_month": None, "cheaper_below": "RAG"}) == (
        "RAG is cheaper at every volume"
    )
    row = {"break_even_queries_per_month": 35_000.0, "cheaper_below": "RAG", "cheaper_above": "Fine-tuned"}
    assert break_even_sentence(row) == "RAG is cheaper below 35k queries per month and Fine-tuned above"
    approaches = model.approaches()
    table = break_even_table(approaches, horizons=(12,))
    assert "break_even_queries_per_month" not in table and len(table) == 3
    values = break_even_glue(approaches)
    volume = break_even_volume(approaches["rag"], approaches["fine_tuned"], 12)
    assert values["lab10_be_rag_ft_12"] == table.loc[0, "queries per month"]
    assert values["lab10_be_rag_ft_12_sentence"].startswith(("RAG", "Fine-tuned"))
    assert set(values) >= {
        "lab10_be_rag_ft_steady",
        "lab10_be_rag_combined_12",
        "lab10_be_fine_tuned_combined_12",
    }
    assert volume is None or values["lab10_be_rag_ft_12"] != "none"


def test_cumulative_table_and_charts(model: RoiModel) -> None:  # noqa: F811
    approaches = model.approaches()
    table = cumulative_cost_table(approaches, [1e3, 1e6])
    assert table.index.tolist() == ["1k", "1M"]
    assert table[("12 months", "RAG")].iloc[1] == pytest.approx(total_cost(approaches["rag"], 1e6, 12))
    for figure in (cumulative_cost_panels(approaches, 1e5), volume_cost_chart(approaches, 1e5)):
        assert figure.axes
        plt.close(figure)


def test_tornado_metric_is_the_break_even_volume_of_the_first_pair_that_has_one(model: RoiModel) -> None:  # noqa: F811
    approaches = model.approaches()
    metric = TornadoMetric.for_approaches(approaches, reference_volume=1e5)
    assert metric.with_break_even
    assert metric(approaches) == break_even_volume(approaches[metric.first], approaches[metric.second], 12)
    bars = sensitivity(model.inputs(), model.approaches, metric, uncertainty_ranges(model))
    values = metric.glue_values(bars)
    assert values["lab10_widest"] == bars[0].name and values["lab10_second"] == bars[1].name
    assert metric.text(math.nan) == "no break-even"
    assert metric.table(bars).index.name == "input"
    plt.close(metric.chart(bars))

    no_break_even = dataclasses.replace(metric, with_break_even=False)
    gap = total_cost(approaches[metric.second], 1e5, 12) - total_cost(approaches[metric.first], 1e5, 12)
    assert no_break_even(approaches) == pytest.approx(gap)
    assert no_break_even.label.startswith("12-month cost of") and no_break_even.text(1234.0).endswith("USD")


def test_self_hosted_conversion_and_glue(model: RoiModel) -> None:  # noqa: F811
    hosted = RoiModel(model.pricing, model.measured, dataclasses.replace(SETUP, serving="self_hosted"))
    approaches = hosted.approaches()
    table = gpu_conversion_table(hosted.inputs(), approaches, "USD", 1e5)
    assert table.loc["RAG", "training GPU-hours"] == 0.0 and table.loc["Fine-tuned", "training GPU-hours"] > 0
    # The fine-tuned model (tests/costs/test_roi.py): 17.52M queries a month per replica.
    assert table.loc["Fine-tuned", "replicas at 100k/month"] == 1
    assert table.loc["Fine-tuned", "serving per month at 100k (USD)"] == pytest.approx(730)
    assert table.loc["Fine-tuned", "GPU time alone at 100k (USD)"] == pytest.approx(1e5 * 0.05 / 3600)
    values = hosted_glue(approaches, gpu="small", queries_per_month=1e5)
    assert values["lab10_gpu"] == "small" and values["lab10_hosted_training_share"].endswith("%")
    assert values["lab10_hosted_replicas"] == "1 replica" and values["lab10_hosted_monthly"] == "730 USD"
    assert values["lab10_hosted_capacity"] == "17.5M" and values["lab10_hosted_gpu_time"] == "1.39 USD"
    # Peak: 1e5 queries x 120 tokens / (730 x 3600 s) x 3 = 13.7 tokens/s.
    assert values["lab10_hosted_peak"] == "13.7" and values["lab10_peak_to_average"] == "3"
    assert hosted_glue(approaches, "small", 4e7)["lab10_hosted_replicas"] == "3 replicas"
    replicas = replica_table(approaches, [1e5, 4e7])
    assert replicas[("Fine-tuned", "replicas")].tolist() == [1, 3]
    assert replicas[("RAG", "per month (USD)")].tolist() == pytest.approx([730, 10 * 730])
    with pytest.raises(ValueError, match="not served on self-hosted GPU replicas"):
        hosted_glue(model.approaches(), gpu="small", queries_per_month=1e5)
    with pytest.raises(ValueError, match="give queries_per_month"):
        cost_items_table(approaches)
    items = cost_items_table(approaches, queries_per_month=4e7)
    assert items.xs("per month at 40M queries", level="paid")["cost"].sum() == pytest.approx(
        (10 + 3 + 10) * 730
    )


def test_guide_glue_reads_the_summary(model: RoiModel) -> None:  # noqa: F811
    guide = decision_guide(make_results(), model, months=12)
    summary = pd.DataFrame(guide_summary(guide)).set_index("accuracy need")
    values = guide_glue(guide, summary)
    assert values["lab10_guide_undecided"].endswith(f"of {len(guide)}")
    assert values["lab10_guide_best_fresh"] in set(summary.to_numpy().ravel())


def test_swapped_systems_are_refused_and_the_corrections_table(model: RoiModel) -> None:  # noqa: F811
    error = swapped_systems_error(make_results(), model.measured)
    assert "labels do not match" in error
    train, test = Estimate(0.9, 0.8, 1.0, 8), Estimate(0.2, 0.1, 0.3, 8)
    # A replica of 1.0/h serving 60k queries a month at the peak; each query 0.45 s of GPU time.
    serving = SelfHostedServing("gpu", 100, 100 * 6e4 * 3 / 0.5 / (730 * 3600), 1.0, 0.5, 3.0)
    fixes = Corrections(error, None, 1e-12, train, test, 700.0, serving, 1e5, "USD")
    assert fixes.replicas == 2 and fixes.hosted_monthly == pytest.approx(1460)
    assert fixes.gpu_time == pytest.approx(1e5 * serving.gpu_time_cost_per_query)
    values = fixes.glue_values()
    assert values["lab10_no_tokens"] == "none" and values["lab10_always_on"] == "700 USD"
    assert (
        values["lab10_gpu_time"] == f"{fixes.gpu_time:,.2f} USD"
        and values["lab10_reference_volume"] == "100k"
    )
    table = fixes.table()
    assert table.shape == (6, 2)
    assert table.loc[5, "here"].startswith("100k queries/month: 2 replicas for the peak, 1,460 a month")
