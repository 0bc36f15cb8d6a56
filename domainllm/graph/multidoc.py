"""Lab 5 (knowledge graph, multi-document questions): multi-document questions: plan them, answer them by map-reduce in code, and score any answer.

A question across the portfolio ("which distribution agreements are governed by Ontario law?",
"how many agreements with X?", "which has the longer payment period, A or B?", "what is the cap
of A now, after its amendments?") is first turned into a :class:`QueryPlan` with the entity
linker: what to do (list, count, compare, lookup), over which contracts, with which filters, on
which clause.

:class:`MapReduceAnalyst` then answers without a language model in the loop: *map* extracts the
needed fields from every candidate contract (and applies its amendments, latest last); *reduce*
filters, counts or compares in code and cites every contract it used. A question that names a
company or contract the portfolio does not have is answered with :data:`NO_SUCH_PARTY` or
:data:`NO_SUCH_CONTRACT`.

:func:`score_multidoc` scores an answer text of any approach the same way: the items it names
(agreement numbers, a count, a value) against the gold items, as set precision/recall/F1 and
exact accuracy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domainllm.corpus.clause_values import NUMBER_WORDS, canonical_value, find_values, strip_legal_form
from domainllm.corpus.documents import Document
from domainllm.corpus.questions import Question
from domainllm.corpus.support import words_to_number
from domainllm.graph.entity_linking import EntityLinker
from domainllm.graph.triple_extraction import CATEGORY_KINDS, PatternExtractor, Triple
from domainllm.metrics.answers import normalize_answer, set_scores
from domainllm.rag.contract_context import CONTRACT_ID, contract_ids_in

__all__ = [
    "NO_SUCH_CONTRACT",
    "NO_SUCH_PARTY",
    "ContractRecord",
    "MapReduceAnalyst",
    "MultidocAnswer",
    "QueryPlan",
    "answer_items",
    "plan_question",
    "score_multidoc",
]

NO_SUCH_PARTY = "no such party in the portfolio"
NO_SUCH_CONTRACT = "no such agreement in the portfolio"
_SMALLER = re.compile(r"\b(?:shorter|lower|smaller|less|fewer|earlier|cheaper)\b", re.IGNORECASE)
_COMPARATIVE = re.compile(r"\b(?:longer|higher|larger|greater|more|bigger|later)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks: ``intent`` (list, count, compare, lookup), the clause ``category`` it
    reads, the ``contracts`` it names, the ``filters`` (category, value) a listed contract must meet,
    an optional ``contract_type``, ``direction`` for comparisons, and names the portfolio lacks."""

    question: str
    intent: str
    category: str | None = None
    contracts: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    contract_type: str | None = None
    direction: str = "max"
    unknown_parties: tuple[str, ...] = ()
    unknown_contracts: tuple[str, ...] = ()


def plan_question(question: str, linker: EntityLinker) -> QueryPlan:
    """Turn a question into a plan with the entity linker (no language model involved)."""
    links = linker.link(question)
    graph = linker.graph
    text = question.casefold()
    if "how many" in text:
        intent = "count"
    elif len(links.contracts) + len(links.unknown_contracts) >= 2 and (
        _COMPARATIVE.search(question) or _SMALLER.search(question)
    ):
        intent = "compare"
    elif links.contracts or links.unknown_contracts:
        intent = "lookup"
    else:
        intent = "list"
    filters: list[tuple[str, str]] = []
    for node in links.nodes("jurisdiction"):
        filters.append(("governing_law", graph.nodes[node]["name"]))
    for node in links.nodes("territory"):
        filters.append(("exclusivity", graph.nodes[node]["name"]))
    for node in links.nodes("company"):
        if not graph.nodes[node].get("owner"):
            filters.append(("parties", graph.nodes[node]["name"]))
    types = links.nodes("contract_type")
    filtered = {c for c, _ in filters}
    asked = [c for c in links.categories if c not in filtered]
    category = asked[0] if asked else None
    if intent in ("list", "count"):
        category = None
    return QueryPlan(
        question=question,
        intent=intent,
        category=category,
        contracts=links.contracts,
        filters=tuple(filters) if intent in ("list", "count") else (),
        contract_type=graph.nodes[types[0]]["name"] if types else None,
        direction="min" if _SMALLER.search(question) else "max",
        unknown_parties=links.unknown_parties,
        unknown_contracts=links.unknown_contracts,
    )


