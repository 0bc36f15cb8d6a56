"""Lab 6 (synthetic data): the tables, charts and glued numbers of the lab's measurements.

The lab's cells generate, judge, de-duplicate and leak-check pairs with the library's functions
(:mod:`domainllm.finetune.synthetic_data` and the modules it names). These helpers group the
judge's decisions by the kind of pair whose truth is known (:func:`fact_check_groups`), plant the
leaks the leakage check must catch (:func:`planted_leaks`), and turn the results into the tables,
charts and ``{name: value}`` mappings the lab glues into its text, so each cell keeps the
technique in view instead of the formatting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.corpus.documents import Document
from domainllm.corpus.questions import load_questions
from domainllm.finetune.fact_checks import PROBE_KINDS, Probe, gold_correct
from domainllm.finetune.judge import METHODS, Agreement
from domainllm.finetune.leakage import LeakageReport, fresh_contract_ids
from domainllm.finetune.passages import Fact
from domainllm.finetune.qa_pairs import Duplicate, QAPair
from domainllm.finetune.synthetic_data import SOURCES
from domainllm.metrics.significance import floor_verdict
from domainllm.metrics.stats import Estimate
from domainllm.plots import bar_with_intervals
from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import contract_ids_in

LLM_CHECKED = "LLM pairs the facts can check"
ALL_CHECKED = "all of the above"
Decisions = tuple[list[bool], list[bool]]
"""``(kept, correct)``: the judge's keep decisions and the known truth, pair by pair."""


def fact_check_groups(
    probes: Sequence[Probe],
    probe_grades: Sequence[Any],
    llm_pairs: Sequence[QAPair],
    llm_grades: Sequence[Any],
    facts_in_chunks: Mapping[str, Sequence[Fact]],
) -> dict[str, Decisions]:
    """The judge's decisions and the truth, for every group of pairs whose truth is known.

    One group per probe kind (:data:`~domainllm.finetune.fact_checks.PROBE_KINDS`: true values,
    another contract's value, another value of the same passage), one of the LLM pairs the fact
    table can check (:func:`~domainllm.finetune.fact_checks.gold_correct` is not None; their
    passage's facts come from ``facts_in_chunks``) and :data:`ALL_CHECKED`, all of them together.
    ``probe_grades[i]`` and ``llm_grades[i]`` are the judge's grades of ``probes[i]`` and ``llm_pairs[i]``.
    """
    llm_gold = [gold_correct(p, facts_in_chunks.get(p.chunk_id, [])) for p in llm_pairs]
    groups = {
        kind: (
            [v.keep for p, v in zip(probes, probe_grades, strict=True) if p.kind == kind],
            [p.correct for p in probes if p.kind == kind],
        )
        for kind in PROBE_KINDS
    }
    groups[LLM_CHECKED] = (
        [v.keep for v, g in zip(llm_grades, llm_gold, strict=True) if g is not None],
        [g for g in llm_gold if g is not None],
    )
    groups[ALL_CHECKED] = (
        [k for kept, _ in groups.values() for k in kept],
        [c for _, correct in groups.values() for c in correct],
    )
    return groups


def agreement_table(groups: Mapping[str, Decisions], agreements: Mapping[str, Agreement]) -> pd.DataFrame:
    """One row per group: pairs, how many are right, how many the judge kept, and the agreement."""
    rows = {
        name: {
            "pairs": a.n,
            "right": sum(groups[name][1]),
            "kept": sum(groups[name][0]),
            "agreement with the facts": str(a.accuracy),
        }
        for name, a in agreements.items()
    }
    return pd.DataFrame(rows).T


def agreement_glue(groups: Mapping[str, Decisions], agreements: Mapping[str, Agreement]) -> dict[str, Any]:
    """The numbers lab 6's text pastes about the judge's agreement with the facts (``lab06_...``)."""
    values: dict[str, Any] = {}
    for tag, name in zip(("true", "other", "passage"), PROBE_KINDS, strict=True):
        values[f"lab06_agree_{tag}"] = f"{agreements[name].accuracy.mean:.0%}"
    overall = agreements[ALL_CHECKED]
    llm_check = agreements.get(LLM_CHECKED)
    values["lab06_agreement"] = str(overall.accuracy)
    values["lab06_agreement_n"] = overall.n
    values["lab06_llm_checked"] = len(groups[LLM_CHECKED][1])
    values["lab06_agree_llm"] = str(llm_check.accuracy) if llm_check else "undefined (none checkable)"
    values["lab06_llm_right"] = sum(groups[LLM_CHECKED][1])
    values["lab06_precision"] = str(overall.precision) if overall.precision else "undefined"
    values["lab06_wrong_kept"] = overall.confusion["wrong, kept"]
    return values


