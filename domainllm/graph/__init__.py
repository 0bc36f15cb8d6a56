"""Knowledge graphs and multi-document questions (lab 5)."""

from __future__ import annotations

from domainllm.graph.graph_drawing import draw_neighbourhood
from domainllm.graph.graph_rag import GraphRAG
from domainllm.graph.knowledge_graph import build_graph, current_value, facts_of
from domainllm.graph.lab_tables import (
    approach_estimate,
    approach_table,
    comparison_figure,
    comparison_numbers,
    extraction_numbers,
    extraction_requests_table,
    extraction_table,
    sample_table,
    vector_rag_pipeline,
)
from domainllm.graph.multidoc import NO_SUCH_PARTY, plan_question
from domainllm.graph.triple_extraction import classify_sentence, load_gold_facts, score_triples, total_score

__all__ = [
    "classify_sentence",
    "load_gold_facts",
    "score_triples",
    "total_score",
    "build_graph",
    "current_value",
    "facts_of",
    "GraphRAG",
    "NO_SUCH_PARTY",
    "plan_question",
    "draw_neighbourhood",
    "approach_estimate",
    "approach_table",
    "comparison_figure",
    "comparison_numbers",
    "extraction_numbers",
    "extraction_requests_table",
    "extraction_table",
    "sample_table",
    "vector_rag_pipeline",
]