@dataclass(frozen=True)
class ContractRecord:
    """The fields map-reduce read for one contract: ``values[category]`` is the triple in force
    (an amendment's when one replaced the clause); ``amended`` lists categories an amendment changed."""

    contract_id: str
    contract_type: str | None
    values: dict[str, Triple]
    amended: frozenset[str] = frozenset()


@dataclass
class MultidocAnswer:
    """An answer to one multi-document question, with the evidence it rests on.

    ``answer`` is the bare answer (what is scored); ``citations`` are (doc_id, start, end) spans;
    ``checked`` is how many contracts the answer looked at.
    """

    question: str
    answer: str
    citations: list[tuple[str, int, int]] = field(default_factory=list)
    checked: int = 0
    plan: QueryPlan | None = None
    prompt_tokens: int = 0
    seconds: float = 0.0

    def cited_documents(self) -> list[str]:
        """Ids of the documents cited, in order, without duplicates."""
        return list(dict.fromkeys(doc for doc, _, _ in self.citations))


def _same(a: str, b: str) -> bool:
    return normalize_answer(a) == normalize_answer(b)


def _same_party(a: str, b: str) -> bool:
    return _same(a, b) or _same(strip_legal_form(a), strip_legal_form(b))


class MapReduceAnalyst:
    """Answer multi-document questions by extracting fields from every candidate contract, then
    filtering, counting and comparing in code.

    ``extract`` maps a document to triples (default: the :class:`PatternExtractor`); it is the
    *map* step and the only place text is read.
    """

    def __init__(
        self,
        documents: Sequence[Document],
        linker: EntityLinker,
        extract: Callable[[Document], list[Triple]] | None = None,
    ) -> None:
        self.documents = {doc.id: doc for doc in documents}
        self.linker = linker
        if extract is None:
            extractor = PatternExtractor()
            extractor.remember_headings(documents)
            extract = extractor.extract
        self.extract = extract
        self._amendments: dict[str, list[tuple[str, str]]] | None = None

    def amendments(self) -> dict[str, list[str]]:
        """``{contract id: [amendment ids, oldest first]}``, read from the amendments themselves."""
        if self._amendments is None:
            found: dict[str, list[tuple[str, str]]] = {}
            for doc in self.documents.values():
                triples = self.extract(doc)
                amended = [t.value for t in triples if t.category == "amends"]
                dates = [canonical_value("date", t.value) for t in triples if t.category == "amendment_date"]
                when = f"{dates[0].magnitude:012.0f}" if dates and dates[0] else ""
                for contract in amended:
                    found.setdefault(contract, []).append((when, doc.id))
            self._amendments = found
        return {c: [doc for _, doc in sorted(items)] for c, items in self._amendments.items()}

    def map_contract(self, contract_id: str) -> ContractRecord:
        """Map step for one contract: its own triples, then each amendment's replacing the clauses it names."""
        values: dict[str, Triple] = {}
        contract_type = None
        for t in self.extract(self.documents[contract_id]):
            if t.category == "contract_type":
                contract_type = t.value
            values.setdefault(t.category, t)
        amended = set()
        for amendment in self.amendments().get(contract_id, []):
            for t in self.extract(self.documents[amendment]):
                if t.category in CATEGORY_KINDS:
                    values[t.category] = t
                    amended.add(t.category)
        return ContractRecord(contract_id, contract_type, values, frozenset(amended))

    def candidates(self, plan: QueryPlan) -> list[str]:
        """The contracts a plan must look at: those it names, else every contract (of its type)."""
        if plan.contracts:
            return list(plan.contracts)
        amendments = {a for items in self.amendments().values() for a in items}
        ids = [doc_id for doc_id in sorted(self.documents) if doc_id not in amendments]
        if plan.contract_type is None:
            return ids
        return [c for c in ids if _same(self.map_contract(c).contract_type or "", plan.contract_type)]

    def answer(self, question: str, plan: QueryPlan | None = None) -> MultidocAnswer:
        """Plan, map over the candidates, reduce in code; refuse questions about unknown parties."""
        plan = plan or plan_question(question, self.linker)
        if plan.unknown_parties:
            return MultidocAnswer(question, NO_SUCH_PARTY, plan=plan)
        if plan.unknown_contracts:
            return MultidocAnswer(question, NO_SUCH_CONTRACT, plan=plan)
        records = [self.map_contract(c) for c in self.candidates(plan)]
        if plan.intent in ("list", "count"):
            return self._select(question, plan, records)
        if plan.category is None:
            return MultidocAnswer(question, "the question names no clause I can read", plan=plan)
        if plan.intent == "compare":
            return self._compare(question, plan, records)
        return self._lookup(question, plan, records)

    def _select(self, question: str, plan: QueryPlan, records: list[ContractRecord]) -> MultidocAnswer:
        chosen, citations = [], []
        for record in records:
            used = [record.values.get(category) for category, _ in plan.filters]
            if all(
                t is not None and (_same_party if c == "parties" else _same)(t.value, v)
                for t, (c, v) in zip(used, plan.filters, strict=True)
            ):
                chosen.append(record.contract_id)
                citations += [(t.doc_id, t.start, t.end) for t in used if t is not None]
        text = str(len(chosen)) if plan.intent == "count" else "; ".join(chosen) or "none"
        return MultidocAnswer(question, text, citations, len(records), plan)

    def _compare(self, question: str, plan: QueryPlan, records: list[ContractRecord]) -> MultidocAnswer:
        kind = CATEGORY_KINDS[plan.category or ""]
        measured = []
        for record in records:
            triple = record.values.get(plan.category or "")
            found = canonical_value(kind, triple.value) if triple else None
            if triple is None or found is None:
                return MultidocAnswer(
                    question,
                    f"{record.contract_id} states no {plan.category}",
                    checked=len(records),
                    plan=plan,
                )
            measured.append((found.magnitude, record.contract_id, triple))
        best = (max if plan.direction == "max" else min)(m for m, _, _ in measured)
        winners = [c for m, c, _ in measured if m == best]
        text = winners[0] if len(winners) == 1 else "they are equal"
        citations = [(t.doc_id, t.start, t.end) for _, _, t in measured]
        return MultidocAnswer(question, text, citations, len(records), plan)

    def _lookup(self, question: str, plan: QueryPlan, records: list[ContractRecord]) -> MultidocAnswer:
        record = records[0]
        triple = record.values.get(plan.category or "")
        if triple is None:
            return MultidocAnswer(
                question, f"{record.contract_id} states no {plan.category}", checked=1, plan=plan
            )
        return MultidocAnswer(question, triple.value, [(triple.doc_id, triple.start, triple.end)], 1, plan)


