"""Query plans, map-reduce answers, graph-RAG context and the scoring of multi-document answers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domainllm.corpus.questions import Question
from domainllm.graph.entity_linking import EntityLinker
from domainllm.graph.graph_rag import GraphRAG
from domainllm.graph.knowledge_graph import build_graph
from domainllm.graph.multidoc import (
    NO_SUCH_CONTRACT,
    NO_SUCH_PARTY,
    MapReduceAnalyst,
    answer_items,
    plan_question,
    score_multidoc,
)
from domainllm.graph.triple_extraction import PatternExtractor
from tests.graph.kg_fixtures import portfolio


@pytest.fixture(scope="module")
def world():
    documents = portfolio()
    extractor = PatternExtractor()
    graph = build_graph(extractor.extract_all(documents))
    linker = EntityLinker(graph)
    return documents, graph, linker, MapReduceAnalyst(documents, linker, extractor.extract)


def test_plans(world) -> None:
    linker = world[2]
    count = plan_question("How many of Kestrel's Supply Agreements are governed by the law of Ohio?", linker)
    assert (count.intent, count.contract_type, count.filters) == (
        "count",
        "Supply Agreement",
        (("governing_law", "Ohio"),),
    )
    listed = plan_question("Which agreements has Kestrel signed with Halberd Logistics?", linker)
    assert (listed.intent, listed.filters) == ("list", (("parties", "Halberd Logistics GmbH"),))
    compare = plan_question("Which agreement has the shorter payment period: SUP-00001 or DIS-00003?", linker)
    assert (compare.intent, compare.category, compare.direction) == ("compare", "payment_terms", "min")
    lookup = plan_question(
        "What is the liability cap of the supply agreement SUP-00002 with Halberd Logistics now?", linker
    )
    assert (lookup.intent, lookup.category, lookup.contracts, lookup.filters) == (
        "lookup",
        "cap_on_liability",
        ("SUP-00002",),
        (),
    )


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Which of Kestrel's Supply Agreements are governed by the law of Ohio?", "SUP-00001"),
        ("Which agreements are governed by the law of Ohio?", "DIS-00003; SUP-00001"),
        ("How many agreements has Kestrel signed with Halberd Logistics GmbH?", "2"),
        ("How many of Kestrel's Distribution Agreements are governed by the law of Texas?", "0"),
        ("Which agreement has the longer payment period: SUP-00001 or DIS-00003?", "SUP-00001"),
        ("Which agreement has the shorter payment period: SUP-00001 or DIS-00003?", "DIS-00003"),
        ("Which agreement has the higher cap on liability: SUP-00002 or DIS-00003?", "DIS-00003"),
        ("Which agreement has the longer confidentiality period: SUP-00001 or SUP-00002?", "SUP-00001"),
        (
            "Taking every amendment into account, what is the confidentiality period of SUP-00001 now?",
            "7 years",
        ),
        ("What is the payment period of SUP-00002?", "30 days"),
        ("Which agreements has Kestrel signed with Bramblewood Pumps Ltd?", NO_SUCH_PARTY),
        ("What is the liability cap of SUP-09999?", NO_SUCH_CONTRACT),
    ],
)
def test_map_reduce_answers(world, question: str, answer: str) -> None:
    assert world[3].answer(question).answer == answer


def test_map_reduce_cites_every_contract_it_used(world) -> None:
    documents = {d.id: d for d in world[0]}
    result = world[3].answer("Which agreements are governed by the law of Ohio?")
    assert result.cited_documents() == ["DIS-00003", "SUP-00001"] and result.checked == 3
    for doc_id, start, end in result.citations:
        assert "Ohio" in documents[doc_id].text[start:end]
    amended = world[3].answer("What is the confidentiality period of SUP-00001 now?")
    assert amended.cited_documents() == ["SUP-00001-A1"]


def question(kind: str, answer: str, answers: tuple[str, ...] = (), category: str = "parties") -> Question:
    return Question("q", "?", answer, (), (), category, "test_multidoc", "t", kind, answers)


def test_scoring_each_kind() -> None:
    listed = question("list", "A-1; B-2", ("SUP-00001", "DIS-00002"))
    assert score_multidoc(listed, "SUP-00001 and SUP-00004") == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5, "exact": 0.0}
    )
    assert score_multidoc(listed, "DIS-00002; SUP-00001")["exact"] == 1.0
    count = question("count", "2", ("SUP-00001", "DIS-00002"))
    assert score_multidoc(count, "Two agreements: SUP-00001 and DIS-00002.")["exact"] == 1.0
    assert score_multidoc(count, "3")["exact"] == 0.0
    compare = question("compare", "SUP-00001", ("SUP-00001",))
    both = score_multidoc(compare, "SUP-00001 is longer than DIS-00002")
    assert both["exact"] == 0.0 and both["f1"] == pytest.approx(2 / 3)
    amended = question("amended", "USD 2,000,000", ("USD 2,000,000",), "cap_on_liability")
    assert score_multidoc(amended, "US$2,000,000 [2]")["exact"] == 1.0
    assert score_multidoc(amended, "USD 1,000,000, later USD 2,000,000")["exact"] == 0.0
    place = question("amended", "Ontario", ("Ontario",), "governing_law")
    assert answer_items(place, "the laws of the Province of Ontario") == ["Ontario"]
    assert score_multidoc(listed, NO_SUCH_PARTY)["f1"] == 0.0


@dataclass
class Reply:
    text: str
    prompt_tokens: int = 10
    completion_tokens: int = 2


class EchoModel:
    """Replies with the first agreement number in the facts; counts its calls."""

    def __init__(self) -> None:
        self.seen: list = []

    def chat(self, conversations, max_new_tokens=32, batch_size=8, progress=None):
        self.seen += list(conversations)
        return [Reply("SUP-00001") for _ in conversations]


def test_graph_rag_context_and_refusals(world) -> None:
    documents, graph, linker, _ = world
    model = EchoModel()
    rag = GraphRAG(graph, linker, documents, model)
    context = rag.retrieve(
        "Taking every amendment into account, what is the confidentiality period of SUP-00001 now?"
    )
    lines = context.fact_lines()
    assert "SUP-00001 confidentiality period 3 years" in lines
    assert "SUP-00001-A1 confidentiality period 7 years" in lines and "amends (on June 3, 2022)" in lines
    assert [c.doc_id for c in context.chunks] == ["SUP-00001", "SUP-00001-A1"]
    ohio = rag.retrieve("Which of Kestrel's Supply Agreements are governed by the law of Ohio?")
    assert ohio.facts[0].subject == "SUP-00001"  # linked to both entities: first
    answers = rag.run(
        ["Which agreements has Kestrel signed with Bramblewood Pumps Ltd?", "What is the cap of SUP-00001?"]
    )
    assert answers[0].answer == NO_SUCH_PARTY and answers[1].answer == "SUP-00001"
    assert len(model.seen) == 1  # the refusal cost no generation
    assert (
        "Facts:" in model.seen[0][1]["content"]
        and "Question: What is the cap of SUP-00001?" in model.seen[0][1]["content"]
    )
