"""Lab 5 (knowledge graph): the contract portfolio as a knowledge graph, built from extracted triples (never from the gold facts).

Nodes are contracts, amendments, companies, contract types, jurisdictions, territories and clause
values; node ids are the document id for documents and ``"<kind>:<name>"`` otherwise. Edges are
typed (``party_to``, ``has_type``, ``governed_by``, ``amends``, ``renews_for``, ``exclusive_in``,
``ip_owned_by``, and the clause category for every other value, e.g. ``payment_terms``) and carry
their provenance: the document and the character span the triple was read from.

An amendment states the new value of a clause of the contract it amends; :func:`current_value`
resolves that, so "what is the cap now?" gets the amended value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import networkx as nx

from domainllm.corpus.clause_values import canonical_value
from domainllm.graph.triple_extraction import CATEGORY_KINDS, Triple
from domainllm.metrics.answers import normalize_answer

__all__ = [
    "RELATIONS",
    "GraphFact",
    "amendments_of",
    "build_graph",
    "clause_history",
    "contracts",
    "current_value",
    "facts_of",
    "node_id",
]

# Edge label of each category whose value is an entity rather than a bare value.
RELATIONS: dict[str, str] = {
    "parties": "party_to",
    "owner": "party_to",
    "contract_type": "has_type",
    "amends": "amends",
    "governing_law": "governed_by",
    "renewal_term": "renews_for",
    "exclusivity": "exclusive_in",
    "ip_ownership_assignment": "ip_owned_by",
}
_ENTITY_KIND = {
    "parties": "company",
    "owner": "company",
    "contract_type": "contract_type",
    "governing_law": "jurisdiction",
    "exclusivity": "territory",
    "ip_ownership_assignment": "company",
}


def node_id(kind: str, name: str) -> str:
    """Id of a non-document node: ``node_id("company", "Halberd Logistics GmbH")``."""
    return f"{kind}:{name}"


@dataclass(frozen=True)
class GraphFact:
    """One edge read back: ``subject`` --relation--> ``obj`` (names), stated in ``doc_id[start:end]``."""

    subject: str
    relation: str
    obj: str
    category: str
    doc_id: str
    start: int
    end: int

    def sentence(self) -> str:
        """The fact as a line of text for a prompt: ``SUP-00001 governed_by Ohio``."""
        return f"{self.subject} {self.relation} {self.obj}"


def _document_node(graph: nx.MultiDiGraph, doc_id: str) -> None:
    if doc_id not in graph:
        graph.add_node(doc_id, kind="contract", name=doc_id)


def build_graph(triples: Iterable[Triple]) -> nx.MultiDiGraph:
    """A directed multigraph of the portfolio from extracted triples.

    Documents with an ``amends`` triple become ``amendment`` nodes (attribute ``date`` from their
    ``amendment_date`` triple); every other document is a ``contract`` node with a ``type``.
    """
    graph = nx.MultiDiGraph()
    # Party triples first: they fix each company's spelling; later mentions ("... Ltd." at the end
    # of a sentence) are matched to it by their normalized name.
    triples = sorted(triples, key=lambda t: t.category not in ("parties", "owner"))
    spelling: dict[str, str] = {}
    for t in triples:
        _document_node(graph, t.doc_id)
    for t in triples:
        if CATEGORY_KINDS.get(t.category) == "company" or t.category == "owner":
            t = replace(t, value=spelling.setdefault(normalize_answer(t.value), t.value))
        node = graph.nodes[t.doc_id]
        provenance = {
            "category": t.category,
            "doc_id": t.doc_id,
            "start": t.start,
            "end": t.end,
            "source": t.source,
        }
        if t.category == "amends":
            node["kind"] = "amendment"
            _document_node(graph, t.value)
            graph.add_edge(t.doc_id, t.value, key="amends", relation="amends", **provenance)
        elif t.category == "amendment_date":
            node["date"] = t.value
        elif t.category in ("parties", "owner"):
            company = node_id("company", t.value)
            graph.add_node(company, kind="company", name=t.value)
            if t.category == "owner":
                graph.nodes[company]["owner"] = True
            graph.add_edge(company, t.doc_id, key=t.category, relation="party_to", **provenance)
        else:
            relation = RELATIONS.get(t.category, t.category)
            kind = _ENTITY_KIND.get(t.category, "value")
            target = node_id(kind, t.value)
            if target not in graph:
                graph.add_node(target, kind=kind, name=t.value, value_kind=CATEGORY_KINDS.get(t.category))
            graph.add_edge(t.doc_id, target, key=t.category, relation=relation, value=t.value, **provenance)
            if t.category == "contract_type" and node["kind"] == "contract":
                node["type"] = t.value
    for _, data in graph.nodes(data=True):
        if data["kind"] == "amendment":
            data.pop("type", None)
    return graph


def contracts(graph: nx.MultiDiGraph, contract_type: str | None = None) -> list[str]:
    """Ids of the contracts (not amendments), optionally only those of one type, sorted."""
    return sorted(
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] == "contract" and (contract_type is None or d.get("type") == contract_type)
    )


def amendments_of(graph: nx.MultiDiGraph, contract: str) -> list[str]:
    """The amendments of ``contract``, oldest first (by their date, then id)."""
    found = [u for u, _, k in graph.in_edges(contract, keys=True) if k == "amends"]
    return sorted(found, key=lambda a: (_date_key(graph, a), a))


def _date_key(graph: nx.MultiDiGraph, node: str) -> float:
    found = canonical_value("date", graph.nodes[node].get("date", ""))
    return found.magnitude if found else 0.0


def facts_of(graph: nx.MultiDiGraph, doc_id: str, category: str | None = None) -> list[GraphFact]:
    """Facts stated by one document (every category, or one), in the order they were added."""
    facts = []
    edges = [
        (u, v, k, d)
        for u, v, k, d in graph.in_edges(doc_id, keys=True, data=True)
        if k in ("parties", "owner")
    ]
    edges += list(graph.out_edges(doc_id, keys=True, data=True))
    for u, v, key, data in edges:
        if category is not None and key != category:
            continue
        facts.append(
            GraphFact(
                graph.nodes[u]["name"],
                data["relation"],
                graph.nodes[v]["name"],
                key,
                data["doc_id"],
                data["start"],
                data["end"],
            )
        )
    return facts


def clause_history(graph: nx.MultiDiGraph, contract: str, category: str) -> list[GraphFact]:
    """The values of one clause over time: the contract's own, then each amendment's (oldest first)."""
    history = facts_of(graph, contract, category)
    for amendment in amendments_of(graph, contract):
        history += facts_of(graph, amendment, category)
    return history


def current_value(graph: nx.MultiDiGraph, contract: str, category: str) -> GraphFact | None:
    """The value of one clause after every amendment (the latest statement wins), or None if never read."""
    history = clause_history(graph, contract, category)
    return history[-1] if history else None