# ---------------------------------------------------------------- scoring


def _numbers(text: str) -> list[str]:
    """Numbers named in ``text`` (digits or words), agreement numbers removed first."""
    cleaned = CONTRACT_ID.sub(" ", text)
    found = [(m.start(), m.group(0).replace(",", "")) for m in re.finditer(r"\b\d[\d,]*\b", cleaned)]
    for m in re.finditer(NUMBER_WORDS, cleaned, re.IGNORECASE):
        value = words_to_number(m.group(0), strict=False)
        if value is not None:
            found.append((m.start(), str(value)))
    return [number for _, number in sorted(found)]


def answer_items(question: Question, answer: str) -> list[str]:
    """The items an answer names, comparable with the gold items of the question's kind.

    list and compare: agreement numbers; count: numbers; amended (and other lookups): values of the
    clause's kind in canonical form (the whole answer when the kind is free text).
    """
    if question.kind in ("list", "compare"):
        return contract_ids_in(answer)
    if question.kind == "count":
        return _numbers(answer)[:1]
    kind = CATEGORY_KINDS.get(question.category)
    if kind in ("duration", "money", "percent", "date"):
        return [v.canonical for v in find_values(kind, answer)]
    found = canonical_value(kind, answer)
    return [found.canonical] if found else []


def gold_items(question: Question) -> list[str]:
    """The gold items of a question, in the same form as :func:`answer_items`."""
    if question.kind in ("list", "compare"):
        return list(question.answers)
    if question.kind == "count":
        return [question.answer]
    return answer_items(question, question.answer) or [question.answer]


def score_multidoc(question: Question, answer: str) -> dict[str, float]:
    """Set precision, recall and F1 of the answer's items against the gold items, and ``exact``
    (1 when the two sets are equal: the accuracy of a count, a comparison or an amended value)."""
    predicted = answer_items(question, answer)
    gold = gold_items(question)
    precision, recall, f1 = set_scores(predicted, gold)
    exact = float({normalize_answer(p) for p in predicted} == {normalize_answer(g) for g in gold})
    return {"precision": precision, "recall": recall, "f1": f1, "exact": exact}