def win_rate_chart(win_rates: Mapping[str, Estimate], model_name: str) -> Figure:
    """Bars of each win rate of the true value with its interval, and a dashed line at chance (0.5)."""
    figure = bar_with_intervals(
        win_rates,
        title=f"Does {model_name} score the true value higher?",
        ylabel="win rate of the true value",
    )
    figure.axes[0].axvline(0.5, color="#777777", linestyle="--", linewidth=1)
    return figure


def win_rate_glue(win_rates: Mapping[str, Estimate]) -> dict[str, str]:
    """The verdict on the hardest wrong answers and every method's win rates (``lab06_win_...``).

    ``win_rates`` is keyed ``"<method>: <probe kind>"``, the method written with ``/`` for ``_``.
    """
    hard = win_rates.get(f"likelihood: {PROBE_KINDS[2]}")
    values = {"lab06_win_verdict": floor_verdict(hard, 0.5) if hard else "undefined (no such probes)"}
    for method in METHODS:
        for tag, kind in (("other", PROBE_KINDS[1]), ("passage", PROBE_KINDS[2])):
            estimate = win_rates.get(f"{method.replace('_', '/')}: {kind}")
            values[f"lab06_win_{method}_{tag}"] = str(estimate) if estimate else "undefined"
    return values


def duplicates_table(duplicates: Sequence[Duplicate]) -> pd.DataFrame | None:
    """Each dropped question, the earlier question it repeats and their similarity (None when none)."""
    if not duplicates:
        return None
    rows = [[d.dropped.question, d.kept.question, round(d.similarity, 2)] for d in duplicates]
    return pd.DataFrame(rows, columns=["dropped", "repeats", "similarity"])


def planted_leaks(clean: QAPair, documents: Sequence[Document], source: Any = None) -> list[QAPair]:
    """``clean`` followed by three pairs that leak, one of each kind the leakage check knows.

    1. the first ``test_paraphrase`` question, copied verbatim (``exact``);
    2. the same wording asked about another contract of the same type (``near``: the contract
       id is masked before comparing);
    3. a question about the first contract held out for ``test_fresh`` (``fresh contract``).

    The other contract is taken from ``documents`` (not an amendment, ``-A`` in its id).
    """
    test_question = load_questions("test_paraphrase", source)[0]
    tested_contract = contract_ids_in(test_question.question)[0]
    other_contract = next(
        d.id
        for d in documents
        if d.id[:3] == tested_contract[:3] and d.id != tested_contract and "-A" not in d.id
    )
    fresh_contract = sorted(fresh_contract_ids(source))[0]
    reworded = test_question.question.replace(tested_contract, other_contract)
    return [
        clean,
        QAPair(test_question.question, test_question.answer, tested_contract, "planted", "", ""),
        QAPair(reworded, "?", other_contract, "planted", "", ""),
        QAPair(
            f"In {fresh_contract}, what is the payment period?", "30 days", fresh_contract, "planted", "", ""
        ),
    ]


def leaks_table(report: LeakageReport) -> pd.DataFrame:
    """One row per leak: its kind, the training question, the test question and their similarity."""
    return pd.DataFrame(
        [
            {
                "kind": leak.kind,
                "training question": leak.question,
                "test question": leak.test_question,
                "similarity": round(leak.similarity, 2) if leak.test_id else None,
            }
            for leak in report.leaks
        ]
    )


def funnel_table(
    passages: Sequence[Chunk],
    templates: Sequence[QAPair],
    llm_pairs: Sequence[QAPair],
    grades: Sequence[Any],
    unique: Sequence[QAPair],
    final: Sequence[QAPair],
) -> pd.DataFrame:
    """Pairs left after each stage, by source (columns ``template`` and ``llm``).

    ``grades`` are the judge's grades of ``templates + llm_pairs`` in that order; the generator
    writes one output per passage, so ``len(passages)`` LLM pairs are written.
    """
    template_grades, llm_grades = grades[: len(templates)], grades[len(templates) :]
    stages = {
        "written": [len(templates), len(passages)],
        "well-formed": [len(templates), len(llm_pairs)],
        "kept by the judge": [sum(v.keep for v in template_grades), sum(v.keep for v in llm_grades)],
        "not repeated": [sum(p.source == s for p in unique) for s in SOURCES],
        "no leakage": [sum(p.source == s for p in final) for s in SOURCES],
    }
    return pd.DataFrame(stages, index=list(SOURCES)).T


def funnel_chart(funnel: pd.DataFrame) -> Figure:
    """Horizontal bars of :func:`funnel_table`, first stage on top."""
    figure, ax = plt.subplots(figsize=(6.5, 3.4))
    funnel[::-1].plot.barh(ax=ax, color=["#4C72B0", "#DD8452"])
    ax.set_xlabel("pairs")
    ax.set_title("From passages to training pairs")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    figure.tight_layout()
    return figure
