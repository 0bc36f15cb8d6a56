"""Data card: validate a generated corpus folder: front matter, unique ids, evidence spans, question files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domainllm.corpus.documents import Document, parse_document, resolve_source
from domainllm.files import DataFileError, jsonl_records

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


def _check_span(where: str, span: Any, documents: dict[str, Document],
                references: list[str] | None, problems: list[str]) -> None:  # fmt: skip
    if not isinstance(span, dict):
        problems.append(
            f"{where}: evidence must be an object {{doc_id, start, end}}, got {type(span).__name__} {span!r:.60}."
        )
        return
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


def _read_rows(path: Path, problems: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """Every readable record with its line number; each unreadable line is one problem."""
    if not path.is_file():
        problems.append(f"{path}: missing.")
        return []
    try:
        records, bad_lines = jsonl_records(path)
    except DataFileError as exc:
        problems.append(str(exc))
        return []
    problems.extend(bad_lines)
    return records


def _field_types(where: str, row: dict[str, Any], expected: dict[str, tuple[type, ...]],
                 problems: list[str]) -> bool:  # fmt: skip
    """Report each field of ``row`` whose type is wrong (missing counts too); True if all are right."""
    ok = True
    for name, types in expected.items():
        value = row.get(name)
        if not isinstance(value, types):
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            got = (
                "missing"
                if name not in row
                else "null"
                if value is None
                else f"{_TYPE_NAMES.get(type(value), type(value).__name__)} {value!r:.60}"
            )
            problems.append(f"{where}: field {name!r} must be {wanted}, got {got}.")
            ok = False
    return ok


def _strings(where: str, name: str, value: Any, problems: list[str]) -> list[str]:
    """``value`` if it is a list of strings, else a problem and []."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    problems.append(f"{where}: field {name!r} must be a list of strings, got {value!r:.60}.")
    return []


_TYPE_NAMES = {str: "a string", int: "a whole number", dict: "an object", list: "a list", bool: "true or false",
               type(None): "null", float: "a number"}  # fmt: skip
_FACT_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "doc_id": (str,), "category": (str,), "value": (str,), "evidence": (dict,),
    "aliases": (list,), "start": (int,), "end": (int,),
}  # fmt: skip
_QUESTION_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "question": (str,), "answer": (str,), "evidence": (list,), "aliases": (list,),
}  # fmt: skip


def check_corpus(root: str | Path) -> CheckReport:
    """Check the corpus under ``root`` (a data folder or its ``corpus/`` subfolder).

    Every problem names its file and line (or record); a bad line does not hide the rest of
    its file. Problems with the files' format (unreadable lines, front matter) come first.
    """
    report = CheckReport()
    structural: list[str] = []  # unreadable files and lines: listed first
    problems: list[str] = []
    source = resolve_source(Path(root))
    documents = _load_documents(source.corpus_dir, structural)
    if not documents:
        structural.append(f"{source.corpus_dir}: no documents.")
    facts_path = source.path / "facts.jsonl"
    facts = _read_rows(facts_path, structural)
    fact_ids: set[Any] = set()
    categories: set[str] = set()
    for number, fact in facts:
        where = f"{facts_path.name} line {number} ({fact.get('id')})"
        _field_types(where, fact, _FACT_FIELDS, problems)
        fact_id = fact.get("id")
        if isinstance(fact_id, str):
            if fact_id in fact_ids:
                problems.append(f"{where}: duplicate fact id.")
            fact_ids.add(fact_id)
        if isinstance(fact.get("category"), str):
            categories.add(fact["category"])
        value = fact.get("value")
        aliases = fact.get("aliases")
        references = [value if isinstance(value, str) else ""]
        if isinstance(aliases, list):
            references += _strings(where, "aliases", aliases, problems)
        if isinstance(fact.get("evidence"), dict):
            _check_span(where, fact["evidence"], documents, references, problems)
        if isinstance(fact.get("doc_id"), str):
            value_span = {"doc_id": fact.get("doc_id"), "start": fact.get("start"), "end": fact.get("end")}
            _check_span(f"{where} value", value_span, documents, references, problems)
    question_counts: dict[str, int] = {}
    question_ids: set[Any] = set()
    for path in sorted((source.path / "qa").glob("*.jsonl")):
        rows = _read_rows(path, structural)
        question_counts[path.stem] = len(rows)
        if path.stem == "summaries":
            for number, row in rows:
                if not isinstance(row.get("doc_id"), str) or row["doc_id"] not in documents:
                    problems.append(
                        f"{path.name} line {number} ({row.get('id')}): unknown document {row.get('doc_id')!r}."
                    )
            continue
        for number, row in rows:
            where = f"{path.name} line {number} ({row.get('id')})"
            _field_types(where, row, _QUESTION_FIELDS, problems)
            if row.get("id") in question_ids:
                problems.append(f"{where}: duplicate question id.")
            if isinstance(row.get("id"), str):
                question_ids.add(row["id"])
            evidence = row.get("evidence")
            spans = evidence if isinstance(evidence, list) else []
            aliases = row.get("aliases")
            aliases = _strings(where, "aliases", aliases, problems) if isinstance(aliases, list) else []
            answer = row.get("answer") if isinstance(row.get("answer"), str) else ""
            single = row.get("kind") in ("fact", "amended") and len(spans) == 1
            references = [answer, *aliases] if single else None
            for span in spans:
                _check_span(where, span, documents, references, problems)
    contracts = [doc for doc in documents.values() if doc.type != "amendment"]
    words = [len(doc.text.split()) for doc in documents.values()]
    report.problems[:] = structural + problems
    report.summary = {
        "documents": len(documents),
        "contracts": len(contracts),
        "amendments": len(documents) - len(contracts),
        "types": dict(sorted(Counter(doc.type for doc in contracts).items())),
        "counterparties": len({doc.parties[-1] for doc in contracts if doc.parties}),
        "facts": len(facts),
        "categories": len(categories),
        "words per document": f"{min(words)}-{max(words)}" if words else "n/a",
        "questions": question_counts,
    }
    return report
