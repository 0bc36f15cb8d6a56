"""Entity linking: names, short names, types, jurisdictions, contract ids, fields and unknown parties."""

from __future__ import annotations

import pytest

from domainllm.graph.entity_linking import EntityLinker
from domainllm.graph.knowledge_graph import build_graph, node_id
from domainllm.graph.triple_extraction import PatternExtractor
from tests.graph.kg_fixtures import portfolio


@pytest.fixture(scope="module")
def linker() -> EntityLinker:
    return EntityLinker(build_graph(PatternExtractor().extract_all(portfolio())))


def test_companies_link_by_full_and_short_name(linker: EntityLinker) -> None:
    links = linker.link("Which agreements has Kestrel signed with Halberd Logistics?")
    assert links.nodes("company") == (
        node_id("company", "Kestrel Fluidics, Inc."),
        node_id("company", "Halberd Logistics GmbH"),
    )
    assert links.categories == ("parties",) and links.unknown_parties == ()
    full = linker.link("How many agreements has Kestrel signed with Corvane Motors AB?")
    assert node_id("company", "Corvane Motors AB") in full.nodes("company")


def test_types_and_jurisdictions_link_case_insensitively(linker: EntityLinker) -> None:
    links = linker.link("Which of Kestrel's supply agreements are governed by the law of Ohio?")
    assert links.nodes("contract_type") == (node_id("contract_type", "Supply Agreement"),)
    assert links.nodes("jurisdiction") == (node_id("jurisdiction", "Ohio"),)
    assert links.categories == ("governing_law",)


def test_contract_ids_and_clause_phrases(linker: EntityLinker) -> None:
    links = linker.link("Which agreement has the longer payment period: SUP-00001 or SUP-00002?")
    assert links.contracts == ("SUP-00001", "SUP-00002") and links.unknown_contracts == ()
    assert links.categories == ("payment_terms",)
    other = linker.link("What is the liability cap of SUP-09999?")
    assert other.contracts == () and other.unknown_contracts == ("SUP-09999",)
    assert other.categories == ("cap_on_liability",)


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Which agreements has Kestrel signed with Bramblewood Pumps Ltd?", ("Bramblewood Pumps Ltd",)),
        ("How many agreements has Kestrel signed with Nordwind Valves?", ("Nordwind Valves",)),
        ("Is Halberd Logistics GmbH bigger than Ostrava Trading Oy?", ("Ostrava Trading Oy",)),
        ("How many agreements has Kestrel signed with Corvane?", ()),  # the start of a known name
        ("Which agreements has Kestrel signed with Halberd Logistics GmbH?", ()),
    ],
)
def test_company_like_names_that_link_to_nothing_are_reported(
    linker: EntityLinker, question: str, unknown: tuple[str, ...]
) -> None:
    assert linker.link(question).unknown_parties == unknown
