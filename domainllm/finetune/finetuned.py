"""Labs 7, 8 and 9 (fine-tuned models): The book's fine-tuned models, built the same way wherever they are needed.

Labs 07 and 08 train these adapters; the benchmark (lab 09) calls the same functions, which
load them from the cache (same data and settings give the same hash) or train them when the
cache is empty. No lab depends on another having run first.

* :func:`closed_book_adapter`: SFT on a logged sample of the ``train`` questions, question in,
  answer out (:mod:`domainllm.finetune.training_questions` says which).
* :func:`raft_adapter`: retrieval-aware SFT on a part of that sample with the passages the
  book's best RAG pipeline (:data:`RAG_PIPELINE`) retrieves for them.
* :func:`dpo_adapter`: DPO rounds on top of the RAFT adapter, from preference pairs on
  ``train`` questions labelled by people (an append-only label file) and an AI judge.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import Question, load_questions
from domainllm.finetune.adapters import TrainedAdapter, load_adapted_generator, release
from domainllm.finetune.dpo import DpoRecipe, train_dpo
from domainllm.finetune.feedback import CandidatePair, Label, LabelLog, evidence_text
from domainllm.finetune.preferences import ai_labels, candidate_pairs, dpo_examples, merge_labels
from domainllm.finetune.sft import (
    CLOSED_BOOK_SFT,
    RAFT_ABSTENTION_SHARE,
    RAFT_SFT,
    cited_answer,
    closed_book_example,
    is_abstention,
    raft_example,
    train_sft,
    with_abstention_share,
)
from domainllm.finetune.training_questions import (
    TRAINING_QUESTIONS_VERSION,
    fine_tuning_questions,
    raft_questions,
)
from domainllm.paths import DATA_DIR
from domainllm.rag.recipes import PIPELINES, IndexKey, make_recipe_retriever
from domainllm.rag.retrievers import ChunkIndex

RAG_PIPELINE = "compressed_rag"
EXAMPLE_LABELS = DATA_DIR / "feedback" / "example-labels.jsonl"
DPO_ROUNDS = (DpoRecipe("dpo-round-1", steps=6), DpoRecipe("dpo-round-2", steps=4))
ROUND_QUESTIONS = (24, 16)


def my_labels_path() -> Path:
    """Where the feedback widget saves a reader's own labels (in the cache, never in the repository)."""
    from domainllm.paths import cache_dir

    return cache_dir("feedback") / "my-labels.jsonl"


def labels_file() -> Path:
    """The reader's labels once there are any, else the book's committed example labels."""
    mine = my_labels_path()
    return mine if mine.is_file() and LabelLog(mine).load() else EXAMPLE_LABELS


