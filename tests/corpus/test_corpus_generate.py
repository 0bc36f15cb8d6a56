"""The generator reproduces the committed corpus and meets the portfolio's requirements."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from domainllm.cli.commands import main
from domainllm.corpus.documents import load_corpus
from domainllm.corpus.portfolio.phrasings import PHRASINGS
from domainllm.corpus.portfolio.values import date, duration, money, number_words, percent
from domainllm.files import read_jsonl
from domainllm.paths import DATA_DIR

GENERATED = ("corpus", "qa", "facts.jsonl", "generation.json")


def _files(root: Path) -> dict[str, bytes]:
    found = {}
    for name in GENERATED:
        path = root / name
        paths = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in paths:
            if file.is_file():
                found[str(file.relative_to(root))] = file.read_bytes()
    return found


@pytest.fixture(scope="module")
def documents():
    return load_corpus(DATA_DIR)


@pytest.fixture(scope="module")
def facts():
    return read_jsonl(DATA_DIR / "facts.jsonl")


def test_default_generation_reproduces_committed_files_byte_for_byte(tmp_path):
    assert main(["corpus", "generate", "--out", str(tmp_path)]) == 0
    fresh, committed = _files(tmp_path), _files(DATA_DIR)
    assert sorted(fresh) == sorted(committed)
    different = [name for name in fresh if fresh[name] != committed[name]]
    assert not different, f"regenerated files differ: {different[:5]}"


def test_generation_is_seeded(tmp_path):
    main(["corpus", "generate", "--out", str(tmp_path / "a"), "--seed", "7", "--contracts", "12"])
    main(["corpus", "generate", "--out", str(tmp_path / "b"), "--seed", "7", "--contracts", "12"])
    main(["corpus", "generate", "--out", str(tmp_path / "c"), "--seed", "8", "--contracts", "12"])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_portfolio_size_types_counterparties_and_length(documents):
    contracts = [doc for doc in documents if doc.type != "amendment"]
    assert len(contracts) >= 40
    assert len({doc.type for doc in contracts}) >= 6
    assert len({doc.metadata["counterparty"] for doc in contracts}) >= 20
    for doc in documents:
        assert 800 <= len(doc.text.split()) <= 2500, doc.id


def test_contracts_use_numbered_markdown_sections(documents):
    for doc in documents:
        headings = re.findall(r"^## (\d+)\. \S", doc.text, flags=re.MULTILINE)
        assert [int(n) for n in headings] == list(range(1, len(headings) + 1)), doc.id
        assert len(headings) >= 8
    first_contract = next(doc for doc in documents if doc.type != "amendment")
    assert "## 1. Definitions" in first_contract.text


def test_facts_cover_twenty_categories_in_three_phrasings(facts):
    categories = {fact["category"] for fact in facts}
    assert len(categories) >= 20
    phrasings = defaultdict(set)
    for fact in facts:
        phrasings[fact["category"]].add(fact["phrasing"])
    thin = {category: len(seen) for category, seen in phrasings.items() if len(seen) < 3}
    assert not thin, f"categories seen in fewer than three phrasings: {thin}"
    assert all(len(templates) >= 3 for templates in PHRASINGS.values())


def test_fact_spans_hold_the_written_value(documents, facts):
    texts = {doc.id: doc.text for doc in documents}
    for fact in facts:
        assert texts[fact["doc_id"]][fact["start"] : fact["end"]] == fact["surface"]
        evidence = fact["evidence"]
        assert evidence["start"] <= fact["start"] < fact["end"] <= evidence["end"]


def test_numbers_appear_in_words_and_figures(facts):
    surfaces = {fact["surface"] for fact in facts}
    assert any(re.fullmatch(r"[a-z-]+ \(\d+\) days", surface) for surface in surfaces)
    assert any(re.fullmatch(r"\d+ days", surface) for surface in surfaces)


def test_distractors_several_dates_and_notice_periods(documents, facts):
    by_doc = defaultdict(set)
    for fact in facts:
        by_doc[fact["doc_id"]].add(fact["category"])
    supply = next(doc for doc in documents if doc.type == "supply")
    assert {
        "termination_for_convenience",
        "termination_for_breach",
        "notice_period_to_terminate_renewal",
    } <= (by_doc[supply.id])
    assert len(re.findall(r"\b(?:19|20)\d\d\b", supply.text)) >= 4


def test_boilerplate_is_shared(documents):
    paragraphs = defaultdict(int)
    for doc in documents:
        for paragraph in doc.text.split("\n\n"):
            paragraphs[re.sub(r"^\d+\.\d+ ", "", paragraph)] += 1
    assert sum(1 for count in paragraphs.values() if count >= 10) >= 10


def test_amendments_supersede_facts_of_earlier_contracts(documents, facts):
    by_id = {doc.id: doc for doc in documents}
    amended = [fact for fact in facts if fact["amends"]]
    assert len(amended) >= 5
    for fact in amended:
        original = next(f for f in facts if f["id"] == fact["amends"])
        assert original["current"] is False and original["superseded_by"] == fact["id"]
        assert original["value"] != fact["value"]
        amendment = by_id[fact["doc_id"]]
        assert amendment.type == "amendment" and amendment.metadata["amends"] == original["doc_id"]
        assert amendment.effective_date > by_id[original["doc_id"]].effective_date


def test_value_formatting():
    assert number_words(45) == "forty-five"
    assert number_words(2_500_000) == "two million five hundred thousand"
    assert duration(30, "days", 0).surface == "thirty (30) days"
    assert "thirty (30) days" in duration(30, "days", 1).aliases
    assert money(2_000_000, 0).canonical == "USD 2,000,000"
    assert percent(7.5, 1).surface == "7.5%"
    import datetime as dt

    assert "2024-02-29" in date(dt.date(2024, 2, 29), 0).aliases


def test_scales_to_many_contracts_and_checks_clean(tmp_path, capsys):
    out = tmp_path / "big"
    assert main(["corpus", "generate", "--out", str(out), "--contracts", "400", "--seed", "3"]) == 0
    assert len(list((out / "corpus").glob("*.md"))) >= 400
    assert main(["corpus", "check", str(out)]) == 0
    assert "OK" in capsys.readouterr().out
    assert json.loads((out / "generation.json").read_text())["contracts"] == 400


def test_regenerating_fewer_contracts_removes_stale_files(tmp_path):
    main(["corpus", "generate", "--out", str(tmp_path), "--contracts", "30"])
    main(["corpus", "generate", "--out", str(tmp_path), "--contracts", "10"])
    assert len([p for p in (tmp_path / "corpus").glob("*.md") if "-A" not in p.stem]) == 10
