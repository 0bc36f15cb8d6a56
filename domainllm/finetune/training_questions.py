"""Which train questions the fine-tuned generators learn from (lab 7), so that lab 9 can ask them again.

One LoRA run passes over ``steps x batch_size`` examples, far fewer than the train split holds.
Left to the trainer, they would be a random draw that nobody records, and the benchmark's
``train`` column would mostly hold questions the model never saw. So the book picks them: a
seeded sample, stratified by clause category, of the train questions whose facts
``test_paraphrase`` asks again in other words, as many as closed-book SFT passes over. The
retrieval-aware run (RAFT) takes a stratified part of the same sample, as many as it passes
over; its training set keeps the questions whose retrieved passages hold the answer and a
tenth of abstentions. Each adapter's manifest logs the ids of the questions in its training
set (:attr:`~domainllm.finetune.adapters.TrainedAdapter.question_ids`), and lab 9's committed
benchmark draws its ``train`` column from the questions both logs name, and its
``test_paraphrase`` column from the paraphrases of exactly those.
"""

from __future__ import annotations

from collections.abc import Sequence

from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import load_questions
from domainllm.corpus.records import Question
from domainllm.corpus.sampling import stratified_by_category
from domainllm.finetune.adapters import TrainedAdapter

TRAINING_QUESTIONS_VERSION = "asked-again-v1"  # names the selection rule in training fingerprints


def fact_key(question: Question) -> tuple[str, int, int, str] | None:
    """What identifies the fact a single-document question asks: its evidence and clause category."""
    if not question.evidence:
        return None
    evidence = question.evidence[0]
    return evidence.doc_id, evidence.start, evidence.end, question.category


def examples_per_run(steps: int, batch_size: int, settings: Settings | None = None) -> int:
    """Examples one pass of a run consumes: its steps (scaled like the trainer's) times its batch."""
    settings = settings or get_settings()
    return settings.scaled(steps) * batch_size


def asked_again(train: Sequence[Question], paraphrases: Sequence[Question]) -> list[Question]:
    """The train questions whose fact some paraphrase question asks."""
    reworded = {fact_key(q) for q in paraphrases} - {None}
    return [q for q in train if fact_key(q) in reworded]


def _sample(pool: Sequence[Question], rest: Sequence[Question], n: int, seed: int) -> list[Question]:
    """``n`` questions stratified from ``pool``, topped up from ``rest`` when the pool is too small."""
    if n <= 0:
        return []
    chosen = stratified_by_category(pool, n, seed) if pool else []
    if len(chosen) < n and rest:
        chosen += stratified_by_category(rest, n - len(chosen), seed)
    return chosen


def fine_tuning_questions(settings: Settings | None = None) -> list[Question]:
    """The train questions closed-book SFT learns from (lab 7); empty when the corpus has none."""
    from domainllm.finetune.sft import CLOSED_BOOK_SFT

    settings = settings or get_settings()
    train = [q for q in load_questions("train") if q.answer.strip()]
    pool = asked_again(train, load_questions("test_paraphrase"))
    rest = [q for q in train if q not in pool]
    n = examples_per_run(CLOSED_BOOK_SFT.steps, CLOSED_BOOK_SFT.batch_size, settings)
    return _sample(pool, rest, n, settings.seed)


def raft_questions(settings: Settings | None = None) -> list[Question]:
    """The part of :func:`fine_tuning_questions` retrieval-aware SFT learns from (lab 7)."""
    from domainllm.finetune.sft import RAFT_SFT

    settings = settings or get_settings()
    questions = fine_tuning_questions(settings)
    n = examples_per_run(RAFT_SFT.steps, RAFT_SFT.batch_size, settings)
    return stratified_by_category(questions, n, settings.seed) if questions else []


def paraphrases_of(questions: Sequence[Question], paraphrases: Sequence[Question]) -> list[Question]:
    """The paraphrase questions that ask the facts of ``questions``, in the order of ``paraphrases``."""
    facts = {fact_key(q) for q in questions} - {None}
    return [q for q in paraphrases if fact_key(q) in facts]


def trained_share(adapter: TrainedAdapter, questions: Sequence[Question]) -> float | None:
    """The share of ``questions`` whose ids the training logs of ``adapter`` or of an adapter it was
    trained on top of record (None for no questions): 1.0 for the benchmark's ``train`` column."""
    if not questions:
        return None
    logged = frozenset().union(*(a.question_ids for a in adapter.chain))
    return sum(q.id in logged for q in questions) / len(questions)
