"""Lab 4b (reading): several readers on the same passages, scored, and a reason for every miss.

Every reader gets the very same retrieved passages, so differences are the reader's own. A wrong
answer gets one reason, checked in this order: a *retrieval miss* (no passage holds the gold
evidence), an *abstention*, a *format failure* (the right value inside too long an answer, or
the gold clause inside a much longer one) or a *reading failure* (a wrong value or clause).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from domainllm.benchmark.evaluation import pipeline_report
from domainllm.corpus.records import Question
from domainllm.metrics.answers import contains_answer, normalize_answer
from domainllm.metrics.retrieval import is_relevant
from domainllm.metrics.spans import span_scores
from domainllm.metrics.value_match import value_accuracy
from domainllm.paths import REPO_ROOT
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import strip_citations
from domainllm.rag.pipeline import RagAnswer
from domainllm.rag.readers import ABSTAIN, Reader, Reading

CUAD_SAMPLE_ENV = "DOMAINLLM_CUAD_SAMPLE"
REASONS = ("correct", "retrieval miss", "abstention", "format failure", "reading failure")


def cuad_sample() -> Path | None:
    """The CUAD sample the lab reads: ``$DOMAINLLM_CUAD_SAMPLE``, else the development sample beside
    the repository (``../shared/cuad-dev/CUAD_dev.json``) or in ``data/cuad/``; None if none exists."""
    candidates = [os.environ.get(CUAD_SAMPLE_ENV, "")]
    candidates += [
        str(REPO_ROOT.parent / "shared" / "cuad-dev" / "CUAD_dev.json"),
        str(REPO_ROOT / "data" / "cuad" / "CUAD_dev.json"),
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@contextmanager
def using_corpus(source: str) -> Iterator[None]:
    """Switch ``DOMAINLLM_CORPUS`` to ``source`` inside the block, and back after it."""
    before = os.environ.get("DOMAINLLM_CORPUS")
    os.environ["DOMAINLLM_CORPUS"] = source
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DOMAINLLM_CORPUS", None)
        else:
            os.environ["DOMAINLLM_CORPUS"] = before


def lab_sample(split: str, n: int, seed: int | None = None) -> list[Question]:
    """A seeded sample of ``n`` answered questions of ``split`` (CUAD: those whose clause the contract has)."""
    from domainllm.benchmark.evaluation import sample_questions
    from domainllm.config import get_settings
    from domainllm.corpus.questions import load_questions

    answered = [q for q in load_questions(split) if q.answer.strip()]
    return sample_questions(answered, n, seed=get_settings().seed if seed is None else seed)


def compare_readers(
    readers: Mapping[str, Reader], questions: Sequence[Question], passages: Sequence[Sequence[Chunk]]
) -> dict[str, dict[str, Any]]:
    """Each reader's report (metrics with intervals, as ``bench rag`` gives them) on the same passages;
    ``report["readings"]`` keeps its answers for a closer look."""
    reports = {}
    for name, reader in readers.items():
        readings = reader.read(questions, passages)
        answers = [
            RagAnswer(
                q,
                r.answer,
                list(c),
                r.prompt_tokens,
                r.completion_tokens,
                r.seconds,
                r.spans,
                r.citation,
                r.note,
            )
            for q, c, r in zip(questions, passages, readings, strict=True)
        ]
        reports[name] = pipeline_report(answers) | {"readings": readings}
    return reports


def miss_reason(question: Question, chunks: Sequence[Chunk], reading: Reading) -> str:
    """Why an answer is wrong (or ``correct``): see the module docstring for the order of the checks."""
    text = strip_citations(reading.answer)
    if question.form == "clause":
        scores = span_scores(reading.spans, question.evidence)
        if scores["span_f1"] >= 0.5:
            return "correct"
        long_answer = scores["span_recall"] >= 0.5
    else:
        if value_accuracy(text, question.references):
            return "correct"
        long_answer = bool(contains_answer(text, question.references))
    if question.evidence and not any(is_relevant(c, question.evidence) for c in chunks):
        return "retrieval miss"
    if normalize_answer(text) == normalize_answer(ABSTAIN) or not text:
        return "abstention"
    return "format failure" if long_answer else "reading failure"


def miss_table(
    reports: Mapping[str, Mapping[str, Any]],
    questions: Sequence[Question],
    passages: Sequence[Sequence[Chunk]],
) -> pd.DataFrame:
    """How many answers of each reader fall under each reason (rows: readers, columns: reasons)."""
    rows = {}
    for name, report in reports.items():
        counts = Counter(
            miss_reason(q, c, r) for q, c, r in zip(questions, passages, report["readings"], strict=True)
        )
        rows[name] = {reason: counts.get(reason, 0) for reason in REASONS}
    return pd.DataFrame(rows).T


def answers_table(
    reports: Mapping[str, Mapping[str, Any]],
    questions: Sequence[Question],
    passages: Sequence[Sequence[Chunk]],
    limit: int = 6,
    width: int = 90,
) -> pd.DataFrame:
    """The first ``limit`` questions that some reader gets wrong: gold and every reader's answer with its reason."""
    rows = []
    for i, (question, chunks) in enumerate(zip(questions, passages, strict=True)):
        reasons = {
            name: miss_reason(question, chunks, report["readings"][i]) for name, report in reports.items()
        }
        if all(reason == "correct" for reason in reasons.values()):
            continue
        row = {"question": question.question[:width], "gold": question.answer[:width]}
        for name, report in reports.items():
            row[name] = f"{report['readings'][i].answer[:width]!r} ({reasons[name]})"
        rows.append(row)
        if len(rows) == limit:
            break
    return pd.DataFrame(rows)
