"""Fine-tuning (labs 6-8): synthetic data, SFT with LoRA, retriever tuning, feedback and DPO."""

from __future__ import annotations

from domainllm.finetune.fact_checks import PROBE_KINDS, gold_correct, judge_probes, probe_win_rates
from domainllm.finetune.feedback import FeedbackWidget, LabelLog, evidence_text
from domainllm.finetune.finetuned import (
    EXAMPLE_LABELS,
    closed_book_adapter,
    feedback_candidates,
    feedback_round,
    labels_file,
    my_labels_path,
    raft_adapter,
    raft_examples,
    raft_training_set,
    round_questions,
)
from domainllm.finetune.judge import METHODS, LLMJudge, judge_agreement, load_judge
from domainllm.finetune.leakage import LeakageError, leakage_report, without_leaks
from domainllm.finetune.preferences import agreement, ai_labels, head_to_head, reference_win_rate
from domainllm.finetune.retriever_training import train_retriever, training_triplets, tuned_encoder
from domainllm.finetune.sft import is_abstention
from domainllm.finetune.synthetic_data import (
    SOURCES,
    QAPair,
    choose_passages,
    closest_questions,
    facts_by_chunk,
    fresh_contract_ids,
    generate_llm_pairs,
    load_facts,
    passage_chunks,
    sample_size,
    template_pairs,
    training_documents,
    training_pairs,
)

__all__ = [
    "QAPair",
    "SOURCES",
    "choose_passages",
    "closest_questions",
    "facts_by_chunk",
    "fresh_contract_ids",
    "generate_llm_pairs",
    "load_facts",
    "passage_chunks",
    "sample_size",
    "template_pairs",
    "training_documents",
    "training_pairs",
    "PROBE_KINDS",
    "gold_correct",
    "judge_probes",
    "probe_win_rates",
    "LeakageError",
    "leakage_report",
    "without_leaks",
    "LLMJudge",
    "METHODS",
    "judge_agreement",
    "load_judge",
    "is_abstention",
    "train_retriever",
    "training_triplets",
    "tuned_encoder",
    "FeedbackWidget",
    "LabelLog",
    "evidence_text",
    "agreement",
    "ai_labels",
    "head_to_head",
    "reference_win_rate",
    "EXAMPLE_LABELS",
    "closed_book_adapter",
    "feedback_candidates",
    "feedback_round",
    "labels_file",
    "my_labels_path",
    "raft_adapter",
    "raft_examples",
    "raft_training_set",
    "round_questions",
]
