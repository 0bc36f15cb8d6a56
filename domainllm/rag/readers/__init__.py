"""Readers: the stage that turns retrieved passages into an answer (lab 4b).

``generative`` (the generator writes freely), ``grounded`` (it may only copy from the passages),
``extractive`` (a small encoder fine-tuned to point at the answer span) and ``clause`` (whole
clauses with their character spans). Every reader returns :class:`Reading` objects; choose one by
name with :func:`make_reader`.
"""

from __future__ import annotations

from domainllm.rag.readers.base import (
    ABSTAIN,
    EMPTY_QUESTION,
    Reader,
    Reading,
    locate,
    make_reader,
    reader_names,
    register_reader,
)
from domainllm.rag.readers.clause_types import ClauseTypes, clause_types
from domainllm.rag.readers.clauses import ClauseReader
from domainllm.rag.readers.extractive import ExtractiveReader
from domainllm.rag.readers.generative import GenerativeReader
from domainllm.rag.readers.grounded import CopyConstraint, GroundedReader
from domainllm.rag.readers.nearest_sentence import NearestSentenceReader, gold_contract_passages
from domainllm.rag.readers.span_training import SpanRecipe, single_document, train_span_reader

__all__ = [
    "ABSTAIN",
    "EMPTY_QUESTION",
    "Reader",
    "Reading",
    "GenerativeReader",
    "GroundedReader",
    "CopyConstraint",
    "ExtractiveReader",
    "ClauseReader",
    "ClauseTypes",
    "clause_types",
    "NearestSentenceReader",
    "gold_contract_passages",
    "SpanRecipe",
    "single_document",
    "train_span_reader",
    "locate",
    "make_reader",
    "reader_names",
    "register_reader",
]
