"""Lab 2's helpers (rag.pre_retrieval_tables): the contract subset and the comparison tables."""

from __future__ import annotations

from domainllm.corpus.records import Document, Question
from domainllm.metrics.stats import Estimate
from domainllm.rag.pre_retrieval_tables import contract_subset, recall_summary_table, transform_table

TEXT = "# 1. Term\nThis agreement lasts two years.\n\n# 2. Governing Law\nOhio law governs.\n"


def _doc(doc_id: str) -> Document:
    return Document(doc_id, doc_id, "supply", ("A", "B"), "2020-01-01", TEXT)


def _question(qid: str, contract: str) -> Question:
    return Question(qid, f"How long does {contract} last?", "two years", (), (), "term", "t", "T")


def test_contract_subset_keeps_the_first_contracts_asked_about_and_their_amendments() -> None:
    documents = [_doc("SUP-00001"), _doc("SUP-00001-A1"), _doc("SUP-00002"), _doc("LIC-00003")]
    questions = [_question("q1", "SUP-00002"), _question("q2", "SUP-00001"), _question("q3", "LIC-00003")]
    subset = contract_subset(questions[:2], questions, documents, n=1)
    assert subset.contracts == ["SUP-00002"]
    assert [d.id for d in subset.documents] == ["SUP-00002"]
    assert [q.id for q in subset.questions] == ["q1"]
    assert {c.doc_id for c in subset.chunks} == {"SUP-00002"} and len(subset.chunks) >= 2
    both = contract_subset(questions, questions, documents, n=2)
    assert both.contracts == ["SUP-00002", "SUP-00001"]
    assert [d.id for d in both.documents] == ["SUP-00001", "SUP-00001-A1", "SUP-00002"]


def test_transform_table_compares_with_the_baseline_on_the_same_questions() -> None:
    scores = {
        "question as asked": {"recall@k": [1.0, 1.0, 0.0, 1.0]},
        "HyDE alone": {"recall@k": [0.0, 1.0, 0.0, 1.0]},
    }
    table = transform_table(scores, "question as asked", 5)
    assert list(table.columns) == ["recall@5", "minus question as asked"]
    assert table.loc["question as asked", "minus question as asked"].startswith("+0.000")
    assert table.loc["HyDE alone", "minus question as asked"].startswith("-0.250")
    assert table.loc["HyDE alone", "recall@5"].startswith("0.500 [")


def test_recall_summary_table_shows_naive_rag_on_the_same_questions() -> None:
    summary = {
        "hybrid": ("all", Estimate(0.8, 0.7, 0.9, 200)),
        "HyDE": ("sample", Estimate(0.9, 0.8, 1.0, 12)),
    }
    naive_on = {"all": Estimate(0.2, 0.1, 0.3, 200), "sample": Estimate(0.25, 0.0, 0.5, 12)}
    table = recall_summary_table(summary, naive_on, 5)
    assert list(table.columns) == ["questions", "n", "recall@5", "naive, same questions"]
    assert table.loc["HyDE", "naive, same questions"] == "0.250 [0.000, 0.500]"
    assert table.loc["hybrid", "n"] == 200
