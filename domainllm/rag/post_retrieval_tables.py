"""Lab 4 (post-retrieval): the chart, tables and numbers that report its variants.

The lab builds the variants (rerank, compress, reorder, de-duplicate, cite, check, defend) in
its own cells; these helpers only measure and lay out what they did: the compression chart
(:func:`compression_figure`), the de-duplication table (:func:`dedup_table`), how often answers
cite a passage and whether the cited passage holds the evidence (:func:`citation_report`), and
the best variant against naive RAG (:func:`best_variant_numbers`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.corpus.records import Question
from domainllm.metrics.stats import Estimate, bootstrap_ci, paired_bootstrap
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import any_citations, citation_correct, resolve_citations
from domainllm.rag.lab_tables import report_estimate


def compression_figure(points: Mapping[str, tuple[Estimate, float]], naive: Estimate) -> Figure:
    """Token F1 (95% interval) against the share of passage tokens removed, one point per setting.

    ``points`` maps a label to (F1 estimate, share saved); ``naive`` is drawn as a dashed line.
    """
    figure, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, (label, (e, saved)) in enumerate(points.items()):
        ax.errorbar(
            100 * saved,
            e.mean,
            yerr=[[e.mean - e.low], [e.high - e.mean]],
            fmt="o",
            capsize=4,
            color=plt.cm.tab10(i),
            label=label,
        )
    ax.axhline(naive.mean, color="#777777", linestyle="--", linewidth=1, label="naive RAG")
    ax.set_xlabel("passage tokens saved (%)")
    ax.set_ylabel("token F1")
    ax.set_title("Compression: tokens saved against answer quality")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9)
    figure.tight_layout()
    return figure


def dedup_table(
    share_with_overlap: float, saved: float, before: Estimate, after: Estimate, k: int
) -> pd.DataFrame:
    """One row: the share of questions whose top k overlapped, tokens saved, recall@k before and after."""
    return pd.DataFrame(
        {
            f"questions whose top {k} had overlapping windows": [f"{100 * share_with_overlap:.0f}%"],
            "passage tokens saved": [f"{100 * saved:.0f}%"],
            f"recall@{k} before": [f"{before.mean:.3f}"],
            f"recall@{k} after": [f"{after.mean:.3f}"],
        }
    )


@dataclass(frozen=True)
class CitationReport:
    """Per-answer citations and three rates with 95% intervals.

    ``cite_rate``: answers citing a passage by number or clause; ``bracket_rate``: answers with
    a ``[n]`` pointing at a passage; ``accuracy``: of the answers whose citation can be checked,
    the share whose cited passage holds the evidence (None when no answer can be checked).
    """

    table: pd.DataFrame
    cite_rate: Estimate
    bracket_rate: Estimate
    accuracy: Estimate | None


def citation_report(
    questions: Sequence[Question], answers: Sequence[str], passages: Sequence[Sequence[Chunk]]
) -> CitationReport:
    """Resolve and check the citations of each answer against the passages it was given."""
    rows, checked = [], []
    for question, answer, found in zip(questions, answers, passages, strict=True):
        cites = any_citations(answer, found)
        ok = citation_correct(answer, found, question.evidence)
        if ok is not None:
            checked.append(ok)
        rows.append(
            {
                "answer": answer,
                "gold": question.answer,
                "cites": "; ".join(f"[{c.number}] {c.doc_id}, {c.section}" for c in cites) or "-",
                "cited passage has evidence": ok,
            }
        )
    pairs = list(zip(answers, passages, strict=True))
    return CitationReport(
        pd.DataFrame(rows),
        bootstrap_ci([float(bool(any_citations(a, f))) for a, f in pairs]),
        bootstrap_ci([float(bool(resolve_citations(a, f))) for a, f in pairs]),
        bootstrap_ci(checked) if checked else None,
    )


def best_variant_numbers(
    reports: Mapping[str, Mapping[str, Any]], baseline: str = "naive_rag", target: float = 1.3
) -> dict[str, Any]:
    """The variant with the highest token F1 against ``baseline`` (naive RAG), as the lab glues it.

    Keys: ``best``, its F1 and contains, naive RAG's F1, their ratio and whether it ``target`` s
    the 1.3x goal, the paired difference and whether its interval excludes zero, and the
    prompt tokens of both.
    """
    best = max((name for name in reports if name != baseline), key=lambda n: report_estimate(reports[n]).mean)
    ratio = report_estimate(reports[best]).mean / max(report_estimate(reports[baseline]).mean, 1e-9)
    diff = paired_bootstrap(reports[baseline]["per_question"]["f1"], reports[best]["per_question"]["f1"])
    return {
        "best": best,
        "best_f1": str(report_estimate(reports[best])),
        "naive_f1": str(report_estimate(reports[baseline])),
        "ratio": f"{ratio:.2f}",
        "target": "meets" if ratio >= target else "misses",
        "best_diff": str(diff),
        "best_zero": "excludes" if diff.significant else "includes",
        "best_contains": str(report_estimate(reports[best], "contains")),
        "prompt_naive": f"{reports[baseline]['prompt_tokens']:.0f}",
        "prompt_best": f"{reports[best]['prompt_tokens']:.0f}",
    }
