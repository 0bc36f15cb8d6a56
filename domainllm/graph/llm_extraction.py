"""Lab 5 (knowledge graph): Triples read by the LLM: a clause and a field in, one JSON object out, validated before it is believed.

The generator is asked for one field of one clause (the payment period, the liability cap, ...)
and replies with ``{"value": "<words copied from the clause>"}`` or ``{"value": null}``. The reply
is checked in four steps: it must parse as JSON, satisfy :data:`EXTRACTION_SCHEMA` (the key
``value``, a string or null, and no other key), quote words that occur in the clause, and those
words must be of the field's kind (a duration for a notice period, money for a cap, ...). An
invalid reply is retried once with the validator's complaint added to the conversation; a reply
still invalid is rejected and counted (:class:`ExtractionStats`), never turned into a triple.

Asking for one named field rather than "which category is this clause?" is what a small model
can do at all: SmolLM2-135M, asked to choose among a dozen categories, invents category names.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domainllm.corpus.clause_values import canonical_value, find_values
from domainllm.graph.triple_extraction import CATEGORY_KINDS, VALUE_KINDS, Triple
from domainllm.metrics.answers import contains_answer
from domainllm.runtime.generation_cache import GenerationCache, cached_chat

__all__ = [
    "CATEGORY_DESCRIPTIONS",
    "EXTRACTION_SCHEMA",
    "Clause",
    "ClauseExtraction",
    "ExtractionStats",
    "LLMTripleExtractor",
    "schema_errors",
    "validate_reply",
]

# Each field the LLM may be asked for: a short name and what it means.
CATEGORY_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "parties": ("counterparty", "the company Kestrel signs the agreement with"),
    "governing_law": ("governing law", "the place whose law governs the agreement"),
    "expiration_date": ("expiration date", "the date the initial term ends"),
    "payment_terms": ("payment period", "the time allowed to pay an invoice"),
    "termination_for_convenience": ("termination notice", "the notice needed to terminate without cause"),
    "notice_period_to_terminate_renewal": ("non-renewal notice", "the notice needed to stop a renewal"),
    "confidentiality_period": ("confidentiality period", "how long information must be kept secret"),
    "warranty_duration": ("warranty period", "how long the warranty lasts"),
    "cap_on_liability": ("liability cap", "the maximum total liability"),
    "minimum_commitment": ("minimum commitment", "the minimum yearly purchase amount"),
    "insurance": ("insurance cover", "the insurance cover required"),
    "revenue_profit_sharing": ("revenue share", "the commission, royalty or share rate"),
}

EXTRACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"value": {"type": ["string", "null"]}},
    "required": ["value"],
    "additionalProperties": False,
}

_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "string": str,
    "array": list,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name not in ("boolean",):
        return False
    return isinstance(value, _TYPES[name])


def schema_errors(value: Any, schema: Mapping[str, Any], path: str = "reply") -> list[str]:
    """Ways ``value`` breaks ``schema``; an empty list means valid.

    Supports the JSON Schema keywords that flat extraction records need: ``type`` (a name or a
    list of names), ``enum``, ``required``, ``properties`` and ``additionalProperties: false``.
    """
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_is_type(value, name) for name in names):
            return [f"{path} must be of type {' or '.join(names)}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path} must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path} lacks the key {key!r}" for key in schema.get("required", ()) if key not in value]
        if schema.get("additionalProperties", True) is False:
            errors += [f"{path} has the unexpected key {key!r}" for key in value if key not in properties]
        for key, sub in properties.items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{path}.{key}")
    return errors


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


@dataclass(frozen=True)
class ReplyCheck:
    """Outcome of validating one reply: ``reason`` is empty when the reply is valid.

    A valid reply has ``value`` None when the model says the clause does not state the field.
    """

    reason: str = ""
    value: str | None = None

    @property
    def ok(self) -> bool:
        """True for a valid reply."""
        return not self.reason


def validate_reply(reply: str, clause: str, category: str) -> ReplyCheck:
    """Check one model reply against the schema, the clause and the field's value kind."""
    text = _FENCE.sub("", reply.strip())
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return ReplyCheck("not JSON")
    errors = schema_errors(record, EXTRACTION_SCHEMA)
    if errors:
        return ReplyCheck("schema: " + "; ".join(errors))
    value = record["value"]
    if value is None or not value.strip():
        return ReplyCheck()
    kind = CATEGORY_KINDS[category]
    found = canonical_value(kind, value)
    if found is None:
        return ReplyCheck(f"value is not a {kind}")
    # Grounded: the words occur in the clause, or the clause states the same value in other words.
    stated = {v.canonical for v in find_values(kind, clause)} if kind in VALUE_KINDS else set()
    if not contains_answer(clause, value) and found.canonical not in stated:
        return ReplyCheck("value not in the clause")
    return ReplyCheck(value=found.canonical)


