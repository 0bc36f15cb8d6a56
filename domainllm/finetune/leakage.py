"""Lab 6 (synthetic data): leakage: does a training set overlap what the model will be tested on?

A training pair leaks when a model trained on it would be scored on something it has seen:

* ``exact``: its question equals a test question after normalization (case, punctuation);
* ``near``: with contract ids masked, its words overlap a test question's with a Jaccard
  similarity of at least ``NEAR_DUPLICATE``, or the two share a run of ``SHARED_NGRAM`` words.
  Masking makes a held-out wording reused for another contract count too (template leakage);
* ``fresh contract``: it comes from, or names, a document held out for ``test_fresh`` (a
  contract signed after the fine-tuning cutoff, or an amendment of one).

:func:`leakage_report` checks a set against every held-out split (``dev`` and the test splits) and raises :class:`LeakageError`
when anything leaks; :func:`without_leaks` drops the flagged pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.corpus.documents import Document, load_corpus
from domainllm.corpus.questions import load_questions
from domainllm.metrics.answers import jaccard, normalize_answer
from domainllm.rag.contract_context import CONTRACT_ID, contract_ids_in

TEST_SPLITS = ("dev", "test_paraphrase", "test_fresh", "test_multidoc")  # every held-out split
NEAR_DUPLICATE = 0.8  # token Jaccard at or above which two questions count as the same
SHARED_NGRAM = 8  # a run of this many tokens shared with a test question is leakage


def base_id(doc_id: str) -> str:
    """The contract an id belongs to: ``SUP-00001-A1`` -> ``SUP-00001`` (other ids unchanged)."""
    match = CONTRACT_ID.fullmatch(doc_id)
    return match[1] if match else doc_id


def fresh_contract_ids(
    source: str | Path | None = None, documents: Sequence[Document] | None = None
) -> set[str]:
    """Ids of documents held out for freshness: they must never feed a training set.

    A document is fresh when its front matter says ``batch: fresh``, when it amends a fresh
    contract, or when ``test_fresh`` cites it as evidence and ``train`` never does.
    """
    documents = list(documents) if documents is not None else load_corpus(source)
    cited = {e.doc_id for q in load_questions("test_fresh", source) for e in q.evidence}
    trained = {e.doc_id for q in load_questions("train", source) for e in q.evidence}
    fresh = (cited - trained) | {d.id for d in documents if d.metadata.get("batch") == "fresh"}
    fresh |= {d.id for d in documents if str(d.metadata.get("amends", "")) in fresh}
    return fresh


def question_tokens(text: str, mask_contracts: bool = False) -> list[str]:
    """Normalized tokens of a question; with ``mask_contracts`` every contract id becomes ``contractid``."""
    if mask_contracts:
        text = CONTRACT_ID.sub(" contractid ", text)
    return normalize_answer(text).split()


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive tokens."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class LeakageError(ValueError):
    """Training pairs overlap a test split; the message lists the first offending pairs."""


@dataclass(frozen=True)
class Leak:
    """One training pair that leaks: ``kind`` is ``exact``, ``near`` or ``fresh contract``.

    ``index`` is the pair's position in the list that was checked.
    """

    index: int
    kind: str
    question: str
    doc_id: str
    test_id: str = ""
    test_question: str = ""
    similarity: float = 0.0


@dataclass
class LeakageReport:
    """What :func:`leakage_report` compared and every leak it found (``ok`` when there is none)."""

    n_pairs: int
    test_questions: dict[str, int]
    fresh_contracts: set[str]
    leaks: list[Leak]
    jaccard: float
    ngram: int

    @property
    def ok(self) -> bool:
        """True when no pair leaks."""
        return not self.leaks

    def counts(self) -> dict[str, int]:
        """Number of leaks of each kind (every kind listed, zeros included)."""
        found = Counter(leak.kind for leak in self.leaks)
        return {kind: found.get(kind, 0) for kind in ("exact", "near", "fresh contract")}

    def __str__(self) -> str:
        tested = ", ".join(f"{split} ({n})" for split, n in self.test_questions.items())
        verdict = "no leakage" if self.ok else f"{len(self.leaks)} leaking pair(s): {self.counts()}"
        return (
            f"{self.n_pairs} pairs against {tested}, {len(self.fresh_contracts)} fresh documents: {verdict}"
        )


def _field(pair: Any, name: str) -> str:
    return str(pair[name] if isinstance(pair, Mapping) else getattr(pair, name))


def leakage_report(
    pairs: Sequence[Any],
    splits: Sequence[str] = TEST_SPLITS,
    source: str | Path | None = None,
    jaccard_threshold: float = NEAR_DUPLICATE,
    ngram: int = SHARED_NGRAM,
    raise_on_leak: bool = True,
) -> LeakageReport:
    """Check training pairs (objects or mappings with question, answer, doc_id) against the test splits.

    A pair leaks when its question equals a test question after normalization (``exact``);
    when, with contract ids masked, its tokens have a Jaccard similarity of at least
    ``jaccard_threshold`` with a test question or share a run of ``ngram`` tokens with one
    (``near``: a test wording reused, for any contract); or when it comes from or names a
    contract held out for freshness (``fresh contract``, :func:`fresh_contract_ids`). Raises
    :class:`LeakageError` when anything leaks, unless ``raise_on_leak`` is False.
    """
    tests = [(q.id, q.question) for split in splits for q in load_questions(split, source)]
    counts = {split: len(load_questions(split, source)) for split in splits}
    exact = {normalize_answer(text): (qid, text) for qid, text in tests}
    masked = [(qid, text, set(question_tokens(text, True))) for qid, text in tests]
    grams: dict[tuple[str, ...], tuple[str, str]] = {}
    for qid, text in tests:
        for gram in ngrams(question_tokens(text, True), ngram):
            grams.setdefault(gram, (qid, text))
    fresh = fresh_contract_ids(source)
    fresh_bases = {base_id(doc) for doc in fresh}
    leaks: list[Leak] = []
    for index, pair in enumerate(pairs):
        question, doc_id = _field(pair, "question"), _field(pair, "doc_id")
        named = contract_ids_in(f"{question} {_field(pair, 'answer')}")
        if doc_id in fresh or base_id(doc_id) in fresh_bases or fresh_bases.intersection(named):
            leaks.append(Leak(index, "fresh contract", question, doc_id))
            continue
        if normalize_answer(question) in exact:
            qid, text = exact[normalize_answer(question)]
            leaks.append(Leak(index, "exact", question, doc_id, qid, text, 1.0))
            continue
        tokens = question_tokens(question, True)
        shared = next((grams[g] for g in ngrams(tokens, ngram) if g in grams), None)
        best = max(((jaccard(tokens, other), qid, text) for qid, text, other in masked), default=None)
        if best is not None and best[0] >= jaccard_threshold:
            leaks.append(Leak(index, "near", question, doc_id, best[1], best[2], best[0]))
        elif shared is not None:
            similarity = jaccard(tokens, question_tokens(shared[1], True))
            leaks.append(Leak(index, "near", question, doc_id, shared[0], shared[1], similarity))
    report = LeakageReport(len(pairs), counts, fresh, leaks, jaccard_threshold, ngram)
    if leaks and raise_on_leak:
        examples = "; ".join(
            f"{leak.kind}: {leak.question!r}"
            + (f" ~ {leak.test_id} {leak.test_question!r}" if leak.test_id else "")
            for leak in leaks[:3]
        )
        raise LeakageError(
            f"{len(leaks)} training pair(s) leak into the test splits ({report.counts()}), e.g. {examples}. "
            "Drop them (or regenerate) before training; a model trained on them is scored on what it has seen."
        )
    return report


def without_leaks(pairs: Sequence[Any], report: LeakageReport) -> list[Any]:
    """The pairs that ``report`` (made by :func:`leakage_report` on these ``pairs``) did not flag."""
    if report.n_pairs != len(pairs):
        raise ValueError(f"the report checked {report.n_pairs} pairs, not these {len(pairs)}.")
    flagged = {leak.index for leak in report.leaks}
    return [pair for i, pair in enumerate(pairs) if i not in flagged]
