"""Lab 4b's reading targets and failure reasons, on hand-made results."""

from __future__ import annotations

from domainllm.benchmark.reading_lab import miss_reason
from domainllm.benchmark.reading_targets import gold_chars, reading_targets
from domainllm.corpus.records import Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.readers import Reading


def _metric(mean: float, n: int = 64) -> dict[str, float]:
    return {"mean": mean, "low": mean - 0.05, "high": mean + 0.05, "n": n}


def _pipeline(accuracy: float, per_question: list[float], recall: float | None = None) -> dict:
    report = {
        "metrics": {"accuracy": _metric(accuracy), "answer_chars": _metric(20)},
        "per_question": {"accuracy": per_question},
    }
    if recall is not None:
        report["retrieval_at_target_k"] = {"metrics": {"recall@k": _metric(recall)}}
    return report


def test_value_targets_met_and_missed() -> None:
    result = {
        "split": "test_fresh",
        "pipelines": {
            "closed_book": _pipeline(0.0, [0.0] * 10),
            "naive_rag": _pipeline(0.3, [1.0] * 3 + [0.0] * 7, recall=0.6),
            "extractive_rag": _pipeline(0.8, [1.0] * 8 + [0.0] * 2, recall=0.9),
        },
    }
    best, loss, naive = reading_targets(result)
    assert best.ok and "extractive_rag" in best.measured
    assert loss.ok and "+0.100" in loss.measured
    assert naive.ok
    result["pipelines"]["extractive_rag"] = _pipeline(0.6, [1.0] * 6 + [0.0] * 4, recall=0.95)
    best, loss, _ = reading_targets(result)
    assert best.ok is False and loss.ok is False and best.note


def test_clause_target_uses_the_longest_allowed_answers() -> None:
    long = {
        "metrics": {
            m: _metric(v)
            for m, v in (
                ("token_recall", 0.9),
                ("rouge_l_recall", 0.9),
                ("span_f1", 0.1),
                ("answer_chars", 900),
            )
        }
    }
    short = {
        "metrics": {
            m: _metric(v)
            for m, v in (
                ("token_recall", 0.52),
                ("rouge_l_recall", 0.58),
                ("span_f1", 0.2),
                ("answer_chars", 370),
            )
        }
    }
    (verdict,) = reading_targets(
        {"split": "test_paraphrase", "gold_chars": 385.0, "pipelines": {"long": long, "short": short}}
    )
    assert verdict.ok and verdict.measured.startswith("short")  # the long answers may not count
    (verdict,) = reading_targets(
        {"split": "test_paraphrase", "gold_chars": 385.0, "pipelines": {"long": long}}
    )
    assert verdict.ok is False


def test_gold_chars_joins_every_highlight_of_a_clause_question() -> None:
    clause = Question("c", "q", "ab", ("cde",), (), "x", "s", "t", form="clause")
    value = Question("v", "q", "30 days", (), (), "x", "s", "t")
    assert gold_chars([clause, value]) == len("ab cde") and gold_chars([value]) is None


def test_every_wrong_answer_gets_one_reason() -> None:
    question = Question("q", "When?", "30 days", (), (Evidence("D", 100, 150),), "x", "s", "t")
    hit, miss = Chunk("D:0", "D", 90, 200, "x" * 110), Chunk("E:0", "E", 0, 50, "y" * 50)
    assert miss_reason(question, [hit], Reading("30 days")) == "correct"
    assert miss_reason(question, [miss], Reading("60 days")) == "retrieval miss"
    assert miss_reason(question, [hit], Reading("not in the context")) == "abstention"
    assert (
        miss_reason(
            question, [hit], Reading("The Buyer pays invoices within 30 days of the invoice date by wire")
        )
        == "format failure"
    )
    assert miss_reason(question, [hit], Reading("60 days")) == "reading failure"
    clause = Question("c", "Which law?", "x", (), (Evidence("D", 100, 150),), "x", "s", "t", form="clause")
    assert miss_reason(clause, [hit], Reading("...", (Evidence("D", 100, 150),))) == "correct"
    assert miss_reason(clause, [hit], Reading("...", (Evidence("D", 0, 1000),))) == "format failure"
