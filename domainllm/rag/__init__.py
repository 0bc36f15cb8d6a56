"""Retrieval-augmented generation in stages (labs 1-4 and the RAG chapter).

Pre-retrieval (chunking, query transforms, hypothetical questions), retrieval (dense, BM25, hybrid
with rank fusion over a Milvus collection), post-retrieval (reranking, compression, ordering,
grounding, injection defences), the pipeline that answers, and the book's named recipes.
"""

from __future__ import annotations

from domainllm.rag.chunking import chunk_documents
from domainllm.rag.compression import CompressingRetriever, SentenceCompressor, tokens_saved
from domainllm.rag.context_order import ReorderingRetriever, deduplicate
from domainllm.rag.contract_context import contract_filter, contract_header, contract_ids_in
from domainllm.rag.explorer import rag_explorer
from domainllm.rag.fusion import reciprocal_rank_fusion
from domainllm.rag.grounding import (
    any_citations,
    citation_correct,
    flag_agreement,
    grounding_check,
    resolve_citations,
)
from domainllm.rag.hypothetical_questions import (
    HypotheticalQuestionRetriever,
    generate_questions,
    question_chunks,
)
from domainllm.rag.injection import ATTACKS, Attack, attack_succeeded, inject
from domainllm.rag.injection_defences import DEFENCES, guarded_messages, is_instruction_like, is_suspect
from domainllm.rag.injection_trial import AttackTrial, prompt_answerer, run_attack_trial
from domainllm.rag.lab_tables import (
    interval,
    recall_bars,
    recall_curves,
    report_bars,
    report_estimate,
    report_estimates,
    report_table,
    retrieval_table,
)
from domainllm.rag.pipeline import RagPipeline, rag_messages
from domainllm.rag.post_retrieval_tables import (
    CitationReport,
    best_variant_numbers,
    citation_report,
    compression_figure,
    dedup_table,
)
from domainllm.rag.pre_retrieval_tables import (
    ContractSubset,
    contract_subset,
    recall_summary_table,
    transform_table,
)
from domainllm.rag.query_transforms import (
    TransformedRetriever,
    decompose_questions,
    doc_type_filter,
    hyde_passages,
    lookup,
    multi_queries,
    rewrite_queries,
)
from domainllm.rag.recipes import (
    NAIVE_INDEX,
    PIPELINES,
    SECTION_INDEX,
    IndexKey,
    IndexRecipe,
    PipelineRecipe,
    build_index,
    make_pipeline,
)
from domainllm.rag.reranking import LLMReranker, RerankingRetriever
from domainllm.rag.retrievers import ChunkIndex, FilteredRetriever, make_retriever

__all__ = [
    "chunk_documents",
    "contract_filter",
    "contract_header",
    "contract_ids_in",
    "ChunkIndex",
    "FilteredRetriever",
    "make_retriever",
    "reciprocal_rank_fusion",
    "TransformedRetriever",
    "decompose_questions",
    "doc_type_filter",
    "hyde_passages",
    "lookup",
    "multi_queries",
    "rewrite_queries",
    "HypotheticalQuestionRetriever",
    "generate_questions",
    "question_chunks",
    "LLMReranker",
    "RerankingRetriever",
    "CompressingRetriever",
    "SentenceCompressor",
    "tokens_saved",
    "ReorderingRetriever",
    "deduplicate",
    "any_citations",
    "citation_correct",
    "flag_agreement",
    "grounding_check",
    "resolve_citations",
    "ATTACKS",
    "Attack",
    "attack_succeeded",
    "inject",
    "DEFENCES",
    "guarded_messages",
    "is_instruction_like",
    "is_suspect",
    "AttackTrial",
    "prompt_answerer",
    "run_attack_trial",
    "RagPipeline",
    "rag_messages",
    "IndexKey",
    "IndexRecipe",
    "PipelineRecipe",
    "NAIVE_INDEX",
    "SECTION_INDEX",
    "PIPELINES",
    "build_index",
    "make_pipeline",
    "rag_explorer",
    "interval",
    "recall_bars",
    "recall_curves",
    "report_bars",
    "report_estimate",
    "report_estimates",
    "report_table",
    "retrieval_table",
    "ContractSubset",
    "contract_subset",
    "recall_summary_table",
    "transform_table",
    "CitationReport",
    "best_variant_numbers",
    "citation_report",
    "compression_figure",
    "dedup_table",
]
