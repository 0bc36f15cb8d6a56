"""Labs 6 and 8 (AI feedback): judges for AI feedback: grade a question-answer pair against its evidence, or prefer one of two answers.

A judge is anything with the three methods of :class:`Judge`. Two are provided:

* :class:`LexicalJudge` needs no model. It keeps an answer when the evidence contains it:
  every number, and at least ``min_share`` of its other words, after dates, number words and
  currencies are normalized (:mod:`domainllm.corpus.support`). It also rejects empty answers and
  answers that only repeat the question. It can tell that ``45 days`` is *not in* the passage;
  it cannot tell that ``30 days`` is in the passage but answers another question (the cure
  period given as the payment period).
* :class:`LLMJudge` runs the lexical check first, then scores the pairs that pass with a
  language model, in batches of forward passes (no text is generated), caching scores on disk:

  - ``method="yes_no"``: the model reads passage, question and answer and is asked "Is this
    answer supported by the passage?"; the score is P(yes) / (P(yes) + P(no)) for its next
    token, and an answer needs at least 0.5. This is the usual LLM-as-judge; it needs an
    instruction-following model of a few billion parameters.
  - ``method="likelihood"``: the model reads passage and question as a reader would, and the
    score is its per-token probability of the answer (geometric mean over the answer's tokens).

What the shipped 135M model can do is measured in lab 6: asked yes or no, it scores the right
answer above a wrong one for the same question about as often as a coin would; its likelihood
does somewhat better, but far from reliably. So with ``likelihood`` the threshold defaults to 0:
the model's score ranks answers (and decides :meth:`~Judge.prefer` between two supported
answers) but never rejects one on its own. Every keep/reject decision of the offline default is
the lexical check's; a stronger judge model is a setting away.

:func:`load_judge` builds the configured judge: the shipped 135M generator with
``likelihood``, or any other model (``$DOMAINLLM_JUDGE``, else a non-default
``$DOMAINLLM_GENERATOR``) with ``yes_no``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from domainllm.cache.records import JsonDiskCache, content_key
from domainllm.config import SHIPPED_GENERATOR, Settings, get_settings
from domainllm.corpus.support import answer_support
from domainllm.metrics.stats import Estimate, bootstrap_ci
from domainllm.rag.reranking import log_prob_of, single_token_ids
from domainllm.runtime.generation import Message, token_budget_batches
from domainllm.runtime.models import model_key
from domainllm.runtime.shape_buckets import bucketed

PREFERENCE_LABELS = ("A", "B", "tie", "both_wrong")
"""What a judge (or a person in the feedback widget) says about two answers to one question."""
KEEP, REJECT = "keep", "reject"
METHODS = ("likelihood", "yes_no")
JUDGE_ENV_VAR = "DOMAINLLM_JUDGE"
DEFAULT_THRESHOLDS = {"likelihood": 0.0, "yes_no": 0.5}
YES_WORDS = ("yes", "Yes", " yes", " Yes", "YES")
NO_WORDS = ("no", "No", " no", " No", "NO")
JUDGE_SYSTEM = "You check answers against a contract passage. Reply with yes or no only."
READER_SYSTEM = "Answer the question with a short phrase taken from the contract passage."

Item = tuple[str, str, str]
"""One thing to grade: (question, answer, evidence)."""


@dataclass(frozen=True)
class Grade:
    """A judge's grade of one answer: ``score`` in [0, 1], ``label`` keep/reject, and why.

    ``details`` holds the parts the score was made from (``support``, ``model``).
    """

    score: float
    label: str
    reason: str
    details: Mapping[str, float] = field(default_factory=dict)

    @property
    def keep(self) -> bool:
        """True when the judge keeps the answer."""
        return self.label == KEEP


class Judge(Protocol):
    """What the labs need from a judge."""

    name: str

    def grade(self, question: str, answer: str, evidence: str) -> Grade: ...

    def grade_many(self, items: Sequence[Item]) -> list[Grade]: ...

    def prefer(self, question: str, evidence: str, answer_a: str, answer_b: str) -> str: ...

    def prefer_many(self, pairs: Sequence[tuple[str, str, str, str]]) -> list[str]: ...


def preference(a: Grade, b: Grade, tie_margin: float = 0.05) -> str:
    """One of :data:`PREFERENCE_LABELS` from two verdicts on answers to the same question.

    Both rejected: ``both_wrong``; one kept: that one; both kept: the higher score, or ``tie``
    when the scores differ by at most ``tie_margin`` of the higher one (a relative margin, as
    likelihood scores can be small).
    """
    if not a.keep and not b.keep:
        return "both_wrong"
    if a.keep != b.keep:
        return "A" if a.keep else "B"
    if abs(a.score - b.score) <= tie_margin * max(a.score, b.score):
        return "tie"
    return "A" if a.score > b.score else "B"


class _PairwiseFromGrades:
    """``grade`` and ``prefer`` built on ``grade_many``."""

    tie_margin = 0.05

    def grade_many(self, items: Sequence[Item]) -> list[Grade]:  # pragma: no cover - overridden
        raise NotImplementedError

    def grade(self, question: str, answer: str, evidence: str) -> Grade:
        """Grade one answer (see ``grade_many``)."""
        return self.grade_many([(question, answer, evidence)])[0]

    def prefer(self, question: str, evidence: str, answer_a: str, answer_b: str) -> str:
        """Compare two answers to one question by their grades (see :func:`preference`)."""
        return self.prefer_many([(question, evidence, answer_a, answer_b)])[0]

    def prefer_many(self, pairs: Sequence[tuple[str, str, str, str]]) -> list[str]:
        """:meth:`prefer` for many ``(question, evidence, answer_a, answer_b)`` at once (one batched grading)."""
        items = [(q, a, e) for q, e, a, _ in pairs] + [(q, b, e) for q, e, _, b in pairs]
        verdicts = self.grade_many(items)
        n = len(pairs)
        return [preference(verdicts[i], verdicts[n + i], self.tie_margin) for i in range(n)]


class LexicalJudge(_PairwiseFromGrades):
    """Keep an answer when the evidence contains it (no model; see the module docstring).

    Rejects: an empty answer; an answer that only repeats the question; an answer with a number
    the evidence lacks; an answer of which less than ``min_share`` of the content words occur in
    the evidence. The score is that share (0 for the first two).
    """

    name = "lexical"

    def __init__(self, min_share: float = 0.8) -> None:
        if not 0 < min_share <= 1:
            raise ValueError(f"min_share must be in (0, 1], got {min_share}.")
        self.min_share = min_share

    def _verdict(self, question: str, answer: str, evidence: str) -> Grade:
        if not answer.strip():
            return Grade(0.0, REJECT, "empty answer", {"support": 0.0})
        found = answer_support(answer, evidence, question)
        details = {"support": found.share}
        if found.restates:
            return Grade(0.0, REJECT, "answer only repeats the question", {"support": 0.0})
        if found.missing_numbers:
            return Grade(
                found.share,
                REJECT,
                f"number not in the evidence: {', '.join(found.missing_numbers)}",
                details,
            )
        if found.share < self.min_share:
            return Grade(
                found.share, REJECT, f"words not in the evidence: {', '.join(found.missing)}", details
            )
        reason = "answer appears in the evidence" if found.verbatim else "answer's words are in the evidence"
        return Grade(found.share, KEEP, reason, details)

    def grade_many(self, items: Sequence[Item]) -> list[Grade]:
        """Grade every ``(question, answer, evidence)``."""
        return [self._verdict(q, a, e) for q, a, e in items]

    def __repr__(self) -> str:
        return f"LexicalJudge(min_share={self.min_share})"


def judge_messages(question: str, answer: str, evidence: str) -> list[Message]:
    """The chat messages of the yes/no judging prompt."""
    return [
        {"role": "system", "content": JUDGE_SYSTEM},
        {
            "role": "user",
            "content": f"Passage:\n{evidence.strip()}\n\nQuestion: {question.strip()}\nAnswer: "
            f"{answer.strip()}\n\nIs this answer supported by the passage? Reply yes or no.",
        },
    ]


def reader_messages(question: str, evidence: str) -> list[Message]:
    """The chat messages after which the likelihood method scores the answer."""
    return [
        {"role": "system", "content": READER_SYSTEM},
        {"role": "user", "content": f"Passage:\n{evidence.strip()}\n\nQuestion: {question.strip()}"},
    ]


class LLMJudge(_PairwiseFromGrades):
    """The lexical gate, then a language model's score for the pairs that pass (module docstring).

    ``generator`` is a :class:`~domainllm.runtime.generation.Generator` (any causal LM with a chat
    template). An answer is kept when the gate keeps it and the model's score is at least
    ``threshold`` (default by method: :data:`DEFAULT_THRESHOLDS`); the verdict's score is the
    gate's support share times the model's score. ``gate=None`` asks the model about every pair.
    Model scores are cached on disk by a hash of model, method, prompt and answer.
    """

    def __init__(
        self,
        generator: Any,
        method: str = "likelihood",
        threshold: float | None = None,
        gate: LexicalJudge | None = None,
        use_gate: bool = True,
        batch_size: int = 8,
        max_evidence_tokens: int = 192,
        cache: JsonDiskCache | None = None,
        progress: bool | None = None,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"Unknown judging method {method!r}; choose one of {', '.join(METHODS)}.")
        self.generator = generator
        self.method = method
        self.threshold = DEFAULT_THRESHOLDS[method] if threshold is None else threshold
        self.gate = (gate or LexicalJudge()) if use_gate else None
        self.batch_size = batch_size
        self.max_evidence_tokens = max_evidence_tokens
        self.cache = cache or JsonDiskCache("judge_scores")
        self.progress = progress
        self.model = model_key(generator)
        self.name = f"{self.model.split(':')[0]} ({method})"
        self.forward_tokens = 0

    # ------------------------------------------------------------------ prompts

    def _evidence(self, text: str) -> str:
        tokenizer = self.generator.tokenizer
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= self.max_evidence_tokens:
            return text
        return tokenizer.decode(ids[: self.max_evidence_tokens]) + " ..."

    def _sequence(self, question: str, answer: str, evidence: str) -> tuple[str, list[int], int]:
        """(prompt text, token ids, number of scored tokens at the end) for one item."""
        tokenizer = self.generator.tokenizer
        evidence = self._evidence(evidence)
        if self.method == "yes_no":
            prompt = self.generator.chat_prompt(judge_messages(question, answer, evidence))
            return prompt, tokenizer(prompt, add_special_tokens=False)["input_ids"], 0
        prompt = self.generator.chat_prompt(reader_messages(question, evidence))
        scored = tokenizer(answer.strip(), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        return prompt, tokenizer(prompt, add_special_tokens=False)["input_ids"] + scored, len(scored)

    # ------------------------------------------------------------------ model scores

    def _forward(self, sequences: Sequence[tuple[list[int], int]]) -> list[float]:
        """Scores of one batch: P(yes)/(P(yes)+P(no)) or the answer's per-token probability."""
        import torch

        width = bucketed(
            max(len(ids) for ids, _ in sequences)
        )  # a few shapes: domainllm.runtime.shape_buckets
        keep = max(1, max(scored for _, scored in sequences) + 1)
        pad = self.generator.tokenizer.pad_token_id
        input_ids = torch.full((len(sequences), width), pad, dtype=torch.long)
        attention = torch.zeros((len(sequences), width), dtype=torch.long)
        for row, (ids, _) in enumerate(sequences):
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            attention[row, width - len(ids) :] = 1
        self.forward_tokens += int(attention.sum())
        model = self.generator.model
        with torch.inference_mode():
            logits = model(
                input_ids=input_ids.to(model.device),
                attention_mask=attention.to(model.device),
                logits_to_keep=keep,
            ).logits
        log_probs = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
        if self.method == "yes_no":
            last = log_probs[:, -1, :]
            yes = log_prob_of(last, self._yes_ids)
            no = log_prob_of(last, self._no_ids)
            return (np.exp(yes - np.logaddexp(yes, no))).tolist()
        scores = []
        for row, (ids, scored) in enumerate(sequences):
            targets = ids[len(ids) - scored :]
            # position p predicts token p + 1; the kept logits cover the last ``keep`` positions
            rows = np.arange(keep - scored - 1, keep - 1)
            scores.append(float(np.exp(log_probs[row, rows, targets].mean())))
        return scores

    @functools.cached_property
    def _yes_ids(self) -> list[int]:
        return single_token_ids(self.generator.tokenizer, YES_WORDS)

    @functools.cached_property
    def _no_ids(self) -> list[int]:
        return single_token_ids(self.generator.tokenizer, NO_WORDS)

    def model_scores(self, items: Sequence[Item]) -> np.ndarray:
        """The model's score in [0, 1] for every item (no gate), from the cache where possible."""
        from tqdm.auto import tqdm

        scores: list[float | None] = [None] * len(items)
        todo: list[tuple[int, str, list[int], int]] = []
        for i, (question, answer, evidence) in enumerate(items):
            prompt, ids, scored = self._sequence(question, answer, evidence)
            key = content_key(self.model, self.method, prompt, answer.strip())
            found = self.cache.get(key)
            if found is not None and isinstance(found.get("score"), float | int):
                scores[i] = float(found["score"])
            else:
                todo.append((i, key, ids, scored))
        todo.sort(key=lambda entry: len(entry[2]))
        batches = token_budget_batches([len(ids) for _, _, ids, _ in todo], self.batch_size, 4096)
        show = self.progress if self.progress is not None else len(batches) > 2
        for batch in tqdm(batches, desc=f"judging ({self.method})", unit="batch", disable=not show):
            entries = [todo[j] for j in batch]
            for (i, key, _, _), value in zip(
                entries, self._forward([(ids, scored) for _, _, ids, scored in entries]), strict=True
            ):
                scores[i] = value
                self.cache.put(key, {"score": value})
        return np.asarray(scores, dtype=float)

    # ------------------------------------------------------------------ verdicts

    def grade_many(self, items: Sequence[Item]) -> list[Grade]:
        """Grade every ``(question, answer, evidence)``: the gate first, the model on what passes."""
        items = list(items)
        gated = self.gate.grade_many(items) if self.gate else [None] * len(items)
        ask = [i for i, verdict in enumerate(gated) if verdict is None or verdict.keep]
        model = dict(zip(ask, self.model_scores([items[i] for i in ask]), strict=True)) if ask else {}
        verdicts = []
        for i, verdict in enumerate(gated):
            if verdict is not None and not verdict.keep:
                verdicts.append(verdict)
                continue
            support = verdict.score if verdict is not None else 1.0
            score = model[i]
            details = {"support": support, "model": score}
            if score >= self.threshold:
                lead = f"{verdict.reason}; " if verdict is not None else ""
                verdicts.append(Grade(support * score, KEEP, f"{lead}model {score:.2f}", details))
            else:
                reason = f"model {score:.2f} < {self.threshold:.2f}"
                verdicts.append(Grade(support * score, REJECT, reason, details))
        return verdicts

    def __repr__(self) -> str:
        gate = repr(self.gate) if self.gate else "no gate"
        return f"LLMJudge({self.name}, threshold={self.threshold}, {gate})"


