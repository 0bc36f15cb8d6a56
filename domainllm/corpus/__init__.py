"""The domain corpus (data card, lab 0): documents, gold questions, CUAD, and values in contract text."""

from __future__ import annotations

from domainllm.corpus.clause_values import canonical_value, find_values
from domainllm.corpus.cuad import load_cuad
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.lab_requirements import lab_needs
from domainllm.corpus.questions import SPLITS, load_questions, load_summaries
from domainllm.corpus.records import Document, Evidence, Question, Summary
from domainllm.corpus.support import answer_support

__all__ = [
    "Document",
    "Evidence",
    "Question",
    "Summary",
    "load_corpus",
    "lab_needs",
    "SPLITS",
    "load_questions",
    "load_summaries",
    "load_cuad",
    "find_values",
    "canonical_value",
    "answer_support",
]
