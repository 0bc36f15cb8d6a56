"""The knowledge graph built from extracted triples, its amendment-aware queries and its drawing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from domainllm.graph.graph_drawing import draw_neighbourhood, neighbourhood
from domainllm.graph.knowledge_graph import (
    amendments_of,
    build_graph,
    clause_history,
    contracts,
    current_value,
    facts_of,
    node_id,
)
from domainllm.graph.triple_extraction import PatternExtractor, Triple
from tests.graph.kg_fixtures import portfolio


@pytest.fixture(scope="module")
def graph():
    return build_graph(PatternExtractor().extract_all(portfolio()))


def test_nodes_have_kinds_and_contracts_have_types(graph) -> None:
    assert graph.nodes["SUP-00001"]["kind"] == "contract"
    assert graph.nodes["SUP-00001"]["type"] == "Supply Agreement"
    assert graph.nodes["SUP-00001-A1"] == {
        "kind": "amendment",
        "name": "SUP-00001-A1",
        "date": "June 3, 2022",
    }
    assert graph.nodes[node_id("company", "Halberd Logistics GmbH")]["kind"] == "company"
    assert graph.nodes[node_id("company", "Kestrel Fluidics, Inc.")]["owner"] is True
    assert graph.nodes[node_id("jurisdiction", "Ohio")]["kind"] == "jurisdiction"
    assert contracts(graph) == ["DIS-00003", "SUP-00001", "SUP-00002"]
    assert contracts(graph, "Supply Agreement") == ["SUP-00001", "SUP-00002"]


def test_edges_are_typed_and_cite_their_clause(graph) -> None:
    halberd = node_id("company", "Halberd Logistics GmbH")
    assert {(v, d["relation"]) for _, v, d in graph.out_edges(halberd, data=True)} == {
        ("SUP-00001", "party_to"),
        ("SUP-00002", "party_to"),
    }
    (law,) = facts_of(graph, "SUP-00001", "governing_law")
    assert (law.subject, law.relation, law.obj) == ("SUP-00001", "governed_by", "Ohio")
    text = portfolio()[0].text
    assert text[law.start : law.end].startswith("14.1 The laws of the State of Ohio")
    assert graph.has_edge("SUP-00001-A1", "SUP-00001", key="amends")


def test_amendments_replace_the_clause_they_name(graph) -> None:
    assert amendments_of(graph, "SUP-00001") == ["SUP-00001-A1"]
    history = clause_history(graph, "SUP-00001", "confidentiality_period")
    assert [(f.doc_id, f.obj) for f in history] == [("SUP-00001", "3 years"), ("SUP-00001-A1", "7 years")]
    assert current_value(graph, "SUP-00001", "confidentiality_period").obj == "7 years"
    assert current_value(graph, "SUP-00001", "payment_terms").obj == "90 days"  # not amended
    assert current_value(graph, "SUP-00002", "insurance") is None


def test_later_amendments_win_and_spellings_of_a_company_merge() -> None:
    triples = [
        Triple("C-1", "contract_type", "Supply Agreement"),
        Triple("C-1", "parties", "Corvane Services Ltd"),
        Triple("C-1", "ip_ownership_assignment", "Corvane Services Ltd."),
        Triple("C-1", "payment_terms", "30 days"),
        Triple("C-1-A2", "amends", "C-1"),
        Triple("C-1-A2", "amendment_date", "March 1, 2024"),
        Triple("C-1-A2", "payment_terms", "60 days"),
        Triple("C-1-A1", "amends", "C-1"),
        Triple("C-1-A1", "amendment_date", "January 5, 2023"),
        Triple("C-1-A1", "payment_terms", "45 days"),
    ]
    graph = build_graph(triples)
    assert amendments_of(graph, "C-1") == ["C-1-A1", "C-1-A2"]
    assert current_value(graph, "C-1", "payment_terms").obj == "60 days"
    companies = [n for n, d in graph.nodes(data=True) if d["kind"] == "company"]
    assert companies == [node_id("company", "Corvane Services Ltd")]
    assert graph.has_edge("C-1", node_id("company", "Corvane Services Ltd"), key="ip_ownership_assignment")


def test_neighbourhood_and_its_drawing(graph) -> None:
    sub = neighbourhood(graph, "Halberd Logistics GmbH")
    assert {"SUP-00001", "SUP-00001-A1", "SUP-00002"} <= set(sub)
    assert "SUP-00001|" + node_id("jurisdiction", "Ohio") in sub  # values are drawn once per document
    assert "DIS-00003" not in sub
    # The amended clause is drawn before and after, though its category is not drawn by default.
    assert {"SUP-00001|" + node_id("value", "3 years"), "SUP-00001-A1|" + node_id("value", "7 years")} <= set(
        sub
    )
    assert "SUP-00002|" + node_id("value", "3 years") not in sub
    figure = draw_neighbourhood(graph, "Halberd Logistics")
    assert isinstance(figure, Figure) and "Halberd Logistics GmbH" in figure.axes[0].get_title()
    plt.close(figure)
    with pytest.raises(ValueError, match="No single company"):
        neighbourhood(graph, "Nobody Ltd")
