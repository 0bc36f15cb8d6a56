"""Lab 6's report helpers: groups of known truth, agreement and win-rate glue, planted leaks, the funnel."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from domainllm.finetune.fact_checks import PROBE_KINDS, Probe  # noqa: E402
from domainllm.finetune.judge import Grade, judge_agreement  # noqa: E402
from domainllm.finetune.leakage import leakage_report  # noqa: E402
from domainllm.finetune.qa_pairs import Duplicate, QAPair  # noqa: E402
from domainllm.finetune.synthetic_data_report import (  # noqa: E402
    ALL_CHECKED,
    LLM_CHECKED,
    agreement_glue,
    agreement_table,
    duplicates_table,
    fact_check_groups,
    funnel_chart,
    funnel_table,
    leaks_table,
    planted_leaks,
    win_rate_chart,
    win_rate_glue,
)
from domainllm.metrics.stats import Estimate  # noqa: E402
from tests.finetune.test_synthetic_data import corpus  # noqa: E402, F401  (the tiny corpus fixture)

KEEP, REJECT = Grade(1.0, "keep", "supported"), Grade(0.0, "reject", "not in the passage")


def pair(question: str = "What is the payment period of SUP-00001?", answer: str = "90 days", **kw) -> QAPair:
    fields = {
        "doc_id": "SUP-00001",
        "source": "template",
        "evidence": "pay within ninety days",
        "chunk_id": "c1",
    }
    return QAPair(question, answer, **(fields | kw))


def test_fact_check_groups_pair_decisions_with_truth_per_kind_and_in_total() -> None:
    probes = [Probe(pair(), PROBE_KINDS[0], True), Probe(pair(answer="45 days"), PROBE_KINDS[1], False)]
    probes.append(Probe(pair(answer="Ohio"), PROBE_KINDS[2], False))
    fact = {"id": "f1", "category": "payment_terms", "value": "90 days", "aliases": []}
    llm = [
        pair("How long does the buyer have to pay under SUP-00001?", "90 days", source="llm", fact_id=None),
        pair("Who wrote SUP-00001?", "a lawyer", source="llm", fact_id=None),  # the facts cannot tell
    ]
    groups = fact_check_groups(probes, [KEEP, KEEP, REJECT], llm, [KEEP, REJECT], {"c1": [fact]})
    assert groups[PROBE_KINDS[0]] == ([True], [True])
    assert groups[PROBE_KINDS[1]] == ([True], [False])
    assert groups[PROBE_KINDS[2]] == ([False], [False])
    assert groups[LLM_CHECKED] == ([True], [True])  # the unanswerable question is left out
    assert groups[ALL_CHECKED] == ([True, True, False, True], [True, False, False, True])

    agreements = {name: judge_agreement(kept, correct) for name, (kept, correct) in groups.items()}
    table = agreement_table(groups, agreements)
    assert list(table.columns) == ["pairs", "right", "kept", "agreement with the facts"]
    assert table.loc[ALL_CHECKED, "pairs"] == 4 and table.loc[ALL_CHECKED, "right"] == 2
    values = agreement_glue(groups, agreements)
    assert values["lab06_agree_true"] == "100%" and values["lab06_agree_other"] == "0%"
    assert (
        values["lab06_agreement_n"] == 4
        and values["lab06_llm_checked"] == 1
        and values["lab06_llm_right"] == 1
    )
    assert values["lab06_wrong_kept"] == 1 and values["lab06_agreement"] == str(
        agreements[ALL_CHECKED].accuracy
    )


def test_agreement_glue_says_when_no_llm_pair_can_be_checked() -> None:
    groups = {kind: ([True], [True]) for kind in PROBE_KINDS} | {
        LLM_CHECKED: ([], []),
        ALL_CHECKED: ([True], [True]),
    }
    agreements = {name: judge_agreement(k, c) for name, (k, c) in groups.items() if k}
    assert agreement_glue(groups, agreements)["lab06_agree_llm"] == "undefined (none checkable)"


def test_win_rate_glue_and_chart() -> None:
    chance = Estimate(0.5, 0.2, 0.8, 9)
    rates = {
        f"likelihood: {PROBE_KINDS[1]}": Estimate(0.9, 0.7, 1.0, 9),
        f"likelihood: {PROBE_KINDS[2]}": chance,
    }
    values = win_rate_glue(rates)
    assert values["lab06_win_verdict"].startswith("not distinguishable from 0.50 at n = ")
    assert values["lab06_win_likelihood_other"] == str(rates[f"likelihood: {PROBE_KINDS[1]}"])
    assert values["lab06_win_yes_no_passage"] == "undefined"
    rates[f"likelihood: {PROBE_KINDS[2]}"] = Estimate(0.8, 0.6, 1.0, 9)
    assert win_rate_glue(rates)["lab06_win_verdict"].startswith("above 0.50")
    figure = win_rate_chart(rates, "tiny")
    assert "tiny" in figure.axes[0].get_title()
    plt.close(figure)


def test_duplicates_table_is_none_without_duplicates() -> None:
    assert duplicates_table([]) is None
    table = duplicates_table([Duplicate(pair("Q2?"), pair("Q1?"), 0.8333)])
    assert table.values.tolist() == [["Q2?", "Q1?", 0.83]]


def test_planted_leaks_are_each_caught(corpus: Path) -> None:  # noqa: F811
    clean = pair("Which law governs SUP-00001?", "Ohio")
    planted = planted_leaks(
        clean, [SimpleNamespace(id="SUP-00001-A1"), SimpleNamespace(id="SUP-00002")], corpus
    )
    assert planted[0] == clean and planted[2].doc_id == "SUP-00002"
    caught = leakage_report(planted, source=corpus, raise_on_leak=False)
    assert [leak.index for leak in caught.leaks] == [1, 2, 3]
    assert [leak.kind for leak in caught.leaks] == ["exact", "near", "fresh contract"]
    table = leaks_table(caught)
    assert table["kind"].tolist() == ["exact", "near", "fresh contract"]
    assert table["similarity"].isna().tolist() == [False, False, True]


def test_funnel_counts_pairs_left_after_each_stage() -> None:
    templates = [pair("A?"), pair("B?")]
    llm = [pair("C?", source="llm")]
    final = [templates[0], llm[0]]
    funnel = funnel_table(["p1", "p2", "p3"], templates, llm, [KEEP, REJECT, KEEP], [*templates, *llm], final)
    assert funnel.loc["written"].tolist() == [2, 3]
    assert funnel.loc["well-formed"].tolist() == [2, 1]
    assert funnel.loc["kept by the judge"].tolist() == [1, 1]
    assert funnel.loc["no leakage"].tolist() == [1, 1]
    figure = funnel_chart(funnel)
    assert figure.axes[0].get_xlabel() == "pairs"
    plt.close(figure)
