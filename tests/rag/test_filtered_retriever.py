"""FilteredRetriever: one filter per question, combined with a caller's filter."""

from __future__ import annotations

from domainllm.rag.contract_context import contract_filter
from domainllm.rag.retrievers import FilteredRetriever


class RecordingRetriever:
    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], int, str | None]] = []

    def retrieve(self, questions, k=5, filter=None):
        self.calls.append((list(questions), k, filter))
        return [[] for _ in questions]


def test_each_question_gets_its_own_contract_filter() -> None:
    base = RecordingRetriever()
    retriever = FilteredRetriever(base, contract_filter)
    assert retriever.retrieve(["Term of SUP-00001?", "Any NDA?"], k=3, filter='doc_type == "nda"') == [[], []]
    assert base.calls == [
        (["Term of SUP-00001?"], 3, '(doc_id like "SUP-00001%") and (doc_type == "nda")'),
        (["Any NDA?"], 3, 'doc_type == "nda"'),
    ]
    assert retriever.name == "recording+filter"
