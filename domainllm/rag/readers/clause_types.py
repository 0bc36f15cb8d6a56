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
    texts = {d.id: d.text for d in documents}
    wording, clauses, categories = [], [], []
    for question in questions:
        evidence = question.evidence[0] if question.evidence else None
        if question.form != "value" or evidence is None or not question.category:
            continue
        if len({e.doc_id for e in question.evidence}) != 1:
            continue
        clause = texts.get(evidence.doc_id, "")[evidence.start : evidence.end]
        if clause.strip():
            wording.append(question.question)
            clauses.append(clause)
            categories.append(question.category)
    return wording, clauses, categories


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
    digest = content_key("clause-types-v1", REGULARIZATION, list(wording), list(clauses), list(categories))
    return ClauseTypes(asked, written, digest[:16])


@functools.lru_cache(maxsize=2)
def _trained(corpus: Any, embedder: str) -> ClauseTypes | None:
    from domainllm.rag.readers.span_training import training_data
    from domainllm.runtime.embedding_cache import cached_embedder_encode

    questions, documents, _ = training_data()
    return fit_clause_types(*labelled_clauses(questions, documents), cached_embedder_encode())


def clause_types() -> ClauseTypes | None:
    """The classifiers trained on the train questions of the corpus in force (once per process)."""
    from domainllm.corpus.documents import resolve_source
    from domainllm.runtime.models import embedder_identity

    return _trained(resolve_source(), embedder_identity())
