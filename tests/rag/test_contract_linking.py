"""Linking contract titles and party names in a question to documents (lab 4b, CUAD questions)."""

from __future__ import annotations

from pathlib import Path

from domainllm.corpus.cuad import load_cuad
from domainllm.corpus.records import Document
from domainllm.rag.contract_context import ContractLinker, contract_filter, party_names, unknown_contract_ids

FIXTURE = Path(__file__).parent.parent / "fixtures" / "cuad_mini.json"


def _doc(doc_id: str, title: str, *parties: str) -> Document:
    return Document(doc_id, title, "supply", parties, "2020-01-01", "text")


DOCS = [
    _doc("SUP-00001", "Supply Agreement", "Kestrel Fluidics, Inc.", "Halberd Logistics GmbH"),
    _doc("SUP-00001-A1", "Amendment No. 1", "Kestrel Fluidics, Inc.", "Halberd Logistics GmbH"),
    _doc("DIS-00002", "Distribution Agreement", "Kestrel Fluidics, Inc.", "Corvane Motors AB"),
    _doc(
        "ACME_2019-EX-10.1-SUPPLY-AGREEMENT", "ACME_2019-EX-10.1-SUPPLY AGREEMENT", "ACME Corp.", '"Company"'
    ),
]


def test_party_names_drop_roles_and_keep_distinctive_names() -> None:
    assert party_names("Halberd Logistics GmbH") == ["halberd logistics gmbh", "halberd logistics"]
    assert party_names('"Company"') == [] and party_names("Party A") == [] and party_names("Recipient") == []
    assert party_names("EDGE") == ["edge"]  # a name in capitals stands alone


def test_titles_and_parties_link_to_their_documents() -> None:
    linker = ContractLinker.from_documents(DOCS)
    assert linker.link("In the contract ACME_2019-EX-10.1-SUPPLY AGREEMENT: Governing Law.") == [
        "ACME_2019-EX-10.1-SUPPLY-AGREEMENT"
    ]
    assert linker.link("Which law governs the deal with Halberd Logistics?") == ["SUP-00001", "SUP-00001-A1"]
    assert linker.link("Which law governs the deal with Corvane Motors AB?") == ["DIS-00002"]
    # the owner is party to most contracts: naming it links nothing
    assert linker.link("Which contracts did Kestrel Fluidics sign?") == []
    assert linker.link("What does the Company owe?") == []


def test_filters_for_ids_titles_and_nothing() -> None:
    linker = ContractLinker.from_documents(DOCS)
    assert contract_filter("Who signed SUP-00001?", linker) == 'doc_id like "SUP-00001%"'
    assert contract_filter("Terms agreed with Corvane Motors?", linker) == 'doc_id in ["DIS-00002"]'
    assert contract_filter("What is a force majeure event?", linker) is None


def test_unknown_ids_are_reported() -> None:
    linker = ContractLinker.from_documents(DOCS)
    assert unknown_contract_ids("Compare SUP-00001 and NDA-00099", linker) == ["NDA-00099"]
    assert unknown_contract_ids("Who signed SUP-00001-A1?", linker) == []


def test_every_cuad_question_is_searched_within_its_contract() -> None:
    data = load_cuad(FIXTURE)
    linker = ContractLinker.from_documents(data.documents)
    for question in data.questions:
        assert question.form == "clause"
        doc_id = question.evidence[0].doc_id if question.evidence else None
        linked = linker.link(question.question)
        assert len(linked) == 1 and (doc_id is None or linked == [doc_id])
