"""LLM field extraction: schema validation, retry with the complaint, rejection, caching (fake model)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from domainllm.graph.llm_extraction import (
    EXTRACTION_SCHEMA,
    Clause,
    LLMTripleExtractor,
    schema_errors,
    validate_reply,
)
from domainllm.runtime.generation_cache import GenerationCache

PAYMENT = Clause("SUP-00001", 100, 180, "3.2 Invoices are payable ninety (90) days after receipt.")
NOTICE = Clause("SUP-00001", 200, 280, "15.1 Notices must be in writing and delivered by hand.")


@dataclass
class Reply:
    text: str


class ScriptedModel:
    """Answers each conversation from a script keyed by the last user message; records every call."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        self.script = {key: list(replies) for key, replies in script.items()}
        self.calls: list[list[list[dict[str, str]]]] = []

    def chat(
        self, conversations: Sequence, max_new_tokens: int = 48, batch_size: int = 8, **_: object
    ) -> list[Reply]:
        self.calls.append([list(c) for c in conversations])
        replies = []
        for conversation in conversations:
            key = next(k for k in self.script if k in _request(conversation))
            replies.append(Reply(self.script[key].pop(0)))
        return replies


def _request(conversation: Sequence[dict[str, str]]) -> str:
    """The real request of a conversation: the last user message that holds a clause."""
    return [m["content"] for m in conversation if m["role"] == "user" and m["content"].startswith("Fact:")][
        -1
    ]


def extractor(model: ScriptedModel, tmp_path: Path, retries: int = 1) -> LLMTripleExtractor:
    return LLMTripleExtractor(model, retries=retries, cache=GenerationCache(folder=tmp_path))


def test_a_valid_reply_becomes_a_triple_in_canonical_form(tmp_path: Path) -> None:
    model = ScriptedModel({"ninety": ['{"value": "ninety (90) days"}']})
    (result,) = extractor(model, tmp_path).extract([(PAYMENT, "payment_terms")])
    assert result.status == "valid" and result.reasons == []
    assert result.triple is not None
    assert (result.triple.doc_id, result.triple.category, result.triple.value) == (
        "SUP-00001",
        "payment_terms",
        "90 days",
    )
    assert (result.triple.start, result.triple.end, result.triple.source) == (100, 180, "llm")


def test_an_invalid_reply_is_retried_with_the_complaint(tmp_path: Path) -> None:
    model = ScriptedModel(
        {"ninety": ['{"value": "forty-five (45) days"}', '```json\n{"value": "90 days"}\n```']}
    )
    llm = extractor(model, tmp_path)
    (result,) = llm.extract([(PAYMENT, "payment_terms")])
    assert result.status == "valid after retry" and result.reasons == ["value not in the clause"]
    assert result.triple is not None and result.triple.value == "90 days"
    retry = model.calls[1][0]
    assert retry[-2] == {"role": "assistant", "content": '{"value": "forty-five (45) days"}'}
    assert "value not in the clause" in retry[-1]["content"]
    assert llm.stats.to_dict()["valid_after_retry"] == 1


def test_replies_still_invalid_are_rejected_and_counted_never_accepted(tmp_path: Path) -> None:
    model = ScriptedModel(
        {
            "ninety": ['{"value": 90}', '{"value": "90 days", "unit": "days"}'],
            "Notices": ["The notice clause.", '{"category": "none"'],
        }
    )
    llm = extractor(model, tmp_path)
    results = llm.extract([(PAYMENT, "payment_terms"), (NOTICE, "payment_terms")])
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert all(r.triple is None for r in results)
    assert results[0].reasons[0].startswith("schema: reply.value must be of type string or null")
    assert "unexpected key 'unit'" in results[0].reasons[1]
    assert results[1].reasons == ["not JSON", "not JSON"]
    stats = llm.stats.to_dict()
    assert stats == {
        "requests": 2,
        "valid_first": 0,
        "valid_after_retry": 0,
        "rejected": 2,
        "reasons": {"not JSON": 2, "schema": 2},
    }


def test_null_means_the_clause_does_not_state_the_field(tmp_path: Path) -> None:
    model = ScriptedModel({"Notices": ['{"value": null}']})
    (result,) = extractor(model, tmp_path).extract([(NOTICE, "payment_terms")])
    assert result.status == "valid" and result.triple is None


def test_without_retries_the_first_invalid_reply_is_final(tmp_path: Path) -> None:
    model = ScriptedModel({"ninety": ['{"value": "sixty days"}']})
    (result,) = extractor(model, tmp_path, retries=0).extract([(PAYMENT, "payment_terms")])
    assert result.status == "rejected" and len(model.calls) == 1


def test_replies_are_cached_on_disk(tmp_path: Path) -> None:
    first = ScriptedModel({"ninety": ['{"value": "90 days"}']})
    extractor(first, tmp_path).extract([(PAYMENT, "payment_terms")])
    second = ScriptedModel({"ninety": []})  # would fail if asked
    (result,) = extractor(second, tmp_path).extract([(PAYMENT, "payment_terms")])
    assert second.calls == [] and result.triple is not None and result.triple.value == "90 days"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"value": "ninety days"}', ""),
        ('{"value": "90 days"}', ""),  # the clause says it in words and figures: the same value
        ('{"value": "the Buyer"}', "value is not a duration"),
        ('{"value": "120 days"}', "value not in the clause"),
        ("[]", "schema: reply must be of type object"),
        ('{"value": ""}', ""),
    ],
)
def test_validate_reply(reply: str, reason: str) -> None:
    assert validate_reply(reply, PAYMENT.text, "payment_terms").reason == reason


def test_schema_errors() -> None:
    assert schema_errors({"value": None}, EXTRACTION_SCHEMA) == []
    assert schema_errors({}, EXTRACTION_SCHEMA) == ["reply lacks the key 'value'"]
    assert schema_errors({"value": True}, EXTRACTION_SCHEMA) == ["reply.value must be of type string or null"]
    assert schema_errors("x", {"type": "string", "enum": ["a", "b"]}) == ["reply must be one of a, b"]
    assert schema_errors(3, {"type": "integer"}) == [] and schema_errors(False, {"type": "integer"}) != []


def test_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="retries"):
        LLMTripleExtractor(ScriptedModel({}), retries=-1, cache=GenerationCache(folder=tmp_path))
    with pytest.raises(ValueError, match="Unknown categories"):
        extractor(ScriptedModel({}), tmp_path).extract([(PAYMENT, "favourite_colour")])
