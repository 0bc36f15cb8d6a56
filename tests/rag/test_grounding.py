"""Citations and the grounding check."""

from __future__ import annotations

import pytest

from domainllm.corpus.questions import Evidence
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import (
    any_citations,
    citation_correct,
    clause_citations,
    flag_agreement,
    grounding_check,
    parse_citations,
    resolve_citations,
    strip_citations,
)

CHUNKS = [
    Chunk(
        "SUP-1:section:5", "SUP-1", 0, 40, "Notice of thirty (30) days is required.", {"section": "5. Term"}
    ),
    Chunk("SUP-1:section:9", "SUP-1", 100, 140, "Ohio law governs this Agreement.", {"section": "9. Law"}),
]


def test_parse_and_strip_citations() -> None:
    assert parse_citations("30 days [2] [1] [2]") == [2, 1]
    assert strip_citations("30 days [2].") == "30 days ."
    assert parse_citations("no citation") == []


def test_resolve_maps_numbers_to_contract_and_section() -> None:
    cited = resolve_citations("Ohio [2] and [7]", CHUNKS)
    assert [(c.number, c.doc_id, c.section) for c in cited] == [(2, "SUP-1", "9. Law")]


def test_citation_correct_against_evidence() -> None:
    evidence = [Evidence("SUP-1", 10, 20)]
    assert citation_correct("30 days [1]", CHUNKS, evidence) == 1.0
    assert citation_correct("Ohio [2]", CHUNKS, evidence) == 0.0
    assert citation_correct("30 days", CHUNKS, evidence) is None


def test_clause_numbers_count_as_citations() -> None:
    chunks = [
        Chunk("A:0", "A", 0, 30, "5.1 Notice is 30 days. 5.2 Ohio.", {"section": "5. Term"}),
        Chunk("A:1", "A", 50, 70, "9.1 Texas law applies.", {"section": "9. Law"}),
    ]
    cited = clause_citations("The answer is: 9.1.", chunks)
    assert [(c.number, c.section) for c in cited] == [(2, "9. Law")]
    assert clause_citations("It is 7.5 percent", chunks) == []
    assert [c.number for c in any_citations("5.2 [1]", chunks)] == [1]
    assert citation_correct("The answer is: 5.1", chunks, [Evidence("A", 0, 10)]) == 1.0


@pytest.mark.parametrize(
    ("answer", "flagged", "reason"),
    [
        ("30 days [1]", False, None),
        ("90 days [1]", True, "unsupported number"),
        ("Texas courts decide", True, "unsupported words"),
        ("The notice period of the contract", True, "restates the question"),
        ("Not in the context.", True, "abstained"),
    ],
)
def test_grounding_check(answer: str, flagged: bool, reason: str | None) -> None:
    result = grounding_check(answer, "What notice period does the contract set?", CHUNKS)
    assert result.flagged is flagged
    if reason:
        assert reason in result.reasons


def test_flag_agreement() -> None:
    result = flag_agreement([True, True, False, False], [False, True, True, False])
    assert result["flag_rate"].mean == 0.5
    assert result["precision"].mean == 0.5  # one of two flagged answers is wrong
    assert result["recall"].mean == 0.5  # one of two wrong answers is flagged
    assert result["agreement"].mean == 0.5
    assert flag_agreement([False], [True])["precision"] is None
    with pytest.raises(ValueError):
        flag_agreement([True], [])
