"""Lab 9 (benchmark): why each system's answers failed, by system and by clause category.

Every report of ``bench all`` carries a reason per answer (:mod:`domainllm.benchmark.failure_reasons`);
these helpers count them and draw the figure lab 9 shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.benchmark.failure_reasons import REASONS
from domainllm.benchmark.systems import SYSTEMS_BY_NAME

REASON_COLOURS = {
    "correct": "#2ca02c",
    "retrieval miss": "#d62728",
    "abstention": "#7f7f7f",
    "format failure": "#ff7f0e",
    "reading failure": "#1f77b4",
}


def reason_counts(results: Mapping[str, Mapping[str, Any]], splits: Sequence[str]) -> pd.DataFrame:
    """Systems x reasons: how many answers on ``splits`` fall under each reason."""
    rows = {}
    for name, by_split in results.items():
        counts = Counter(r for s in splits if s in by_split for r in by_split[s].get("failure_reasons", []))
        rows[SYSTEMS_BY_NAME[name].label] = {reason: counts.get(reason, 0) for reason in REASONS}
    return pd.DataFrame(rows).T


def wrong_by_category(
    results: Mapping[str, Mapping[str, Any]],
    splits: Sequence[str],
    categories: Mapping[str, str],
    question_ids: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """Clause categories x systems: the share of answers that are wrong (``categories`` maps question ids)."""
    table: dict[str, dict[str, float]] = {}
    for name, by_split in results.items():
        wrong: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for split in splits:
            reasons = by_split.get(split, {}).get("failure_reasons", [])
            for qid, reason in zip(question_ids.get(split, ()), reasons, strict=False):
                seen[categories[qid]] += 1
                wrong[categories[qid]] += reason != "correct"
        table[SYSTEMS_BY_NAME[name].label] = {c: wrong[c] / seen[c] for c in seen}
    return pd.DataFrame(table).sort_index()


def failure_figure(counts: pd.DataFrame, wrong_share: pd.DataFrame) -> Figure:
    """Left: each system's answers by reason (stacked); right: wrong share by category and system."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1, 1.3]})
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0, 1), axis=0)
    bottom = pd.Series(0.0, index=shares.index)
    for reason in REASONS:
        left.barh(shares.index, shares[reason], left=bottom, color=REASON_COLOURS[reason], label=reason)
        bottom += shares[reason]
    left.invert_yaxis()
    left.set_xlabel("share of answers")
    left.set_title("Why answers fail, by system")
    left.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.32), ncol=3)
    image = right.imshow(wrong_share.to_numpy(dtype=float), aspect="auto", cmap="Reds", vmin=0, vmax=1)
    right.set_yticks(range(len(wrong_share.index)), wrong_share.index, fontsize=7)
    right.set_xticks(
        range(len(wrong_share.columns)), wrong_share.columns, rotation=35, ha="right", fontsize=7
    )
    right.set_title("Share wrong, by clause category")
    fig.colorbar(image, ax=right, fraction=0.04)
    fig.tight_layout()
    return fig


def retrieval_miss_kinds(
    questions: Sequence[Any], retrieved: Sequence[Sequence[Any]], k: int
) -> Counter[str]:
    """Labs 2 and 7b: the retrieval misses at ``k`` split into "right contract, wrong section" (a
    passage of the evidence's document was retrieved, not the evidence) and "wrong contract"."""
    from domainllm.metrics.retrieval import is_relevant

    kinds: Counter[str] = Counter()
    for question, chunks in zip(questions, retrieved, strict=True):
        top = list(chunks)[:k]
        if not question.evidence or any(is_relevant(c, question.evidence) for c in top):
            continue
        documents = {e.doc_id for e in question.evidence}
        kinds[
            "right contract, wrong section" if any(c.doc_id in documents for c in top) else "wrong contract"
        ] += 1
    return kinds
