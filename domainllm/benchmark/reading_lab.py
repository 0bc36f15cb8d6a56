"""Lab 4b (reading): several readers on the same passages, scored, and a reason for every miss.

Every reader gets the very same retrieved passages, so differences are the reader's own. Each
wrong answer gets one reason (:mod:`domainllm.benchmark.failure_reasons`).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from domainllm.benchmark.evaluation import pipeline_report
from domainllm.benchmark.failure_reasons import REASONS, failure_reason
from domainllm.corpus.lab_requirements import lab_needs as lab_needs  # lab 4b imports it from here
from domainllm.corpus.records import Question
from domainllm.metrics.significance import verdict
from domainllm.metrics.stats import paired_bootstrap
from domainllm.paths import REPO_ROOT
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import strip_citations
from domainllm.rag.pipeline import RagAnswer
from domainllm.rag.readers import Reader, Reading
from domainllm.runtime.memory import trim_heap

CUAD_SAMPLE_ENV = "DOMAINLLM_CUAD_SAMPLE"


def cuad_sample() -> Path | None:
    """The CUAD sample the lab reads: ``$DOMAINLLM_CUAD_SAMPLE``, else the development sample beside
    the repository (``../shared/cuad-dev/CUAD_dev.json``) or in ``data/cuad/``, else the three real
    CUAD contracts the tests ship (``tests/fixtures/cuad_three.json``); None if none exists."""
    candidates = [os.environ.get(CUAD_SAMPLE_ENV, "")]
    candidates += [
        str(REPO_ROOT.parent / "shared" / "cuad-dev" / "CUAD_dev.json"),
        str(REPO_ROOT / "data" / "cuad" / "CUAD_dev.json"),
        str(REPO_ROOT / "tests" / "fixtures" / "cuad_three.json"),
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
        # readers generate in batches of different lengths: hand their freed memory back before the
        # next reader (lab 4b's kernel held 0.3 GB of freed pages between readers otherwise)
        gc.collect()
        trim_heap()
    return reports


def miss_reason(question: Question, chunks: Sequence[Chunk], reading: Reading) -> str:
    """Why a reader's answer is wrong (or ``correct``), by :func:`failure_reason`."""
    return failure_reason(question, strip_citations(reading.answer), chunks, reading.spans)


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


CUAD_READERS = {
    "one": "one sentence (told the contract)",
    "two": "two sentences (told the contract)",
    "extractive": "extractive",
    "clause": "clause",
}


def cuad_glue(reports: Mapping[str, Mapping[str, Any]]) -> dict[str, str | int]:
    """The CUAD numbers lab 4b's text pastes (``lab04b_cuad_...``); "not measured" without a sample.

    Each reader's token recall, ROUGE-L recall, span F1 and answer length with intervals, and the
    clause reader against the one-sentence baseline in token recall: the paired difference and
    its verdict (:func:`domainllm.metrics.verdict`).
    """
    values: dict[str, str | int] = {}
    for tag, name in CUAD_READERS.items():
        for metric, digits in (
            ("token_recall", 2),
            ("rouge_l_recall", 2),
            ("span_f1", 2),
            ("answer_chars", 0),
        ):
            key = f"lab04b_cuad_{tag}_{'chars' if metric == 'answer_chars' else metric}"
            if name not in reports:
                values[key] = "not measured (no CUAD sample)"
                continue
            e = reports[name]["metrics"][metric]
            values[key] = f"{e['mean']:.{digits}f} [{e['low']:.{digits}f}, {e['high']:.{digits}f}]"
    values["lab04b_cuad_n"] = len(reports.get("clause", {}).get("readings", []))
    if CUAD_READERS["one"] in reports and "clause" in reports:
        baseline = reports[CUAD_READERS["one"]]["per_question"]["token_recall"]
        clause = reports["clause"]["per_question"]["token_recall"]
        values["lab04b_cuad_lift"] = str(paired_bootstrap(baseline, clause))
        values["lab04b_cuad_verdict"] = str(verdict(baseline, clause))
    else:
        values["lab04b_cuad_lift"] = values["lab04b_cuad_verdict"] = "not measured (no CUAD sample)"
    return values