def default_method(model: str) -> str:
    """``likelihood`` for the shipped 135M generator, ``yes_no`` for any other judge model."""
    return "likelihood" if model == SHIPPED_GENERATOR else "yes_no"


def load_judge(
    model: str | None = None, method: str | None = None, settings: Settings | None = None, **kwargs: Any
) -> LLMJudge:
    """The configured judge: ``model`` (else ``$DOMAINLLM_JUDGE``, else the generator setting).

    ``model`` is a Hugging Face id or local folder of a chat model, loaded once per process;
    ``method`` defaults to :func:`default_method`. Extra keyword arguments go to :class:`LLMJudge`.
    """
    from domainllm.runtime.models import load_generator

    settings = settings or get_settings()
    chosen = model or os.environ.get(JUDGE_ENV_VAR) or settings.generator
    generator = load_generator(settings.replace(generator=chosen))
    return LLMJudge(generator, method=method or default_method(chosen), **kwargs)


@dataclass(frozen=True)
class Agreement:
    """How a judge's keep/reject decisions line up with known correctness, with bootstrap intervals.

    ``accuracy``: share of decisions that match (keep a right answer, reject a wrong one);
    ``precision``: share of kept answers that are right; ``recall``: share of right answers
    kept; ``rejection``: share of wrong answers rejected. A share is None when its base is
    empty. ``confusion`` counts the four cases.
    """

    n: int
    accuracy: Estimate
    precision: Estimate | None
    recall: Estimate | None
    rejection: Estimate | None
    confusion: dict[str, int]


def judge_agreement(kept: Sequence[bool], correct: Sequence[bool], seed: int = 0) -> Agreement:
    """Compare keep decisions with correctness labels, pair by pair (see :class:`Agreement`)."""
    if len(kept) != len(correct):
        raise ValueError(f"got {len(kept)} decisions but {len(correct)} correctness labels")
    if not kept:
        raise ValueError("judge_agreement needs at least one decision")
    pairs = list(zip(map(bool, kept), map(bool, correct), strict=True))

    def share(values: list[float]) -> Estimate | None:
        return bootstrap_ci(values, seed=seed) if values else None

    confusion = {
        "right, kept": sum(k and c for k, c in pairs),
        "right, rejected": sum(not k and c for k, c in pairs),
        "wrong, kept": sum(k and not c for k, c in pairs),
        "wrong, rejected": sum(not k and not c for k, c in pairs),
    }
    return Agreement(
        n=len(pairs),
        accuracy=bootstrap_ci([float(k == c) for k, c in pairs], seed=seed),
        precision=share([float(c) for k, c in pairs if k]),
        recall=share([float(k) for k, c in pairs if c]),
        rejection=share([float(not k) for k, c in pairs if not c]),
        confusion=confusion,
    )
