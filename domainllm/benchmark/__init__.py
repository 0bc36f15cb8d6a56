"""Benchmarking (labs 5 and 9, the Performance chapter): the same questions, metrics and intervals for every system."""

from __future__ import annotations

from domainllm.benchmark.benchmark_report import (
    METRIC_NAMES,
    SUMMARY_METRIC,
    benchmark_glue,
    headline_metric,
    metric_means_table,
    pareto_chart,
    results_table,
    split_chart_data,
    summary_glue,
    summary_table,
    summary_verdicts,
    usage_table,
)
from domainllm.benchmark.committed import (
    LiveCheckError,
    StaleResultsError,
    book_benchmark,
    committed_questions,
    load_committed,
    run_full_benchmark,
    save_committed,
)
from domainllm.benchmark.comparisons import HEADLINE_METRIC
from domainllm.benchmark.evaluation import retrieval_scores, sample_questions
from domainllm.benchmark.failure_reasons import REASONS, failure_reason, is_correct
from domainllm.benchmark.failure_report import (
    failure_figure,
    reason_counts,
    retrieval_miss_kinds,
    wrong_by_category,
)
from domainllm.benchmark.lab_results import LabScores, lab_comparison, whole_contracts
from domainllm.benchmark.multidoc_bench import (
    KINDS,
    Portfolio,
    llm_extraction_report,
    multidoc_eval_size,
    score_answers,
    scores_report,
    stratified_sample,
)
from domainllm.benchmark.rag_runner import eval_size, evaluate_pipeline, retrieval_report, run_rag_benchmark
from domainllm.benchmark.reading_lab import cuad_sample, lab_needs, lab_sample, using_corpus
from domainllm.benchmark.sft_results import full_size_results, sft_lab_questions, sft_live_check
from domainllm.benchmark.systems import (
    SYSTEMS_BY_NAME,
    SystemSpec,
    benchmark_questions,
    evaluate_system,
    load_or_run_benchmark,
)
from domainllm.corpus.sampling import stratified_by_category

__all__ = [
    "headline_metric",
    "cuad_sample",
    "lab_needs",
    "lab_sample",
    "using_corpus",
    "full_size_results",
    "sft_lab_questions",
    "sft_live_check",
    "LabScores",
    "lab_comparison",
    "whole_contracts",
    "LiveCheckError",
    "StaleResultsError",
    "book_benchmark",
    "committed_questions",
    "load_committed",
    "run_full_benchmark",
    "save_committed",
    "stratified_by_category",
    "REASONS",
    "failure_reason",
    "is_correct",
    "failure_figure",
    "reason_counts",
    "wrong_by_category",
    "retrieval_miss_kinds",
    "retrieval_scores",
    "sample_questions",
    "eval_size",
    "evaluate_pipeline",
    "retrieval_report",
    "run_rag_benchmark",
    "KINDS",
    "Portfolio",
    "llm_extraction_report",
    "multidoc_eval_size",
    "score_answers",
    "scores_report",
    "stratified_sample",
    "HEADLINE_METRIC",
    "SYSTEMS_BY_NAME",
    "SystemSpec",
    "benchmark_questions",
    "evaluate_system",
    "load_or_run_benchmark",
    "results_table",
    "split_chart_data",
    "METRIC_NAMES",
    "SUMMARY_METRIC",
    "benchmark_glue",
    "metric_means_table",
    "pareto_chart",
    "summary_glue",
    "summary_table",
    "summary_verdicts",
    "usage_table",
]
