"""Lab 7 (SFT): its comparison at full size, from the committed benchmark, checked live.

Lab 7 trains the closed-book and the retrieval-aware adapter and scores four systems (the base
model closed-book, closed-book SFT, the best RAG pipeline, RAG with the RAFT adapter). The committed
benchmark (:mod:`domainllm.benchmark.committed`, ``bench all --save``) holds the same four systems,
with the same adapters, on 64 questions per split. So the lab answers a stratified subsample of
those questions live, takes its verdicts (the RAFT gain, its target) from the committed full-size
scores, and fails when the live and committed estimates part. When the page trains other recipes
than the book's (a reader changed a LoRA setting), the committed scores describe other adapters:
the verdicts then come from the live run, and the lab says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domainllm.benchmark.committed import live_check, live_questions, load_committed
from domainllm.benchmark.systems import benchmark_questions
from domainllm.config import Settings, get_settings
from domainllm.corpus.records import Question

SFT_SYSTEMS = ("closed_book", "sft_closed_book", "compressed_rag", "raft_rag")
SINGLE_DOCUMENT_SPLITS = ("train", "dev", "test_paraphrase", "test_fresh")


def sft_lab_questions(
    settings: Settings | None = None,
) -> tuple[dict[str, list[Question]], dict[str, Any] | None]:
    """The questions lab 7 answers live (a stratified subsample of the committed ones, at the
    settings' size), and the committed record (None on a corpus that has none)."""
    record = load_committed(settings=settings)
    questions = live_questions(record, settings) if record else benchmark_questions(settings)
    return {split: questions[split] for split in SINGLE_DOCUMENT_SPLITS if split in questions}, record


def why_live(
    record: Mapping[str, Any] | None, book_recipes: bool, settings: Settings | None = None
) -> str | None:
    """Why the committed scores do not describe this page's adapters (None when they do)."""
    if record is None:
        return "no committed benchmark that matches this corpus and code"
    if not book_recipes:
        return "this page trained other recipes than the committed benchmark's"
    settings = settings or get_settings()
    if record["bench"]["config"]["settings"].get("scale") != settings.scale:
        return "DOMAINLLM_SCALE differs from the committed benchmark's, so the adapters trained for other step counts"
    return None


def full_size_results(
    record: Mapping[str, Any] | None,
    live_results: Mapping[str, Mapping[str, Any]],
    book_recipes: bool,
    settings: Settings | None = None,
) -> tuple[dict[str, dict[str, Any]], str]:
    """The reports lab 7's verdicts use, per system and split, and where they come from: the
    committed full-size reports when they describe this page's adapters, else the live ones."""
    reason = why_live(record, book_recipes, settings)
    if reason or record is None:
        return {name: dict(splits) for name, splits in live_results.items()}, f"live ({reason})"
    committed = record["bench"]["results"]
    full = {
        name: {split: committed[name][split] for split in splits} for name, splits in live_results.items()
    }
    n = record["bench"]["config"]["questions_per_split"]
    return full, f"committed ({n} questions per split, {record['refresh']})"


def sft_live_check(
    record: Mapping[str, Any] | None,
    live_results: Mapping[str, Mapping[str, Any]],
    questions: Mapping[str, list[Question]],
    book_recipes: bool = True,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Each live accuracy beside the committed one on the same questions (raises
    :class:`~domainllm.benchmark.committed.LiveCheckError` when their intervals part); nothing to
    check when the committed scores do not describe this page's adapters (:func:`why_live`)."""
    if why_live(record, book_recipes, settings) or record is None:
        return []
    ids = {split: [q.id for q in qs] for split, qs in questions.items()}
    return live_check({"results": live_results, "config": {"question_ids": ids}}, record)
