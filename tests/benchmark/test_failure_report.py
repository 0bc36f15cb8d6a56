"""Lab 9's failure figure and lab 4b's CUAD numbers, from small hand-made reports."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from domainllm.benchmark.comparisons import comparisons  # noqa: E402
from domainllm.benchmark.failure_report import failure_figure, reason_counts, wrong_by_category  # noqa: E402
from domainllm.benchmark.reading_lab import cuad_glue  # noqa: E402

RESULTS = {
    "closed_book": {
        "test_fresh": {"failure_reasons": ["retrieval miss", "retrieval miss", "correct"],
                       "per_question": {"accuracy": [0.0, 0.0, 1.0]}},
    },
    "compressed_rag": {
        "test_fresh": {"failure_reasons": ["correct", "reading failure", "correct"],
                       "per_question": {"accuracy": [1.0, 0.0, 1.0]}},
    },
}  # fmt: skip
IDS = {"test_fresh": ["q1", "q2", "q3"]}
CATEGORIES = {"q1": "governing_law", "q2": "cap_on_liability", "q3": "governing_law"}


def test_reasons_are_counted_per_system_and_wrong_shares_per_category() -> None:
    counts = reason_counts(RESULTS, ["test_fresh"])
    assert counts.loc["Base model, closed-book", "retrieval miss"] == 2
    assert (
        counts.loc["Advanced RAG (compressed)", "reading failure"] == 1
        and counts.loc["Advanced RAG (compressed)", "correct"] == 2
    )
    wrong = wrong_by_category(RESULTS, ["test_fresh"], CATEGORIES, IDS)
    assert wrong.loc["governing_law", "Base model, closed-book"] == 0.5
    assert wrong.loc["cap_on_liability", "Advanced RAG (compressed)"] == 1.0
    figure = failure_figure(counts, wrong)
    assert [ax.get_title() for ax in figure.axes[:2]] == [
        "Why answers fail, by system",
        "Share wrong, by clause category",
    ]
    plt.close(figure)


def test_comparisons_carry_the_verdict_and_skip_train() -> None:
    results = {name: {**splits, "train": splits["test_fresh"]} for name, splits in RESULTS.items()}
    rows = comparisons(results)
    assert [(r["a"], r["b"], r["split"]) for r in rows] == [("closed_book", "compressed_rag", "test_fresh")]
    assert rows[0]["verdict"] == "not distinguishable" and rows[0]["test"] == "McNemar"
    assert rows[0]["verdict_text"].startswith("not distinguishable at n = 3")


def test_cuad_glue_says_not_measured_without_a_sample() -> None:
    values = cuad_glue({})
    assert values["lab04b_cuad_n"] == 0
    assert values["lab04b_cuad_verdict"] == "not measured (no CUAD sample)"
    metric = {"mean": 0.5, "low": 0.4, "high": 0.6, "n": 2}
    report = {
        "metrics": {m: metric for m in ("token_recall", "rouge_l_recall", "span_f1", "answer_chars")},
        "per_question": {"token_recall": [0.2, 0.4]},
        "readings": [1, 2],
    }
    better = {**report, "per_question": {"token_recall": [0.6, 0.9]}}
    values = cuad_glue({"one sentence (told the contract)": report, "clause": better})
    assert values["lab04b_cuad_clause_token_recall"] == "0.50 [0.40, 0.60]" and values["lab04b_cuad_n"] == 2
    assert values["lab04b_cuad_verdict"].startswith("better (+0.45")


def test_retrieval_misses_split_into_right_contract_and_wrong_contract() -> None:
    from domainllm.benchmark.failure_report import retrieval_miss_kinds
    from domainllm.corpus.records import Evidence, Question
    from domainllm.rag.chunking import Chunk

    def question(doc: str) -> Question:
        return Question("q", "?", "30 days", (), (Evidence(doc, 100, 140),), "c", "dev", "t")

    gold = Chunk("A:s:1", "A", 90, 200, "x" * 110)
    same_contract = Chunk("A:s:2", "A", 300, 400, "y" * 100)
    other = Chunk("B:s:1", "B", 0, 50, "z" * 50)
    kinds = retrieval_miss_kinds(
        [question("A"), question("A"), question("A")], [[gold], [same_contract, other], [other]], k=2
    )
    assert kinds == {"right contract, wrong section": 1, "wrong contract": 1}


def test_the_cuad_sample_falls_back_to_the_shipped_fixture(tmp_path, monkeypatch) -> None:
    from domainllm.benchmark import reading_lab

    repo = tmp_path / "repo"
    (repo / "tests" / "fixtures").mkdir(parents=True)
    fixture = repo / "tests" / "fixtures" / "cuad_three.json"
    fixture.write_text('{"data": []}')
    monkeypatch.setattr(reading_lab, "REPO_ROOT", repo)
    monkeypatch.delenv(reading_lab.CUAD_SAMPLE_ENV, raising=False)
    assert reading_lab.cuad_sample() == fixture
    shared = tmp_path / "shared" / "cuad-dev" / "CUAD_dev.json"
    shared.parent.mkdir(parents=True)
    shared.write_text('{"data": []}')
    assert reading_lab.cuad_sample() == shared  # the development sample beside the repository first
