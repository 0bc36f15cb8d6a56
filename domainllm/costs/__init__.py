"""Costs and return on investment (lab 10, best practices): prices, the cost model, the decision guide."""

from __future__ import annotations

from domainllm.costs.benchmark_inputs import (
    APPROACHES,
    TEST_SPLITS,
    characters_per_token,
    embedding_token_counts,
    measured_inputs,
)
from domainllm.costs.break_even_tables import break_even_rows, break_even_sentence, format_volume
from domainllm.costs.cost_plots import cumulative_cost_plot, tornado_plot, volume_cost_plot
from domainllm.costs.decision_guide import (
    COST_ONLY,
    DEFAULT_FRESHNESS,
    MOST_ACCURATE,
    decision_guide,
    guide_summary,
    left_out,
    quality,
)
from domainllm.costs.hosted_report import gpu_conversion_table, hosted_glue, replica_table
from domainllm.costs.model import (
    HOURS_PER_MONTH,
    SelfHostedServing,
    always_on_monthly_cost,
    break_even_volume,
    cheapest,
    cost_per_1000_queries,
    crossing_volumes,
    cumulative_cost,
    peak_tokens_per_second,
    replicas_needed,
    self_hosted_monthly_cost,
    settled_volume,
    total_cost,
)
from domainllm.costs.pareto import pareto_front
from domainllm.costs.pricing import DEFAULT_PRICING_PATH, PricingError, load_pricing
from domainllm.costs.roi import ENGINEERING_HOURS, CostSetup, RoiModel, uncertainty_ranges
from domainllm.costs.roi_calculator import roi_calculator
from domainllm.costs.roi_report import (
    Corrections,
    TornadoMetric,
    accuracy_table,
    break_even_glue,
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
from domainllm.costs.sensitivity import select_bars, sensitivity

__all__ = [
    "left_out",
    "DEFAULT_PRICING_PATH",
    "PricingError",
    "load_pricing",
    "HOURS_PER_MONTH",
    "SelfHostedServing",
    "always_on_monthly_cost",
    "break_even_volume",
    "cheapest",
    "cost_per_1000_queries",
    "crossing_volumes",
    "cumulative_cost",
    "peak_tokens_per_second",
    "replicas_needed",
    "select_bars",
    "self_hosted_monthly_cost",
    "sensitivity",
    "settled_volume",
    "total_cost",
    "APPROACHES",
    "ENGINEERING_HOURS",
    "CostSetup",
    "RoiModel",
    "TEST_SPLITS",
    "break_even_rows",
    "characters_per_token",
    "embedding_token_counts",
    "format_volume",
    "measured_inputs",
    "uncertainty_ranges",
    "COST_ONLY",
    "DEFAULT_FRESHNESS",
    "MOST_ACCURATE",
    "decision_guide",
    "guide_summary",
    "quality",
    "pareto_front",
    "cumulative_cost_plot",
    "tornado_plot",
    "volume_cost_plot",
    "roi_calculator",
    "Corrections",
    "TornadoMetric",
    "accuracy_table",
    "break_even_glue",
    "break_even_sentence",
    "break_even_table",
    "cost_items_table",
    "cumulative_cost_panels",
    "cumulative_cost_table",
    "gpu_conversion_table",
    "guide_glue",
    "hosted_glue",
    "measured_table",
    "replica_table",
    "swapped_systems_error",
    "training_table",
    "volume_cost_chart",
]
