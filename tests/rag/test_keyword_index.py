"""The keyword index groups chapters by keyword, case-insensitively, in a stable order."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_extension():
    spec = importlib.util.spec_from_file_location("keyword_index", ROOT / "_ext" / "keyword_index.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("keyword_index", module)
    spec.loader.exec_module(module)
    return module


pytest.importorskip("sphinx")
ki = _load_extension()


def write(folder: Path, name: str, title: str, keywords: list[str]) -> Path:
    """Write a chapter with title and keywords into folder/chapters/name."""
    path = folder / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{k}"' for k in keywords)
    path.write_text(f'---\ntitle: "{title}"\ndate: "2024-08-25"\nkeywords: [{listed}]\n---\n\n# {title}\n')
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    write(tmp_path, "rag.md", "Retrieval", ["RAG", "Chunking", "retrieval"])
    write(tmp_path, "ft.md", "Fine-tuning", ["LoRA", "rag", "DPO"])
    write(tmp_path, "sv.md", "Översikt", ["Hämtning", "RAG", "finjustering"])
    write(tmp_path, "hi.md", "अवलोकन", ["फाइन-ट्यूनिंग", "RAG", "Ärende"])
    return tmp_path


def pages_of(book: Path) -> dict:
    return ki.read_pages(book, sorted((book / "chapters").glob("*.md")))


def test_read_pages_uses_docnames(book: Path) -> None:
    pages = pages_of(book)
    assert set(pages) == {"chapters/rag", "chapters/ft", "chapters/sv", "chapters/hi"}
    assert pages["chapters/hi"]["title"] == "अवलोकन"


def test_case_insensitive_grouping(book: Path) -> None:
    entries = {e.keyword: e for e in ki.group_by_keyword(pages_of(book))}
    assert "rag" not in entries
    docs = [doc for doc, _ in entries["RAG"].pages]
    assert docs == ["chapters/ft", "chapters/sv", "chapters/rag", "chapters/hi"]


def test_pages_sorted_by_title_then_docname(book: Path) -> None:
    entry = next(e for e in ki.group_by_keyword(pages_of(book)) if e.keyword == "RAG")
    titles = [title for _, title in entry.pages]
    assert titles == sorted(titles, key=ki.sort_key)


def test_order_is_locale_independent_and_includes_other_scripts(book: Path) -> None:
    keywords = [e.keyword for e in ki.group_by_keyword(pages_of(book))]
    assert keywords == [
        "Ärende",
        "Chunking",
        "DPO",
        "finjustering",
        "Hämtning",
        "LoRA",
        "RAG",
        "retrieval",
        "फाइन-ट्यूनिंग",
    ]


def test_most_common_spelling_wins() -> None:
    pages = {
        "a": {"title": "A", "keywords": ["fine-tuning"]},
        "b": {"title": "B", "keywords": ["Fine-tuning"]},
        "c": {"title": "C", "keywords": ["Fine-tuning"]},
    }
    (entry,) = ki.group_by_keyword(pages)
    assert entry.keyword == "Fine-tuning"
    assert [doc for doc, _ in entry.pages] == ["a", "b", "c"]


def test_repeats_whitespace_and_junk_are_tolerated() -> None:
    pages = {
        "a": {"title": "A", "keywords": ["RAG", "rag", "  knowledge   graph ", "", None]},
        "b": {"keywords": "Knowledge graph"},
    }
    entries = ki.group_by_keyword(pages)
    assert [e.keyword for e in entries] == ["knowledge graph", "RAG"]  # a tie goes to the first docname
    rag = next(e for e in entries if e.keyword == "RAG")
    assert rag.pages == [("a", "A")]
    assert entries[0].pages == [("a", "A"), ("b", "b")]


def test_same_input_same_output(book: Path) -> None:
    first = ki.group_by_keyword(pages_of(book))
    second = ki.group_by_keyword(dict(reversed(list(pages_of(book).items()))))
    assert first == second


def test_sort_key_folds_case_and_accents() -> None:
    assert ki.sort_key("Ärende")[0] == "arende"
    assert ki.sort_key("RAG")[0] == ki.sort_key("rag")[0]
    assert ki.sort_key("फाइन")[0] == "फाइन"
