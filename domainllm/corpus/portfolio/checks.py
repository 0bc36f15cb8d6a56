"""Validate a generated corpus folder: front matter, unique ids, evidence spans, question files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domainllm.corpus.documents import Document, parse_document, resolve_source
from domainllm.files import DataFileError, read_jsonl

MAX_LISTED = 50


@dataclass
class CheckReport:
    """Problems found (empty when the corpus is valid) and summary counts."""

    problems: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        """Human-readable report: the summary, then up to ``MAX_LISTED`` problems."""
        lines = [f"{key}: {value}" for key, value in self.summary.items()]
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s):")
            lines += [f"  - {problem}" for problem in self.problems[:MAX_LISTED]]
            if len(self.problems) > MAX_LISTED:
                lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        else:
            lines.append("OK: no problems found.")
        return "\n".join(lines)


def _contains_reference(span: str, references: list[str]) -> bool:
    folded = span.casefold()
    return any(ref and ref.casefold() in folded for ref in references)


def _check_span(where: str, span: dict[str, Any], documents: dict[str, Document],
                references: list[str] | None, problems: list[str]) -> None:  # fmt: skip
    doc = documents.get(str(span.get("doc_id")))
    if doc is None:
        problems.append(f"{where}: evidence names unknown document {span.get('doc_id')!r}.")
        return
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(doc.text)):
        problems.append(
            f"{where}: evidence span [{start}, {end}) lies outside {doc.id} (text length {len(doc.text)})."
        )
        return
    if references is not None and not _contains_reference(doc.text[start:end], references):
        problems.append(f"{where}: evidence span [{start}, {end}) in {doc.id} does not contain the answer.")


def _load_documents(folder: Path, problems: list[str]) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for path in sorted(folder.glob("*.md")):
        try:
            doc = parse_document(path)
        except DataFileError as exc:
            problems.append(str(exc))
            continue
        if doc.id in documents:
            problems.append(f"{path}: duplicate id {doc.id!r}.")
        elif doc.id != path.stem:
            problems.append(f"{path}: id {doc.id!r} does not match the file name.")
        documents[doc.id] = doc
    return documents


def _read_rows(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    if not path.is_file():
        problems.append(f"{path}: missing.")
        return []
    try:
        return read_jsonl(path)
    except DataFileError as exc:
        problems.append(str(exc))
        return []


def check_corpus(root: str | Path) -> CheckReport:
    """Check the corpus under ``root`` (a data folder or its ``corpus/`` subfolder)."""
    report = CheckReport()
    problems = report.problems
    source = resolve_source(Path(root))
    documents = _load_documents(source.corpus_dir, problems)
    if not documents:
        problems.append(f"{source.corpus_dir}: no documents.")
    facts = _read_rows(source.path / "facts.jsonl", problems)
    fact_ids: set[str] = set()
    for number, fact in enumerate(facts, start=1):
        where = f"facts.jsonl record {number} ({fact.get('id')})"
        if fact.get("id") in fact_ids:
            problems.append(f"{where}: duplicate fact id.")
        fact_ids.add(fact.get("id"))
        references = [fact.get("value", ""), *fact.get("aliases", [])]
        _check_span(where, fact.get("evidence", {}), documents, references, problems)
        value_span = {"doc_id": fact.get("doc_id"), "start": fact.get("start"), "end": fact.get("end")}
        _check_span(f"{where} value", value_span, documents, references, problems)
    question_counts: dict[str, int] = {}
    question_ids: set[str] = set()
    for path in sorted((source.path / "qa").glob("*.jsonl")):
        rows = _read_rows(path, problems)
        question_counts[path.stem] = len(rows)
        if path.stem == "summaries":
            for row in rows:
                if row.get("doc_id") not in documents:
                    problems.append(f"{path.name} {row.get('id')}: unknown document {row.get('doc_id')!r}.")
            continue
        for row in rows:
            where = f"{path.name} {row.get('id')}"
            if row.get("id") in question_ids:
                problems.append(f"{where}: duplicate question id.")
            question_ids.add(row.get("id"))
            single = row.get("kind") in ("fact", "amended") and len(row.get("evidence", [])) == 1
            references = [row.get("answer", ""), *row.get("aliases", [])] if single else None
            for span in row.get("evidence", []):
                _check_span(where, span, documents, references, problems)
    contracts = [doc for doc in documents.values() if doc.type != "amendment"]
    words = [len(doc.text.split()) for doc in documents.values()]
    report.summary = {
        "documents": len(documents),
        "contracts": len(contracts),
        "amendments": len(documents) - len(contracts),
        "types": dict(sorted(Counter(doc.type for doc in contracts).items())),
        "counterparties": len({doc.parties[-1] for doc in contracts}),
        "facts": len(facts),
        "categories": len({fact.get("category") for fact in facts}),
        "words per document": f"{min(words)}-{max(words)}" if words else "n/a",
        "questions": question_counts,
    }
    return report
