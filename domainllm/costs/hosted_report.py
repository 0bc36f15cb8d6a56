"""Lab 10 (ROI), section 6: the tables and glued numbers of self-hosted serving.

A self-hosted model pays the GPU replicas its busiest hour needs, at least one always on
(:class:`~domainllm.costs.model.SelfHostedServing`). These helpers show, for the lab's three
approaches, the assumed GPU throughput, the replicas and their monthly cost at given volumes,
and the numbers the lab's text pastes (``lab10_hosted_...``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from domainllm.costs.break_even_tables import break_even_rows, break_even_sentence, format_volume
from domainllm.costs.model import Approach, SelfHostedServing, peak_tokens_per_second

__all__ = ["gpu_conversion_table", "hosted_glue", "replica_table", "replicas_text"]


def _serving(approach: Approach) -> SelfHostedServing:
    if len(approach.serving) != 1:
        raise ValueError(f"{approach.name} is not served on self-hosted GPU replicas (one model)")
    return approach.serving[0]


def gpu_conversion_table(
    inputs: Mapping[str, float], approaches: Mapping[str, Approach], currency: str, queries_per_month: float
) -> pd.DataFrame:
    """Self-hosted approaches: measured and assumed GPU throughput, training GPU-hours, and what
    serving costs at ``queries_per_month``: replicas for the peak rate, their monthly cost, and
    the GPU time alone (what a deployment that scales to zero would pay).

    ``inputs`` are the self-hosted model's (:meth:`~domainllm.costs.roi.RoiModel.inputs`).
    """

    def gpu_hours(key: str) -> float:
        if f"{key}.train_seconds" not in inputs:
            return 0.0
        return inputs[f"{key}.train_seconds"] * inputs["data_scale"] / inputs["gpu_speedup"] / 3600

    volume = format_volume(queries_per_month)
    rows = {}
    for key, a in approaches.items():
        serving = _serving(a)
        rows[a.name] = {
            "tokens/s (this CPU)": round(inputs[f"{key}.tokens_per_second"]),
            "tokens/s per replica (assumed GPU)": round(serving.tokens_per_second),
            "queries/month per replica at the peak": serving.queries_per_replica,
            "training GPU-hours": gpu_hours(key),
            f"replicas at {volume}/month": serving.replicas(queries_per_month),
            f"serving per month at {volume} ({currency})": serving.monthly_cost(queries_per_month),
            f"GPU time alone at {volume} ({currency})": queries_per_month * serving.gpu_time_cost_per_query,
            f"one-off ({currency})": a.one_off_total,
        }
    return pd.DataFrame(rows).T


def replicas_text(count: int) -> str:
    """``1 replica``, ``3 replicas``."""
    return f"{count} replica" if count == 1 else f"{count} replicas"


def replica_table(approaches: Mapping[str, Approach], volumes: Sequence[float]) -> pd.DataFrame:
    """Replicas each self-hosted approach needs, and their monthly cost, at each monthly volume."""
    columns = {}
    for a in approaches.values():
        serving = _serving(a)
        columns[(a.name, "replicas")] = [serving.replicas(v) for v in volumes]
        columns[(a.name, f"per month ({a.currency})")] = [serving.monthly_cost(v) for v in volumes]
    return pd.DataFrame(
        columns, index=pd.Index([format_volume(v) for v in volumes], name="queries per month")
    )


def hosted_glue(approaches: Mapping[str, Approach], gpu: str, queries_per_month: float) -> dict[str, str]:
    """Self-hosted: the 12-month break-even of RAG and the fine-tuned model as a sentence, the GPU,
    the share of the fine-tuned model's one-off cost spent on GPU hours, and its serving at
    ``queries_per_month``: peak rate, replicas, monthly cost, GPU time alone, and the volume one
    replica serves (``lab10_hosted_...``)."""
    pair = f"{approaches['rag'].name} vs {approaches['fine_tuned'].name}"
    row = next(r for r in break_even_rows(approaches, horizons=(12,)) if r["pair"] == pair)
    tuned = approaches["fine_tuned"]
    serving = _serving(tuned)
    share = tuned.one_off["fine-tuning (GPU hours)"] / tuned.one_off_total
    peak = peak_tokens_per_second(
        queries_per_month, serving.tokens_per_query, serving.peak_to_average, serving.hours
    )
    currency = tuned.currency
    return {
        "lab10_hosted_sentence": break_even_sentence(row),
        "lab10_gpu": gpu,
        "lab10_hosted_training_share": f"{100 * share:.2g}%",
        "lab10_hosted_volume": format_volume(queries_per_month),
        "lab10_hosted_peak": f"{peak:,.3g}",
        "lab10_hosted_throughput": f"{serving.tokens_per_second:,.0f}",
        "lab10_hosted_replicas": replicas_text(serving.replicas(queries_per_month)),
        "lab10_hosted_monthly": f"{serving.monthly_cost(queries_per_month):,.0f} {currency}",
        "lab10_hosted_gpu_time": f"{queries_per_month * serving.gpu_time_cost_per_query:,.2f} {currency}",
        "lab10_hosted_capacity": format_volume(serving.queries_per_replica),
        "lab10_peak_to_average": f"{serving.peak_to_average:g}",
        "lab10_utilisation": f"{serving.utilisation:g}",
    }
