"""Data card (switching to CUAD): load the real CUAD v1 dataset into the library's Document and Question structures.

CUAD (The Atticus Project, CC BY 4.0) is distributed as ``CUAD_v1.json`` in SQuAD 2.0 form
(Zenodo record 4595826). Select it with ``DOMAINLLM_CORPUS=cuad:/path/to/CUAD_v1.json``.
Each CUAD question asks to highlight the clauses of one category in one contract; here it becomes
a :class:`Question` of answer form ``clause`` whose text names the contract (by its title) and the
category, whose category is parsed from the question, and whose evidence is every highlighted span. Questions without any highlight keep an empty
answer and ``kind="unanswerable"``. All CUAD questions go to the ``test_paraphrase`` split.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from domainllm.corpus.records import CUAD_SPLIT, Document, Evidence, Question
from domainllm.files import DataFileError, read_text_utf8

_CATEGORY = re.compile(r'related to "(?P<category>[^"]+)"')
_DETAILS = re.compile(r"Details:\s*(?P<details>.+)$", re.DOTALL)


@dataclass(frozen=True)
class CuadData:
    """Documents and questions read from one CUAD file."""

    documents: tuple[Document, ...]
    questions: tuple[Question, ...]


def category_slug(label: str) -> str:
    """``"Cap On Liability"`` -> ``cap_on_liability`` (the same ids the generated corpus uses)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def parse_category(question: str) -> str:
    """The clause category id named in a CUAD question, or ``unknown``."""
    return category_slug(category_label(question) or "unknown")


def category_label(question: str) -> str:
    """The category as CUAD words it (``"Governing Law"``), or an empty string."""
    match = _CATEGORY.search(question)
    return match.group("category").strip() if match else ""


def question_text(title: str, question: str) -> str:
    """The question as the library asks it: the contract's title, the category and its details.

    ``In the contract <title>: Governing Law. Which state/country's law governs ...?``
    """
    label = category_label(question)
    details = question_details(question)
    return f"In the contract {title}: {label}. {details}" if label else f"In the contract {title}: {details}"


def question_details(question: str) -> str:
    """The plain-language part of a CUAD question (after ``Details:``), or the whole question."""
    match = _DETAILS.search(question)
    return match.group("details").strip() if match else question.strip()


def _document_id(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-")


def _contract_type(title: str) -> str:
    tail = title.rsplit("_", 1)[-1].strip().lower()
    return tail or "contract"


def _texts(qa: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for answer in qa.get("answers", []):
        text = str(answer.get("text", ""))
        if text and text not in seen:
            seen.append(text)
    return seen


def _convert_entry(entry: dict[str, Any], where: str) -> tuple[Document, list[Question]]:
    title = str(entry["title"])
    doc_id = _document_id(title)
    contexts: list[str] = []
    questions: list[Question] = []
    qas_by_category: dict[str, list[str]] = {}
    offset = 0
    for paragraph in entry["paragraphs"]:
        context = str(paragraph["context"])
        for qa in paragraph.get("qas", []):
            category = parse_category(qa["question"])
            texts = _texts(qa)
            qas_by_category.setdefault(category, texts)
            evidence = tuple(
                Evidence(
                    doc_id, offset + int(a["answer_start"]), offset + int(a["answer_start"]) + len(a["text"])
                )
                for a in qa.get("answers", [])
                if a.get("text")
            )
            unanswerable = bool(qa.get("is_impossible")) or not texts
            questions.append(
                Question(
                    id=str(qa["id"]),
                    question=question_text(title, str(qa["question"])),
                    answer="" if unanswerable else texts[0],
                    aliases=tuple(texts[1:]),
                    evidence=() if unanswerable else evidence,
                    category=category,
                    split=CUAD_SPLIT,
                    template=f"cuad.{category}",
                    kind="unanswerable" if unanswerable else "fact",
                    answers=tuple(texts) if len(texts) > 1 else (),
                    form="clause",
                )
            )
        contexts.append(context)
        offset += len(context) + 2
    dates = qas_by_category.get("effective_date") or qas_by_category.get("agreement_date") or [""]
    document = Document(
        id=doc_id,
        title=title,
        type=_contract_type(title),
        parties=tuple(qas_by_category.get("parties", ())),
        effective_date=dates[0],
        text="\n\n".join(contexts),
        metadata=MappingProxyType({"source": "CUAD v1", "cuad_title": title}),
    )
    return document, questions


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> CuadData:
    try:
        raw = json.loads(read_text_utf8(path))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        raise DataFileError(f"{path}: not in CUAD/SQuAD form (no top-level 'data' list).")
    documents: list[Document] = []
    questions: list[Question] = []
    for number, entry in enumerate(raw["data"], start=1):
        where = f"{path}: data[{number - 1}]"
        try:
            document, entry_questions = _convert_entry(entry, where)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{where} is malformed (missing or bad {exc}).") from exc
        documents.append(document)
        questions.extend(entry_questions)
    documents.sort(key=lambda doc: doc.id)
    return CuadData(tuple(documents), tuple(questions))


def load_cuad(path: str | Path) -> CuadData:
    """Read ``CUAD_v1.json`` (or a file in the same form); cached while the file is unchanged."""
    path = Path(path).expanduser().resolve()
    return _load(path, path.stat().st_mtime)