@dataclass(frozen=True)
class Clause:
    """A span of a document to read: ``text == document.text[start:end]``."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class ClauseExtraction:
    """What happened to one (clause, field) request: the replies, the final status and the triple.

    ``status`` is ``valid`` (first reply), ``valid after retry`` or ``rejected``; ``triple`` is None
    when the reply was rejected or said the clause does not state the field.
    """

    clause: Clause
    category: str
    replies: list[str]
    status: str
    reasons: list[str]
    triple: Triple | None = None


@dataclass
class ExtractionStats:
    """Counts of requests: valid at once, valid after a retry, rejected (with the reasons)."""

    requests: int = 0
    valid_first: int = 0
    valid_after_retry: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: ClauseExtraction) -> None:
        """Count one request's outcome and the reasons its replies were refused."""
        self.requests += 1
        if result.status == "valid":
            self.valid_first += 1
        elif result.status == "valid after retry":
            self.valid_after_retry += 1
        else:
            self.rejected += 1
        self.reasons.update(reason.split(":")[0] for reason in result.reasons)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for a table or a JSON report."""
        return {
            "requests": self.requests,
            "valid_first": self.valid_first,
            "valid_after_retry": self.valid_after_retry,
            "rejected": self.rejected,
            "reasons": dict(self.reasons.most_common()),
        }


SYSTEM_PROMPT = (
    'You copy one fact from a contract clause. Reply with JSON only: {"value": "..."} holding '
    'the words of the clause that state the fact, or {"value": null} if the clause does not state it.'
)
EXAMPLES = (
    (
        "Fact: audit notice (the notice needed before an audit)\n"
        "Clause: Kestrel may audit the records of the Supplier on ten (10) business days notice.",
        '{"value": "ten (10) business days"}',
    ),
    (
        "Fact: audit notice (the notice needed before an audit)\n"
        "Clause: Notices must be in writing and delivered by hand or by courier.",
        '{"value": null}',
    ),
)


def extraction_messages(clause: Clause, category: str) -> list[dict[str, str]]:
    """The chat that asks for one field of one clause (system prompt, two worked examples, the request)."""
    name, meaning = CATEGORY_DESCRIPTIONS.get(category, (category.replace("_", " "), category))
    chat = [{"role": "system", "content": SYSTEM_PROMPT}]
    for question, answer in EXAMPLES:
        chat += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    chat.append({"role": "user", "content": f"Fact: {name} ({meaning})\nClause: {clause.text.strip()}"})
    return chat


class LLMTripleExtractor:
    """Field extraction with a chat model: JSON replies, schema validation, retries and a reject count.

    ``generator`` needs a ``chat(conversations, max_new_tokens=..., batch_size=...)`` method returning
    objects with ``.text`` (the library's :class:`~domainllm.runtime.generation.Generator`, or a fake in tests).
    Replies are cached on disk by content hash (:class:`~domainllm.runtime.generation_cache.GenerationCache`).
    ``stats`` accumulates over every call.
    """

    def __init__(
        self,
        generator: Any,
        retries: int = 1,
        max_new_tokens: int = 24,
        batch_size: int = 8,
        cache: GenerationCache | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}.")
        self.generator = generator
        self.retries = retries
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.cache = cache if cache is not None else GenerationCache("llm_extraction")
        self.stats = ExtractionStats()

    def extract(
        self, requests: Sequence[tuple[Clause, str]], progress: bool | None = None
    ) -> list[ClauseExtraction]:
        """Answer every (clause, category) request; invalid replies are retried with the complaint, then rejected."""
        unknown = sorted({c for _, c in requests if c not in CATEGORY_KINDS})
        if unknown:
            raise ValueError(f"Unknown categories {unknown}; choose from {', '.join(CATEGORY_KINDS)}.")
        chats = [extraction_messages(clause, category) for clause, category in requests]
        replies: list[list[str]] = [[] for _ in requests]
        reasons: list[list[str]] = [[] for _ in requests]
        verdicts = [ReplyCheck("not generated") for _ in requests]
        pending = list(range(len(requests)))
        for attempt in range(self.retries + 1):
            if not pending:
                break
            texts = cached_chat(
                self.generator,
                [chats[i] for i in pending],
                self.cache,
                max_new_tokens=self.max_new_tokens,
                batch_size=self.batch_size,
                progress=progress,
                desc="extracting" if attempt == 0 else "retrying",
            )
            still = []
            for i, text in zip(pending, texts, strict=True):
                clause, category = requests[i]
                verdicts[i] = validate_reply(text, clause.text, category)
                replies[i].append(text)
                if verdicts[i].ok:
                    continue
                reasons[i].append(verdicts[i].reason)
                complaint = f"That reply is invalid ({verdicts[i].reason}). Reply with only the JSON object."
                chats[i] = [
                    *chats[i],
                    {"role": "assistant", "content": text},
                    {"role": "user", "content": complaint},
                ]
                still.append(i)
            pending = still
        results = []
        for (clause, category), verdict, said, why in zip(requests, verdicts, replies, reasons, strict=True):
            status = "valid" if len(said) == 1 else "valid after retry"
            if not verdict.ok:
                status = "rejected"
            triple = None
            if verdict.ok and verdict.value is not None:
                triple = Triple(clause.doc_id, category, verdict.value, clause.start, clause.end, "llm")
            result = ClauseExtraction(clause, category, said, status, why, triple)
            self.stats.add(result)
            results.append(result)
        return results
