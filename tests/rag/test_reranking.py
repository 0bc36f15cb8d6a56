"""LLM reranker: scoring arithmetic, ordering, the retriever wrapper, and the real model once."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.rag.chunking import Chunk
from domainllm.rag.reranking import RerankingRetriever, log_prob_of, order_by_scores, relevance_messages


def _chunk(i: int, text: str = "x") -> Chunk:
    return Chunk(id=f"D:{i}", doc_id="D", start=10 * i, end=10 * i + len(text), text=text)


def test_log_prob_of_sums_probabilities_of_the_chosen_tokens() -> None:
    probs = np.array([[0.5, 0.2, 0.3], [0.1, 0.1, 0.8]])
    got = log_prob_of(np.log(probs), [1, 2])
    assert np.allclose(np.exp(got), [0.5, 0.9])


def test_order_by_scores_is_descending_and_stable() -> None:
    chunks = [_chunk(i) for i in range(4)]
    ordered = order_by_scores(chunks, [0.1, 0.9, 0.1, 0.5])
    assert [c.id for c in ordered] == ["D:1", "D:3", "D:0", "D:2"]


def test_fused_order_keeps_a_strong_first_retrieval_near_the_top() -> None:
    chunks = [_chunk(i) for i in range(3)]
    fused = order_by_scores(chunks, [0.0, 0.2, 1.0], fuse=True)
    assert fused[0].id in {"D:0", "D:2"} and len(fused) == 3


def test_order_by_scores_needs_one_score_per_chunk() -> None:
    with pytest.raises(ValueError, match="scores"):
        order_by_scores([_chunk(0)], [1.0, 2.0])


def test_relevance_prompt_holds_passage_and_question() -> None:
    messages = relevance_messages(" Which law? ", " Ohio law governs. ")
    assert messages[0]["role"] == "system"
    assert "Passage:\nOhio law governs." in messages[1]["content"]
    assert "Question: Which law?" in messages[1]["content"]


class _Base:
    name = "fake"

    def __init__(self) -> None:
        self.asked_k: list[int] = []

    def retrieve(self, questions, k=5, filter=None):
        self.asked_k.append(k)
        return [[_chunk(i, f"passage {i}") for i in range(k)] for _ in questions]


class _LongestIdWins:
    def score(self, question, chunks):
        return [float(int(c.id.split(":")[1])) for c in chunks]


def test_reranking_retriever_fetches_candidates_and_keeps_k() -> None:
    base = _Base()
    retriever = RerankingRetriever(base, _LongestIdWins(), candidates=6)
    found = retriever.retrieve(["q1", "q2"], k=2)
    assert base.asked_k == [6]
    assert [[c.id for c in row] for row in found] == [["D:5", "D:4"], ["D:5", "D:4"]]


def test_reranking_retriever_rejects_zero_candidates() -> None:
    with pytest.raises(ValueError, match="candidates"):
        RerankingRetriever(_Base(), _LongestIdWins(), candidates=0)


@pytest.mark.slow
def test_real_model_prefers_the_passage_that_answers() -> None:
    from domainllm.rag.reranking import LLMReranker
    from domainllm.runtime.models import load_generator

    reranker = LLMReranker(load_generator())
    question = "Which state's law governs the agreement?"
    good = _chunk(0, "This Agreement is governed by the laws of the State of Ohio.")
    bad = _chunk(1, "The Supplier shall deliver the Products to the plant in crates.")
    scores = reranker.score(question, [good, bad])
    assert all(s < 0 for s in scores)  # log-probabilities
    assert reranker.score(question, [good]) == scores[:1]  # cached, not recomputed
    assert reranker.forward_tokens > 0
