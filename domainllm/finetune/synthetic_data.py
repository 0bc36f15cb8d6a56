"""Lab 6 (synthetic data): the whole pipeline, from passages to a judged, de-duplicated, leak-free set.

Two sources write pairs from the same seeded sample of passages
(:mod:`domainllm.finetune.passages`): ``template`` pairs, one fixed question per fact a passage
states (:mod:`domainllm.finetune.template_pairs`), and ``llm`` pairs the generator writes, parsed
strictly (:mod:`domainllm.finetune.llm_pairs`). Then a judge (:mod:`domainllm.finetune.judge`)
keeps or rejects each pair, :func:`~domainllm.finetune.qa_pairs.deduplicate` drops repeated
questions about the same contract, and the leakage check (:mod:`domainllm.finetune.leakage`)
proves that no pair repeats or nearly repeats a test question and that no pair comes from, or
names, a contract held out in ``test_fresh``.
:func:`training_pairs` runs all of it and returns the checked records. No training run of the book
uses them yet (the fine-tuned models train on the gold ``train`` questions); lab 6 says so.
:mod:`domainllm.finetune.fact_checks` measures pairs and judges against the fact table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import load_corpus
from domainllm.finetune.leakage import LeakageReport, leakage_report, without_leaks
from domainllm.finetune.llm_pairs import LLMPairs, generate_llm_pairs
from domainllm.finetune.passages import (
    choose_passages,
    load_facts,
    passage_chunks,
    sample_size,
    training_documents,
)
from domainllm.finetune.qa_pairs import Duplicate, QAPair, deduplicate
from domainllm.finetune.template_pairs import template_pairs
from domainllm.rag.chunking import Chunk

SOURCES = ("template", "llm")


@dataclass
class SyntheticSet:
    """Every stage of :func:`build_synthetic_set`, for inspection (the final pairs are ``pairs``).

    ``screen`` is the leakage check of the de-duplicated pairs (its leaks were dropped);
    ``leakage`` the check of the final pairs, which found nothing (or it would have raised).
    """

    passages: list[Chunk]
    templates: list[QAPair]
    llm: LLMPairs
    verdicts: list[tuple[QAPair, Any]]
    duplicates: list[Duplicate]
    screen: LeakageReport
    leakage: LeakageReport
    pairs: list[QAPair]

    def records(self) -> list[dict[str, str]]:
        """The final pairs as training records (question, answer, doc_id, source)."""
        return [pair.record() for pair in self.pairs]


def build_synthetic_set(
    generator: Any = None,
    judge: Any = None,
    settings: Settings | None = None,
    source: str | Path | None = None,
    n_passages: int | None = None,
    progress: bool | None = None,
) -> SyntheticSet:
    """Sample passages, write template and LLM pairs, judge, de-duplicate, drop and check leakage.

    Defaults: the configured generator (:func:`~domainllm.runtime.models.load_generator`), the
    configured judge (:func:`~domainllm.finetune.judge.load_judge`), :func:`sample_size` passages drawn
    with the settings' seed. Generation and judge scores come from the disk cache when present,
    so calling this again with the same settings is quick. Pairs that leak are dropped, then the
    final set is checked again (raising LeakageError if anything were left).
    """
    settings = settings or get_settings()
    if generator is None:
        from domainllm.runtime.models import load_generator

        generator = load_generator(settings)
    if judge is None:
        from domainllm.finetune.judge import load_judge

        judge = load_judge(settings=settings)
    documents = training_documents(source)
    facts = load_facts(source)
    passages = choose_passages(
        passage_chunks(documents), facts, n_passages or sample_size(settings), settings.seed
    )
    templates = template_pairs(passages, facts, load_corpus(source))
    llm = generate_llm_pairs(passages, generator, progress=progress)
    candidates = templates + llm.pairs
    verdicts = list(zip(candidates, judge.grade_many([p.item for p in candidates]), strict=True))
    unique, duplicates = deduplicate([p for p, v in verdicts if v.keep])
    screen = leakage_report(unique, source=source, raise_on_leak=False)
    final = without_leaks(unique, screen)
    report = leakage_report(final, source=source)  # the proof: raises if anything still leaks
    return SyntheticSet(passages, templates, llm, verdicts, duplicates, screen, report, final)


def training_pairs(
    generator: Any = None,
    judge: Any = None,
    settings: Settings | None = None,
    source: str | Path | None = None,
    n_passages: int | None = None,
) -> list[dict[str, str]]:
    """The filtered synthetic training set as records ``{"question", "answer", "doc_id", "source"}``.

    Same arguments as :func:`build_synthetic_set`; with the defaults it returns exactly the set
    lab 6 builds (from the cache, once lab 6 has run).
    """
    return build_synthetic_set(generator, judge, settings, source, n_passages, progress=False).records()
