"""Contract headers and contract-id filters."""

from __future__ import annotations

from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import contract_filter, contract_header, contract_ids_in


def test_ids_are_found_in_order_and_amendments_map_to_their_contract() -> None:
    question = "Compare SUP-00001 with DIS-00012-A1 and SUP-00001 again"
    assert contract_ids_in(question) == ["SUP-00001", "DIS-00012"]
    assert contract_ids_in("What law governs the Halberd deal?") == []


def test_filter_keeps_the_contract_and_its_amendments() -> None:
    assert contract_filter("Who signed NDA-00007?") == 'doc_id like "NDA-00007%"'
    assert contract_filter("no id here") is None


def test_header_names_contract_title_and_section() -> None:
    chunk = Chunk(
        "SUP-00001:s:2",
        "SUP-00001",
        10,
        20,
        "Body text.",
        {"title": "Supply Agreement", "section": "4. Term"},
    )
    assert contract_header(chunk) == "Contract SUP-00001 | Supply Agreement | section 4. Term\nBody text."
