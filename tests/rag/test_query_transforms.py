"""Query transformations: parsing model output, guarding contract ids, fusing the rankings."""

from __future__ import annotations

import pytest

from domainllm.rag.chunking import Chunk
from domainllm.rag.query_transforms import (
    TransformedRetriever,
    check_questions,
    clean_line,
    decompose_questions,
    doc_type_filter,
    doc_types_in,
    fix_query,
    hyde_passages,
    lookup,
    multi_queries,
    parse_list,
    restore_terms,
    rewrite_queries,
)
from domainllm.runtime.generation import Completion

QUESTION = "What is the notice period under the supply agreement SUP-00001 with Halberd Logistics?"


class FakeGenerator:
    """Answers every conversation with the same text and records what it was sent."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.sent: list = []

    def chat(self, conversations, system=None, max_new_tokens=48, batch_size=8, progress=None):
        self.sent.extend(conversations)
        return [Completion(self.reply, 10, 5) for _ in conversations]


def _chunk(name: str) -> Chunk:
    return Chunk(id=name, doc_id=name.split(":")[0], start=0, end=1, text=name)


class FakeRetriever:
    """Returns a fixed ranking per query and records the filters it was given."""

    name = "fake"

    def __init__(self, rankings: dict[str, list[str]]) -> None:
        self.rankings = rankings
        self.calls: list[tuple[list[str], str | None]] = []

    def retrieve(self, questions, k=5, filter=None):
        self.calls.append((list(questions), filter))
        return [[_chunk(c) for c in self.rankings.get(q, [])][:k] for q in questions]


def test_clean_line_and_parse_list_remove_markers_duplicates_and_short_lines() -> None:
    assert clean_line('  2) "When does it end?" ') == "When does it end?"
    assert clean_line("1. Query: SUP-00001 notice") == "SUP-00001 notice"
    assert clean_line("Ohio law applies.") == "Ohio law applies."
    text = "1. First question?\n- first question?\n\n* ok\n3. Third one?\n4. Fourth?"
    assert parse_list(text) == ["First question?", "Third one?", "Fourth?"]
    assert parse_list(text, limit=2) == ["First question?", "Third one?"]


def test_fix_query_drops_example_names_and_restores_contract_ids() -> None:
    assert fix_query("SRV-00099 Acme Tools notice period", QUESTION) == "notice period SUP-00001"
    assert fix_query("SUP-00001 notice", QUESTION) == "SUP-00001 notice"
    assert fix_query("SRV-00099", QUESTION) == ""
    assert restore_terms("abc", ["X", "abc"]) == "abc X"


def test_rewrite_falls_back_to_the_question_when_nothing_usable_comes_back() -> None:
    assert rewrite_queries([QUESTION], FakeGenerator("   ")) == [QUESTION]
    generator = FakeGenerator("Rewritten query: supply agreement notice period\nextra line")
    assert rewrite_queries([QUESTION], generator) == ["supply agreement notice period SUP-00001"]
    roles = [m["role"] for m in generator.sent[0]]
    assert roles == ["system", "user", "assistant", "user"]  # the worked example comes first
    assert generator.sent[0][-1]["content"] == QUESTION


def test_hyde_returns_one_passage_per_question() -> None:
    passages = hyde_passages(
        [QUESTION, "Which law governs NDA-00002?"], FakeGenerator("12.1 Either party\n may terminate.")
    )
    assert passages == [
        "12.1 Either party may terminate. SUP-00001",
        "12.1 Either party may terminate. NDA-00002",
    ]


def test_decomposition_and_multi_query_return_lists_of_at_most_n() -> None:
    reply = f"1. Which section covers notice in SUP-00001?\n2. {QUESTION}\n3. How many days of notice?"
    assert decompose_questions([QUESTION], FakeGenerator(reply), n=2) == [
        ["Which section covers notice in SUP-00001?", QUESTION]
    ]
    assert multi_queries([QUESTION], FakeGenerator(reply), n=3) == [
        ["Which section covers notice in SUP-00001?", "How many days of notice? SUP-00001"]
    ]
    assert multi_queries([QUESTION], FakeGenerator("nothing"), n=2) == [["nothing SUP-00001"]]
    with pytest.raises(ValueError, match="n must be a positive integer"):
        multi_queries([QUESTION], FakeGenerator(reply), n=0)


def test_empty_question_raises_and_long_question_warns() -> None:
    generator = FakeGenerator("x")
    for transform in (rewrite_queries, hyde_passages, decompose_questions, multi_queries):
        with pytest.raises(ValueError, match="empty question at position 1"):
            transform([QUESTION, "  "], generator)
    with pytest.raises(TypeError, match="not a single string"):
        rewrite_queries(QUESTION, generator)
    with pytest.warns(UserWarning, match="is 1,500 characters long"):
        check_questions(["a" * 1500])
    assert rewrite_queries([], generator) == []


def test_transformed_retriever_fuses_original_and_transformed_rankings() -> None:
    base = FakeRetriever({"q": ["A:1", "B:1", "C:1"], "t1": ["B:1", "C:1"], "t2": ["C:1", "B:1"]})
    retriever = TransformedRetriever(base, lookup({"q": ["t1", "t2"]}), name="multi")
    assert retriever.query_lists(["q"]) == [["q", "t1", "t2"]]
    assert [c.id for c in retriever.retrieve(["q"], k=2)[0]] == ["B:1", "C:1"]
    alone = TransformedRetriever(base, lookup({"q": "t1"}), keep_original=False)
    assert [c.id for c in alone.retrieve(["q"], k=5)[0]] == ["B:1", "C:1"]
    empty = TransformedRetriever(base, lookup({"q": []}), keep_original=False)
    assert empty.query_lists(["q"]) == [["q"]]  # nothing transformed: search the question itself
    assert len(base.calls) == 2 and base.calls[0] == (["q", "t1", "t2"], None)


def test_transformed_retriever_filters_by_the_original_question() -> None:
    base = FakeRetriever({})
    retriever = TransformedRetriever(
        base, lookup({QUESTION: "lost the id"}), filter_of=lambda q: "doc_id == 'SUP'" if "SUP" in q else None
    )
    retriever.retrieve([QUESTION], k=3, filter="doc_type == 'supply'")
    assert base.calls == [([QUESTION, "lost the id"], "(doc_id == 'SUP') and (doc_type == 'supply')")]
    with pytest.raises(ValueError, match="empty question"):
        retriever.retrieve([""], k=3)
    with pytest.raises(KeyError):
        retriever.retrieve(["unknown question"], k=3)


def test_doc_type_filter_reads_the_contract_type_and_keeps_amendments() -> None:
    assert doc_types_in(QUESTION) == ["supply"]
    assert doc_types_in("Which law governs the mutual non-disclosure agreement NDA-00002?") == ["nda"]
    assert doc_type_filter(QUESTION) == 'doc_type in ["supply", "amendment"]'
    assert doc_type_filter(QUESTION, include_amendments=False) == 'doc_type in ["supply"]'
    assert doc_type_filter("What is the notice period?") is None
    assert doc_types_in("Is the licensed product covered?") == []  # whole phrases only


@pytest.mark.slow
def test_real_generator_rewrites_and_keeps_the_contract_id() -> None:
    from domainllm.runtime.models import load_generator

    [query] = rewrite_queries([QUESTION], load_generator())
    assert query.strip() and "SUP-00001" in query and "SRV-00099" not in query
