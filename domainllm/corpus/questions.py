"""Lab 0 (set-up) and the data card: gold questions and reference summaries for the chosen corpus.

Generated corpora ship five splits in ``qa/`` (see ``SPLITS``). For CUAD every question is placed in
``test_paraphrase`` (CUAD's questions are worded independently of any training data here); the
other splits and the summaries are empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainllm.corpus.cuad import load_cuad
from domainllm.corpus.documents import resolve_source
from domainllm.corpus.records import ANSWER_FORMS, CUAD_SPLIT, Evidence, Question, Summary
from domainllm.files import DataFileError, read_jsonl

SPLITS = ("train", "dev", "test_paraphrase", "test_fresh", "test_multidoc")
_REQUIRED = ("id", "question", "answer", "evidence", "category", "split", "template")


def question_from_row(row: dict[str, Any], where: str) -> Question:
    """Build a Question from one JSONL record; ``where`` names the file and record in errors."""
    missing = [name for name in _REQUIRED if name not in row]
    if missing:
        raise DataFileError(f"{where}: question lacks field(s): {', '.join(missing)}.")
    try:
        evidence = tuple(Evidence(str(e["doc_id"]), int(e["start"]), int(e["end"])) for e in row["evidence"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"{where}: malformed evidence {row['evidence']!r}.") from exc
    form = str(row.get("form", "value"))
    if form not in ANSWER_FORMS:
        raise DataFileError(f"{where}: answer form {form!r} is not one of {', '.join(ANSWER_FORMS)}.")
    return Question(
        id=str(row["id"]),
        question=str(row["question"]),
        answer=str(row["answer"]),
        aliases=tuple(str(alias) for alias in row.get("aliases", ())),
        evidence=evidence,
        category=str(row["category"]),
        split=str(row["split"]),
        template=str(row["template"]),
        kind=str(row.get("kind", "fact")),
        answers=tuple(str(answer) for answer in row.get("answers", ())),
        form=form,
    )


def load_questions(split: str, source: str | Path | None = None) -> list[Question]:
    """The questions of one split of the chosen corpus (``source`` as in ``load_corpus``)."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; choose one of: {', '.join(SPLITS)}.")
    resolved = resolve_source(source)
    if resolved.kind == "cuad":
        return list(load_cuad(resolved.path).questions) if split == CUAD_SPLIT else []
    path = resolved.path / "qa" / f"{split}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(
            f"No question file {path}; generate one with 'python -m domainllm corpus generate'."
        )
    return [question_from_row(row, f"{path}: record {n}") for n, row in enumerate(read_jsonl(path), start=1)]


def load_summaries(source: str | Path | None = None) -> list[Summary]:
    """Reference summaries of the chosen corpus (none for CUAD)."""
    resolved = resolve_source(source)
    if resolved.kind == "cuad":
        return []
    path = resolved.path / "qa" / "summaries.jsonl"
    summaries = []
    for number, row in enumerate(read_jsonl(path), start=1):
        try:
            summaries.append(Summary(str(row["id"]), str(row["doc_id"]), str(row["summary"])))
        except KeyError as exc:
            raise DataFileError(f"{path}: record {number} lacks field {exc}.") from exc
    return summaries