def closed_book_examples(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Closed-book SFT examples, the question in and its answer out, for the train questions the
    run passes over (:func:`~domainllm.finetune.training_questions.fine_tuning_questions`); each
    carries its question's ``id``, which training logs and does not train on."""
    return [{**closed_book_example(q), "id": q.id} for q in fine_tuning_questions(settings)]


def closed_book_adapter(settings: Settings | None = None) -> TrainedAdapter:
    """SFT adapter for closed-book answering, trained on the ``train`` questions :func:`fine_tuning_questions` picks."""
    return train_sft(CLOSED_BOOK_SFT, closed_book_examples(settings), settings)


def trained_question_ids(settings: Settings | None = None) -> frozenset[str]:
    """Ids of the questions both closed-book SFT and RAFT trained on, from their training logs
    (the adapters come from the cache, or are trained now)."""
    return closed_book_adapter(settings).question_ids & raft_adapter(None, settings).question_ids


def rag_retriever(indexes: dict[IndexKey, ChunkIndex]) -> Any:
    """The retriever of the book's best RAG pipeline (the one the RAFT model is trained with)."""
    return make_recipe_retriever(PIPELINES[RAG_PIPELINE], indexes)


def retrieved_for(questions: Sequence[Question], indexes: dict[IndexKey, ChunkIndex]) -> list[list[Any]]:
    """What the best RAG pipeline retrieves for each question."""
    k = PIPELINES[RAG_PIPELINE].k
    return rag_retriever(indexes).retrieve([q.question for q in questions], k=k)


def raft_examples(
    indexes: dict[IndexKey, ChunkIndex], settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Retrieval-aware SFT examples for the train questions RAFT learns from
    (:func:`~domainllm.finetune.training_questions.raft_questions`; see :func:`raft_training_set`),
    each with its question's ``id``."""
    questions = raft_questions(settings)
    return [
        {**raft_example(q, chunks), "id": q.id}
        for q, chunks in zip(questions, retrieved_for(questions, indexes), strict=True)
    ]


def reworded_targets(examples: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(gold answer, target) for the examples of :func:`raft_examples` whose target keeps the
    passage's wording instead of the gold answer's."""
    gold = {q.id: q.answer for q in load_questions("train")}
    pairs = [(gold[e["id"]], e["completion"][0]["content"]) for e in examples if not is_abstention(e)]
    return [(answer, target) for answer, target in pairs if not target.startswith(f"{answer} [")]


def answers_side_by_side(
    questions: Sequence[Question], answers: Mapping[str, Sequence[dict[str, Any]]]
) -> Any:
    """A table of each question, its gold answer and every system's answer to it.

    ``answers`` maps a column name to one system's answer records (dicts with an ``"answer"``), in
    the order of ``questions``, as the benchmark's reports hold them.
    """
    import pandas as pd

    table = pd.DataFrame({"question": [q.question for q in questions], "gold": [q.answer for q in questions]})
    for name, records in answers.items():
        table[name] = [record["answer"] for record in records]  # pandas refuses a length mismatch
    return table


def raft_training_set(
    examples: Sequence[dict[str, Any]], settings: Settings | None = None
) -> list[dict[str, Any]]:
    """What the RAFT adapter trains on: every example with an answer and a seeded tenth of abstentions."""
    settings = settings or get_settings()
    return with_abstention_share(examples, RAFT_ABSTENTION_SHARE, settings.seed)


def raft_adapter(
    indexes: dict[IndexKey, ChunkIndex] | None = None, settings: Settings | None = None
) -> TrainedAdapter:
    """Retrieval-aware SFT adapter (RAFT-style), trained with the best pipeline's passages."""
    owned = indexes is None
    indexes = {} if indexes is None else indexes
    try:
        return train_sft(RAFT_SFT, raft_training_set(raft_examples(indexes, settings), settings), settings)
    finally:
        if owned:
            for index in indexes.values():
                index.close()


def round_questions(round_number: int, seed: int = 0) -> list[Question]:
    """Disjoint, seeded sets of ``train`` questions for each feedback round (1-based)."""
    questions = load_questions("train")
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    start = sum(ROUND_QUESTIONS[: round_number - 1])
    return [questions[i] for i in sorted(order[start : start + ROUND_QUESTIONS[round_number - 1]])]


def feedback_candidates(
    policy: TrainedAdapter,
    questions: Sequence[Question],
    indexes: dict[IndexKey, ChunkIndex],
    settings: Settings | None = None,
) -> list[CandidatePair]:
    """Greedy and sampled answers of ``policy`` to the RAG prompts of ``questions``.

    Cached on disk by policy and questions, so asking again (lab 09 after lab 08) costs nothing.
    """
    import hashlib
    import json

    from domainllm.corpus.documents import load_corpus
    from domainllm.files import atomic_write_text
    from domainllm.paths import cache_dir
    from domainllm.rag.pipeline import rag_messages

    key = hashlib.sha256(json.dumps([policy.run.digest(), [q.id for q in questions]]).encode()).hexdigest()
    cached = cache_dir("feedback") / f"pairs-{key[:16]}.json"
    if cached.is_file():
        return [CandidatePair.from_dict(row) for row in json.loads(cached.read_text(encoding="utf-8"))]

    documents = {d.id: d for d in load_corpus()}
    retrieved = retrieved_for(questions, indexes)
    prompts = [rag_messages(q.question, chunks) for q, chunks in zip(questions, retrieved, strict=True)]
    evidence = [evidence_text(q, documents) for q in questions]
    generator = load_adapted_generator(policy, settings)
    try:
        pairs = candidate_pairs(generator, questions, prompts, evidence)
    finally:
        release(generator)
    atomic_write_text(cached, json.dumps([p.to_dict() for p in pairs], ensure_ascii=False))
    return pairs


@dataclass
class FeedbackRound:
    """One round of the loop: pairs, labels from people and from the judge, and the trained adapter."""

    number: int
    pairs: list[CandidatePair]
    human: list[Label]
    ai: list[Label]
    adapter: TrainedAdapter

    @property
    def examples(self) -> list[dict[str, Any]]:
        return dpo_examples(merge_labels(self.human, self.ai))


def reference_answers(questions: Sequence[Question], indexes: dict[IndexKey, ChunkIndex]) -> dict[str, str]:
    """For each training question, the answer its retrieval-aware SFT target holds (with citation).

    The AI feedback uses it as the correction when its judge rejects both of the model's answers.
    """
    return {
        q.id: cited_answer(q, chunks)
        for q, chunks in zip(questions, retrieved_for(questions, indexes), strict=True)
    }


def human_labels_for(round_number: int, log: LabelLog) -> list[Label]:
    """Human labels in ``log`` whose question belongs to this round."""
    ids = {q.id for q in round_questions(round_number)}
    return [label for label in log.latest().values() if label.pair.question_id in ids]


def feedback_round(
    round_number: int,
    policy: TrainedAdapter,
    indexes: dict[IndexKey, ChunkIndex],
    judge: Any,
    labels: str | Path = EXAMPLE_LABELS,
    settings: Settings | None = None,
) -> FeedbackRound:
    """Generate pairs with ``policy``, label them (people first, the judge for the rest), train DPO.

    The judge's labels come with the training data's reference answer as the correction of
    pairs it rejects outright (see :func:`~domainllm.finetune.preferences.ai_labels`).
    """
    settings = settings or get_settings()
    questions = round_questions(round_number, settings.seed)
    pairs = feedback_candidates(policy, questions, indexes, settings)
    human = human_labels_for(round_number, LabelLog(labels))
    ai = ai_labels(judge, pairs, references=reference_answers(questions, indexes))
    examples = dpo_examples(merge_labels(human, ai))
    adapter = train_dpo(DPO_ROUNDS[round_number - 1], examples, policy, settings)
    return FeedbackRound(round_number, pairs, human, ai, adapter)


def dpo_adapter(
    indexes: dict[IndexKey, ChunkIndex] | None = None,
    settings: Settings | None = None,
    labels: str | Path | None = None,
    raft: TrainedAdapter | None = None,
) -> TrainedAdapter:
    """The RAFT adapter after the DPO rounds the dev gate kept (see :func:`gated_dpo`)."""
    return gated_dpo(indexes, settings, labels, raft)[0]


def gated_dpo(
    indexes: dict[IndexKey, ChunkIndex] | None = None,
    settings: Settings | None = None,
    labels: str | Path | None = None,
    raft: TrainedAdapter | None = None,
) -> tuple[TrainedAdapter, list[Any]]:
    """Every DPO round on top of the RAFT adapter, each kept only when it does not lose on ``dev``
    (:mod:`domainllm.finetune.dpo_gate`); the final model and each round's gate decision.

    ``labels`` defaults to :func:`labels_file`: the reader's own labels once there are any.
    ``raft`` is :func:`raft_adapter`'s result when the caller already has it (it is found or
    trained here otherwise). A rejected round is dropped; the next starts from the kept model.
    """
    from domainllm.finetune.dpo_gate import dev_scores, gate, gate_questions
    from domainllm.finetune.judge import load_judge

    settings = settings or get_settings()
    labels = labels_file() if labels is None else labels
    owned = indexes is None
    indexes = {} if indexes is None else indexes
    try:
        policy = raft or raft_adapter(indexes, settings)
        judge = load_judge(settings=settings)
        questions = gate_questions(settings)
        before = dev_scores(policy, questions, indexes, settings)
        decisions = []
        for number in range(1, len(DPO_ROUNDS) + 1):
            candidate = feedback_round(number, policy, indexes, judge, labels, settings).adapter
            decision, after = gate(number, before, candidate, questions, indexes, settings)
            decisions.append(decision)
            if decision.kept:
                policy, before = candidate, after
        return policy, decisions
    finally:
        if owned:
            for index in indexes.values():
                index.close()


def training_fingerprint() -> str:
    """Digest of every recipe and of the human labels: what the trained adapters depend on.

    Lets a cached benchmark notice that an adapter would now be trained differently.
    """
    import hashlib

    labels = labels_file()
    recipes = (CLOSED_BOOK_SFT, RAFT_SFT, RAFT_ABSTENTION_SHARE, DPO_ROUNDS, ROUND_QUESTIONS, RAG_PIPELINE)
    text = repr((*recipes, TRAINING_QUESTIONS_VERSION))
    return hashlib.sha256(text.encode() + labels.read_bytes()).hexdigest()[:16]
