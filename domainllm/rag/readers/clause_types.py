"""Lab 4b (reading): which kind of clause a question asks about, and which kind a sentence is.

One section often holds two values of the same kind: the renewal term and the notice that stops
renewal, the signature date and the effective date. The span model reads the question and the
window together and still confuses them. Every train question carries the category of the clause
it asks about (``effective_date``, ``renewal_term``, ...). Two small classifiers learn it from the
shipped MiniLM's sentence embeddings: one from the questions' wording, one from the wording of
their evidence clauses. The *agreement* of a question and a sentence is the probability that both
are of the same category (the sum over categories of the two predicted probabilities
multiplied); the extractive reader adds a multiple of it to each candidate value's score.

The classifiers are logistic regressions (scikit-learn), fitted in a second on the train questions
of the corpus in force, or on the generated portfolio's where the corpus has none (CUAD).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from domainllm.cache.keys import content_key
from domainllm.corpus.records import Document, Question

# Inverse regularization strength of both classifiers (scikit-learn's C); on the 96 dev
# questions (reader weight chosen with it, mean accuracy of the two span-reader pipelines)
# 100 read better than 10, and 10 better than 1.
REGULARIZATION = 100.0


def labelled_clauses(
    questions: Sequence[Question], documents: Sequence[Document]
) -> tuple[list[str], list[str], list[str]]:
    """The single-document value questions with evidence: their wording, their evidence's wording
    and their category."""
    from domainllm.rag.readers.span_training import evidence_clauses

    kept = [(q, c) for q, c in evidence_clauses(questions, documents) if q.form == "value" and q.category]
    return [q.question for q, _ in kept], [c for _, c in kept], [q.category for q, _ in kept]


def labels_digest(wording: Sequence[str], clauses: Sequence[str], categories: Sequence[str]) -> str:
    """What the classifiers are fitted on, as a short key (the reading cache's identity)."""
    return content_key("clause-types-v1", REGULARIZATION, list(wording), list(clauses), list(categories))[:16]


@dataclass(frozen=True)
class ClauseTypes:
    """A question classifier and a clause classifier over the same categories."""

    questions: Any
    clauses: Any
    digest: str

    @property
    def categories(self) -> list[str]:
        """The categories both classifiers predict, in column order."""
        return [str(c) for c in self.questions.classes_]

    def agreement(self, question_vector: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        """For each sentence, the probability that it and the question are of one category."""
        if len(sentence_vectors) == 0:
            return np.zeros(0)
        asked = self.questions.predict_proba(np.asarray(question_vector)[None, :])[0]
        written = self.clauses.predict_proba(np.asarray(sentence_vectors))
        return written @ asked

    def agreement_with(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """:meth:`agreement` of texts, embedded with the shipped MiniLM."""
        from domainllm.rag.readers.sentence_match import sentence_vectors

        return self.agreement(*sentence_vectors(question, sentences))

    def categories_of(self, question: str, top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` likeliest categories of a question, with their probabilities (rounded)."""
        from domainllm.rag.readers.sentence_match import sentence_vectors

        asked, _ = sentence_vectors(question, [])
        probabilities = self.questions.predict_proba(asked[None, :])[0]
        ranked = np.argsort(-probabilities)[:top]
        return [(self.categories[i], round(float(probabilities[i]), 2)) for i in ranked]


def fit_clause_types(
    wording: Sequence[str], clauses: Sequence[str], categories: Sequence[str], encode: Any
) -> ClauseTypes | None:
    """Fit both classifiers on embedded texts; None when there are fewer than two categories."""
    from sklearn.linear_model import LogisticRegression

    if len(set(categories)) < 2:
        return None
    asked = LogisticRegression(C=REGULARIZATION, max_iter=5000).fit(
        np.asarray(encode(list(wording))), categories
    )
    written = LogisticRegression(C=REGULARIZATION, max_iter=5000).fit(
        np.asarray(encode(list(clauses))), categories
    )
    return ClauseTypes(asked, written, labels_digest(wording, clauses, categories))


@functools.lru_cache(maxsize=2)
def _labelled_for(corpus: Any) -> tuple[list[str], list[str], list[str]]:
    """:func:`labelled_clauses` of the reader's training data (``corpus``, the corpus in force,
    only keys the cache)."""
    from domainllm.rag.readers.span_training import training_data

    questions, documents, _ = training_data()
    return labelled_clauses(questions, documents)


@functools.lru_cache(maxsize=2)
def _fitted_for(corpus: Any, embedder: str) -> ClauseTypes | None:
    """The classifiers (the arguments, the corpus and the embedder in force, only key the cache)."""
    from domainllm.runtime.embedding_cache import cached_embedder_encode

    return fit_clause_types(*_labelled_for(corpus), cached_embedder_encode())


def clause_types() -> ClauseTypes | None:
    """The classifiers trained on the train questions of the corpus in force (once per process);
    None when those questions name fewer than two categories."""
    from domainllm.corpus.documents import resolve_source
    from domainllm.runtime.models import embedder_identity

    return _fitted_for(resolve_source(), embedder_identity())


def clause_types_digest() -> str | None:
    """The digest :func:`clause_types` would carry, without embedding or fitting anything (a
    corpus of clause questions names the classifiers in its cache keys but never uses them)."""
    from domainllm.corpus.documents import resolve_source

    labelled = _labelled_for(resolve_source())
    return labels_digest(*labelled) if len(set(labelled[2])) >= 2 else None
