"""Lab 5 (knowledge graph): link the words of a question to nodes of the knowledge graph, and notice names that match none.

:class:`EntityLinker` knows every company, jurisdiction, contract type and territory of the graph
by its names (a company also by its name without the legal form: "Halberd Logistics" for
"Halberd Logistics GmbH"), finds contract ids such as ``SUP-00001``, and recognizes the clause a
question asks about from a table of phrases (:data:`FIELD_PHRASES`). A company-like name that links
to nothing ("Bramblewood Pumps Ltd") is reported in ``unknown_parties``, so that the caller can
answer "no such party in the portfolio" instead of letting a model invent an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx

from domainllm.corpus.clause_values import COMPANY_NAME, strip_legal_form
from domainllm.rag.contract_context import contract_ids_in

__all__ = ["FIELD_PHRASES", "EntityLinker", "Links", "Mention"]

# Phrases that name a clause category in a question, checked in this order.
FIELD_PHRASES: dict[str, str] = {
    "termination_for_convenience": r"termination for convenience|terminate for convenience|without cause",
    "notice_period_to_terminate_renewal": r"non-renewal|notice of non-renewal|renewal notice",
    "renewal_term": r"renewal term|renews? for",
    "payment_terms": r"payment (?:period|terms?)|pay an invoice|payment deadline",
    "confidentiality_period": r"confidentiality|kept secret|secrecy",
    "warranty_duration": r"warranty",
    "cap_on_liability": r"cap on liability|liability cap|limit(?:ation)? (?:of|on) liability",
    "minimum_commitment": r"minimum (?:annual )?(?:purchase )?commitment|minimum purchase",
    "insurance": r"insurance",
    "revenue_profit_sharing": r"revenue share|royalt|commission|profit shar",
    "expiration_date": r"expir|end of the initial term",
    "effective_date": r"effective date|take effect",
    "agreement_date": r"agreement date|dated|signed on",
    "termination_for_breach": r"cure period|remedy a breach|material breach",
    "audit_rights": r"\baudit",
    "anti_assignment": r"\bassign",
    "change_of_control": r"change of control",
    "non_compete": r"non-compete|compet",
    "exclusivity": r"exclusiv|territory",
    "license_grant": r"field of use",
    "ip_ownership_assignment": r"intellectual property|\bIP\b|owns? the",
    "governing_law": r"governed by|governing law|law of",
    "parties": r"signed with|agreements? with|counterpart|party to",
}
_LINKED_KINDS = ("company", "jurisdiction", "contract_type", "territory")
_AFTER_WITH = re.compile(r"\b(?:with|between)\s+(?P<name>(?:[A-Z][\w&'.-]*)(?:\s+[A-Z][\w&'.-]*)*)")


@dataclass(frozen=True)
class Mention:
    """Words ``text`` of the question (at ``start``) that name graph node ``node`` of kind ``kind``."""

    text: str
    node: str
    kind: str
    start: int


@dataclass(frozen=True)
class Links:
    """Everything a question names: graph nodes by kind, contract ids, clause categories, unknown names."""

    mentions: tuple[Mention, ...]
    contracts: tuple[str, ...]
    unknown_contracts: tuple[str, ...]
    categories: tuple[str, ...]
    unknown_parties: tuple[str, ...]

    def nodes(self, kind: str) -> tuple[str, ...]:
        """Linked node ids of one kind, in order of mention, without duplicates."""
        return tuple(dict.fromkeys(m.node for m in self.mentions if m.kind == kind))


class EntityLinker:
    """Find graph entities, contract ids and clause categories named in a question."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        aliases: dict[str, set[str]] = {}
        for node, data in graph.nodes(data=True):
            if data["kind"] not in _LINKED_KINDS:
                continue
            for alias in self._aliases(data):
                aliases.setdefault(alias.casefold(), set()).add(node)
        # An alias shared by two nodes ("Corvane" for two Corvane companies) links to neither.
        self.aliases = {alias: next(iter(nodes)) for alias, nodes in aliases.items() if len(nodes) == 1}
        self.ambiguous = {alias for alias, nodes in aliases.items() if len(nodes) > 1}
        ordered = sorted(self.aliases, key=len, reverse=True)
        self._pattern = re.compile(
            r"\b(?:" + "|".join(re.escape(a) for a in ordered) + r")(?!\w)", re.IGNORECASE
        )

    @staticmethod
    def _aliases(data: dict) -> list[str]:
        name = data["name"]
        if data["kind"] == "company":
            names = [name, strip_legal_form(name)]
            if data.get("owner"):
                names.append(name.split()[0])  # "Kestrel" for the portfolio's owner
            return names
        if data["kind"] == "contract_type":
            names = [name, f"{name}s"]
            if "Licence" in name:
                names += [n.replace("Licence", "License") for n in names]
            return names
        return [name]

    def link(self, question: str) -> Links:
        """The entities, contract ids, categories and unknown company names of one question."""
        mentions = []
        for m in self._pattern.finditer(question):
            node = self.aliases[m.group(0).casefold()]
            mentions.append(Mention(m.group(0), node, self.graph.nodes[node]["kind"], m.start()))
        ids = contract_ids_in(question)
        known = tuple(i for i in ids if i in self.graph)
        categories = tuple(
            c for c, phrase in FIELD_PHRASES.items() if re.search(phrase, question, re.IGNORECASE)
        )
        return Links(
            tuple(mentions),
            known,
            tuple(i for i in ids if i not in self.graph),
            categories,
            self._unknown_parties(question, mentions),
        )

    def _partly_known(self, text: str) -> bool:
        """True for a known alias, an ambiguous one, or the first words of a known name ("Corvane")."""
        key = text.casefold()
        return (
            key in self.aliases or key in self.ambiguous or any(a.startswith(key + " ") for a in self.aliases)
        )

    def _unknown_parties(self, question: str, mentions: list[Mention]) -> tuple[str, ...]:
        """Company-like names that overlap no linked company mention."""
        linked = [(m.start, m.start + len(m.text)) for m in mentions if m.kind == "company"]
        candidates = [(m.start(), m.end(), m.group(0)) for m in re.finditer(COMPANY_NAME, question)]
        candidates += [
            (m.start("name"), m.end("name"), m.group("name")) for m in _AFTER_WITH.finditer(question)
        ]
        unknown = []
        for start, end, text in candidates:
            if any(s < end and start < e for s, e in linked):
                continue
            if contract_ids_in(text) or self._partly_known(text):
                continue
            unknown.append(text.strip(" .,;:?"))
        return tuple(dict.fromkeys(u for u in unknown if u))
