"""Lab 5 (knowledge graph): graph-augmented retrieval: link the question to graph nodes, pull their subgraph, let the LLM answer.

For each question the entity linker finds the companies, jurisdictions, contract types and
contract ids it names (:mod:`domainllm.graph.entity_linking`). The retrieved subgraph is

* for named contracts: their type, counterparty and every statement of the asked clause,
  amendments included (with the amendment's date);
* otherwise: the contracts one hop from the linked entities, those linked to the most entities
  first, each with its edges to those entities.

The facts, written one per line, and the clauses they were read from (the supporting chunks) go
to the generator, which writes the answer. Unlike map-reduce, the aggregation (intersecting,
counting, comparing) is left to the model. A question naming a company the graph does not have
is answered "no such party in the portfolio" without calling the model.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from domainllm.corpus.documents import Document
from domainllm.graph.entity_linking import EntityLinker
from domainllm.graph.knowledge_graph import GraphFact, amendments_of, clause_history, facts_of
from domainllm.graph.multidoc import NO_SUCH_CONTRACT, NO_SUCH_PARTY, MultidocAnswer, QueryPlan, plan_question
from domainllm.rag.chunking import Chunk
from domainllm.rag.pipeline import format_context
from domainllm.runtime.generation import Message

__all__ = ["GRAPH_SYSTEM_PROMPT", "GraphContext", "GraphRAG"]

GRAPH_SYSTEM_PROMPT = (
    "You answer questions about the contracts of Kestrel Fluidics from facts of a knowledge graph "
    "and the clauses they were read from. Reply with the short answer only: agreement numbers "
    "separated by semicolons for a 'which agreements' question, a number for a 'how many' "
    "question, one agreement number for a comparison, the value for a 'what is' question. "
    "A later amendment replaces the value of the clause it amends."
)
_FILTER_RELATION = {"governing_law": "governed_by", "parties": "party_to", "exclusivity": "exclusive_in"}


@dataclass
class GraphContext:
    """What graph retrieval found for one question: the plan, the facts and the supporting clauses."""

    plan: QueryPlan
    facts: list[GraphFact]
    chunks: list[Chunk]

    def fact_lines(self) -> str:
        """The facts as lines of text (``SUP-00001 governed by Ohio``)."""
        return "\n".join(f"- {f.subject} {f.relation.replace('_', ' ')} {f.obj}" for f in self.facts)


class GraphRAG:
    """Entity linking + subgraph retrieval + generation with the facts and their clauses."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        linker: EntityLinker,
        documents: Sequence[Document] | Mapping[str, Document],
        generator: object,
        max_contracts: int = 12,
        max_chunks: int = 4,
        max_new_tokens: int = 40,
        batch_size: int = 8,
    ) -> None:
        self.graph = graph
        self.linker = linker
        self.documents = dict(documents) if isinstance(documents, Mapping) else {d.id: d for d in documents}
        self.generator = generator
        self.max_contracts = max_contracts
        self.max_chunks = max_chunks
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size

    def _named_contract_facts(self, plan: QueryPlan) -> list[GraphFact]:
        facts = []
        for contract in plan.contracts:
            facts += facts_of(self.graph, contract, "contract_type") + facts_of(
                self.graph, contract, "parties"
            )
            for amendment in amendments_of(self.graph, contract):
                date = self.graph.nodes[amendment].get("date", "an unknown date")
                facts.append(GraphFact(amendment, f"amends (on {date})", contract, "amends", amendment, 0, 0))
            if plan.category:
                facts += clause_history(self.graph, contract, plan.category)
        return facts

    def _neighbourhood_facts(self, plan: QueryPlan) -> list[GraphFact]:
        """Contracts one hop from the linked entities (most links first) with their edges to them."""
        wanted: list[tuple[str, str]] = [(c, v) for c, v in plan.filters]
        if plan.contract_type:
            wanted.append(("contract_type", plan.contract_type))
        hits: dict[str, list[GraphFact]] = {}
        for contract, data in self.graph.nodes(data=True):
            if data["kind"] != "contract":
                continue
            for category, value in wanted:
                for fact in facts_of(self.graph, contract, category):
                    if value in (fact.obj, fact.subject):
                        hits.setdefault(contract, []).append(fact)
        ranked = sorted(hits, key=lambda c: (-len(hits[c]), c))[: self.max_contracts]
        facts = []
        for contract in ranked:
            facts += hits[contract]
            for category, _ in wanted:
                if not any(f.category == category for f in hits[contract]):
                    facts += facts_of(self.graph, contract, category)
        return facts

    def retrieve(self, question: str) -> GraphContext:
        """Plan the question and pull its subgraph and the clauses behind the facts."""
        plan = plan_question(question, self.linker)
        if plan.unknown_parties or plan.unknown_contracts:
            return GraphContext(plan, [], [])
        facts = self._named_contract_facts(plan) if plan.contracts else self._neighbourhood_facts(plan)
        # Supporting clauses: those behind the facts about the asked clause or the filters.
        wanted = {plan.category, *(c for c, _ in plan.filters)}
        chunks: list[Chunk] = []
        seen = set()
        for fact in facts:
            key = (fact.doc_id, fact.start, fact.end)
            if fact.end <= fact.start or key in seen or fact.category not in wanted:
                continue
            seen.add(key)
            text = self.documents[fact.doc_id].text[fact.start : fact.end]
            chunks.append(Chunk(f"{fact.doc_id}:{fact.start}", fact.doc_id, fact.start, fact.end, text))
        return GraphContext(plan, facts, chunks[: self.max_chunks])

    def messages(self, question: str, context: GraphContext) -> list[Message]:
        """The chat sent for one question: facts, numbered supporting clauses, the question."""
        facts = context.fact_lines() or "- (no fact found)"
        clauses = format_context(context.chunks) or "(none)"
        user = f"Facts:\n{facts}\n\nClauses:\n{clauses}\n\nQuestion: {question.strip()}"
        return [{"role": "system", "content": GRAPH_SYSTEM_PROMPT}, {"role": "user", "content": user}]

    def run(self, questions: Sequence[str], progress: bool | None = None) -> list[MultidocAnswer]:
        """Answer each question; refusals for unknown names cost no generation."""
        contexts = [self.retrieve(q) for q in questions]
        answers: list[MultidocAnswer | None] = [None] * len(questions)
        asks = []
        for i, (question, context) in enumerate(zip(questions, contexts, strict=True)):
            if context.plan.unknown_parties:
                answers[i] = MultidocAnswer(question, NO_SUCH_PARTY, plan=context.plan)
            elif context.plan.unknown_contracts:
                answers[i] = MultidocAnswer(question, NO_SUCH_CONTRACT, plan=context.plan)
            else:
                asks.append(i)
        started = time.perf_counter()
        completions = self.generator.chat(
            [self.messages(questions[i], contexts[i]) for i in asks],
            max_new_tokens=self.max_new_tokens,
            batch_size=self.batch_size,
            progress=progress,
        )
        seconds = (time.perf_counter() - started) / max(len(asks), 1)
        for i, completion in zip(asks, completions, strict=True):
            cited = [(c.doc_id, c.start, c.end) for c in contexts[i].chunks]
            answers[i] = MultidocAnswer(
                questions[i],
                completion.text,
                cited,
                len({f.subject for f in contexts[i].facts}),
                contexts[i].plan,
                completion.prompt_tokens,
                seconds,
            )
        return [a for a in answers if a is not None]
