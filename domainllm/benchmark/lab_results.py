"""Labs 1, 2, 4 and 5: their comparisons at full size, committed, and checked live on every book build.

Lab 1 generates answers for closed-book and naive RAG, lab 2 for four query transforms, lab 4 for
six pipeline variants and an attack trial, lab 5 for three multi-document approaches: at 48
questions that takes longer than the book build can afford on two cores. So
``python -m domainllm bench labs --save`` executes each lab once with 48 questions (stratified by
clause category: ``test_paraphrase`` for lab 1, ``dev`` for labs 2 and 4; ``test_multidoc`` for
lab 5, spread over question kinds) and writes every per-question score it recorded to
``data/results/labs.json``, with a fingerprint (the lab's code cells, the code that answers and
scores, the corpus, the base weights and the settings), the seed and the machine. In the book
build the lab then runs live on a stratified subsample of those 48 questions, draws its verdicts
from the committed full-size scores, and fails when a fingerprint no longer matches
(:class:`~domainllm.benchmark.committed.StaleResultsError`) or when a live estimate's interval and
the committed one on the same questions do not overlap
(:class:`~domainllm.benchmark.committed.LiveCheckError`).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from domainllm.benchmark.committed import (
    LiveCheckError,
    StaleResultsError,
    code_digest,
    stale_outside_the_build,
    weights_identity,
)
from domainllm.benchmark.evaluation import corpus_fingerprint, sample_questions
from domainllm.config import Settings, get_settings
from domainllm.corpus.records import Question
from domainllm.corpus.sampling import stratified_by_category
from domainllm.files import atomic_write_text
from domainllm.metrics.stats import Estimate, interval
from domainllm.paths import DATA_DIR, REPO_ROOT

FULL_LAB_QUESTIONS = 48
LAB_RESULTS = DATA_DIR / "results" / "labs.json"
LAB_RESULTS_VERSION = 1
RECORDING = "DOMAINLLM_LAB_RECORDING"  # set by the command: the lab runs at full size and writes here
LABS = {
    "lab01": "labs/01-naive-rag.ipynb",
    "lab02": "labs/02-pre-retrieval.ipynb",
    "lab04": "labs/04-post-retrieval.ipynb",
    "lab05": "labs/05-knowledge-graph.ipynb",
}
BINARY_METRICS = frozenset({"accuracy", "contains", "em", "exact", "attack success"})


def refresh_command(lab: str | None = None) -> str:
    """The command that recomputes the committed results (of one lab, or of all)."""
    return "python -m domainllm bench labs --save" + (f" --labs {lab}" if lab else "")


def estimate(metric: str, values: Sequence[float]) -> Estimate:
    """Wilson interval for a 0/1 metric, percentile bootstrap for a graded one."""
    return interval(values, binary=metric in BINARY_METRICS)


def notebook_code_digest(lab: str, root: Path = REPO_ROOT) -> str:
    """SHA-256 of a lab's code cells (its prose can change without making its results stale)."""
    notebook = json.loads((root / LABS[lab]).read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            digest.update(("".join(source) if isinstance(source, list) else source).encode())
    return digest.hexdigest()


def lab_fingerprint(lab: str, settings: Settings | None = None) -> str:
    """What the committed results of ``lab`` depend on, hashed."""
    settings = settings or get_settings()
    parts = [
        lab,
        LAB_RESULTS_VERSION,
        FULL_LAB_QUESTIONS,
        notebook_code_digest(lab),
        code_digest(),
        corpus_fingerprint(),
        weights_identity(settings),
        {k: v for k, v in asdict(settings).items() if k != "scale"},
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def read_lab_results(path: Path = LAB_RESULTS) -> dict[str, Any]:
    """Every lab's committed record (empty when none is committed)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class LabScores:
    """The per-question scores one lab run records, and the full-size ones its verdicts use.

    Recording (the command): the lab answers :data:`FULL_LAB_QUESTIONS` questions and
    :meth:`finish` writes its scores for the command. Live (the book build): :meth:`full` returns
    the committed full-size scores and :meth:`finish` checks the live ones against them. On another
    corpus (CUAD), which has no committed results, :meth:`full` returns the live scores.
    """

    def __init__(
        self,
        lab: str,
        question_ids: Sequence[str],
        committed: Mapping[str, Any] | None,
        part: str | None = None,
    ) -> None:
        self.lab = lab
        # a second comparison of the lab, on other questions (lab 2's hypothetical questions)
        self.part = part
        self.question_ids = list(question_ids)
        self.committed = committed
        self.recording = os.environ.get(RECORDING)
        self.scores: dict[str, dict[str, list[float]]] = {}

    def add(self, metric: str, variant: str, values: Sequence[float]) -> list[float]:
        """Record one variant's per-question scores (in the order of the questions)."""
        if len(values) != len(self.question_ids):
            raise ValueError(f"{variant}: {len(values)} scores for {len(self.question_ids)} questions.")
        self.scores.setdefault(metric, {})[variant] = [float(v) for v in values]
        return self.scores[metric][variant]

    def add_reports(self, reports: Mapping[str, Mapping[str, Any]], metrics: Sequence[str]) -> None:
        """Record ``evaluate_pipeline`` reports: the named per-question metrics of each."""
        for name, report in reports.items():
            for metric in metrics:
                self.add(metric, name, report["per_question"][metric])

    def add_trial(self, trial: Any) -> None:
        """Record an attack trial's success per (attack, defence)."""
        for (attack, defence), hits in trial.success.items():
            self.add("attack success", f"{attack} | {defence}", hits)

    def full(self, metric: str, variant: str) -> list[float]:
        """The full-size per-question scores of one variant (the live ones without committed results)."""
        if self.committed is None:
            return self.scores[metric][variant]
        try:
            return list(self.committed["scores"][metric][variant])
        except KeyError:
            raise StaleResultsError(
                f"The committed results of {self.lab} hold no {metric} for {variant!r}. "
                f"Compute them again with: {refresh_command(self.lab)}"
            ) from None

    def full_n(self) -> int:
        """How many questions the full-size scores cover."""
        return len(self.committed["question_ids"]) if self.committed else len(self.question_ids)

    def full_questions(self, questions: Sequence[Question]) -> list[Question]:
        """The questions the full-size scores are about, in their order."""
        by_id = {q.id: q for q in questions}
        return [by_id[i] for i in (self.committed["question_ids"] if self.committed else self.question_ids)]

    def full_reports(
        self, reports: Mapping[str, Mapping[str, Any]], metrics: Sequence[str] = ("f1", "contains")
    ) -> dict[str, dict[str, Any]]:
        """``evaluate_pipeline`` reports whose named metrics are the full-size ones (costs stay live)."""
        full = {}
        for name, report in reports.items():
            per_question = {m: self.full(m, name) for m in metrics}
            summary = {}
            for metric, values in per_question.items():
                e = estimate(metric, values)
                summary[metric] = {"mean": e.mean, "low": e.low, "high": e.high, "n": e.n}
            full[name] = {
                **report,
                "n": self.full_n(),
                "metrics": {**report["metrics"], **summary},
                "per_question": {**report["per_question"], **per_question},
            }
        return full

    def full_trial(self, trial: Any) -> Any:
        """An attack trial with the full-size success lists (for rates, verdicts and the figure)."""
        from domainllm.rag.injection_trial import AttackTrial

        success = {key: self.full("attack success", f"{key[0]} | {key[1]}") for key in trial.success}
        return AttackTrial(list(trial.questions), list(trial.payloads), {}, success)

    def full_estimates(self, metric: str, variants: Sequence[str] | None = None) -> dict[str, Estimate]:
        """The full-size estimate of each variant (Wilson or bootstrap, see :func:`estimate`)."""
        names = variants or list(self.scores.get(metric, {}))
        return {name: estimate(metric, self.full(metric, name)) for name in names}

    def live_check(self) -> list[dict[str, Any]]:
        """Each live estimate beside the committed one on the same questions; raises when they part."""
        if self.committed is None:
            return []
        position = {qid: i for i, qid in enumerate(self.committed["question_ids"])}
        rows, outside = [], []
        for metric, variants in self.scores.items():
            for variant, live in variants.items():
                then = [self.full(metric, variant)[position[q]] for q in self.question_ids]
                now_est, then_est = estimate(metric, live), estimate(metric, then)
                within = now_est.low <= then_est.high + 1e-9 and then_est.low <= now_est.high + 1e-9
                rows.append(
                    {"metric": metric, "variant": variant, "n": len(live), "live": str(now_est)}
                    | {"committed, same questions": str(then_est), "within": within}
                )
                if not within:
                    outside.append(f"{variant} ({metric}): live {now_est}, committed {then_est}")
        if outside:
            raise LiveCheckError(
                f"{self.lab}{f' ({self.part})' if self.part else ''}: live estimates outside the committed "
                "intervals on the same questions: "
                + "; ".join(outside)
                + f". Compute them again with: {refresh_command(self.lab)}"
            )
        return rows

    def finish(self) -> list[dict[str, Any]]:
        """Recording: write the scores for the command. Live: :meth:`live_check`."""
        if self.recording:
            path = Path(self.recording)
            record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            entry = {"question_ids": self.question_ids, "scores": self.scores}
            if self.part:
                record.setdefault("parts", {})[self.part] = entry
            else:
                record.update(entry)
            atomic_write_text(path, json.dumps(record) + "\n")
            return []
        return self.live_check()


def lab_comparison(
    lab: str,
    questions: Sequence[Question],
    live_n: int,
    settings: Settings | None = None,
    path: Path = LAB_RESULTS,
    stratify: Callable[[Sequence[Question], int, int], list[Question]] = stratified_by_category,
    part: str | None = None,
) -> tuple[LabScores, list[Question]]:
    """The questions a lab compares its variants on, and the :class:`LabScores` that records them.

    Recording: :data:`FULL_LAB_QUESTIONS` of ``questions``, stratified by category (or by
    ``stratify(questions, n, seed)``, lab 5's spread over question kinds). ``part`` names a second
    comparison of the same lab on other questions, recorded beside the first. On the book's
    portfolio: a stratified ``live_n`` of the committed ones (stale or missing results raise
    :class:`~domainllm.benchmark.committed.StaleResultsError` in the book build; elsewhere the lab
    is told why and runs live). On another corpus: a seeded sample of ``live_n``.
    """
    from domainllm.corpus.documents import resolve_source

    settings = settings or get_settings()
    if os.environ.get(RECORDING):
        sample = stratify(list(questions), FULL_LAB_QUESTIONS, settings.seed)
        return LabScores(lab, [q.id for q in sample], None, part), sample
    if resolve_source().path != DATA_DIR:
        sample = sample_questions(questions, live_n, seed=settings.seed)
        return LabScores(lab, [q.id for q in sample], None, part), sample
    record = _committed_record(lab, path, settings, part)
    if record is None:  # stale results outside the book build: live, at the settings' size
        sample = stratify(list(questions), live_n, settings.seed)
        return LabScores(lab, [q.id for q in sample], None, part), sample
    by_id = {q.id: q for q in questions}
    full = [by_id[i] for i in record["question_ids"]]
    sample = stratify(full, live_n, settings.seed)
    return LabScores(lab, [q.id for q in sample], record, part), sample


def _committed_record(lab: str, path: Path, settings: Settings, part: str | None) -> dict[str, Any] | None:
    """The committed record of ``lab`` (its ``part``), or None outside the book build when stale."""
    record = read_lab_results(path).get(lab)
    if record is None:
        problem = f"No committed results of {lab} in {path}. Compute them with: {refresh_command(lab)}"
    elif record["fingerprint"] != lab_fingerprint(lab, settings):
        problem = (
            f"The committed results of {lab} ({path.name}) were computed by other code, settings or data. "
            f"Compute them again with: {refresh_command(lab)} (minutes on 2 cores), and commit the file."
        )
    elif part is not None and part not in record.get("parts", {}):
        problem = f"The committed results of {lab} hold no {part!r} comparison. Compute them again with: {refresh_command(lab)}"
    else:
        return record["parts"][part] if part is not None else record
    stale_outside_the_build(StaleResultsError(problem))
    return None


def whole_contracts(questions: Sequence[Question], n: int, seed: int) -> list[Question]:
    """Every question about the contracts with the most questions (ties in a seeded order), as many
    contracts as it takes to reach ``n`` questions, in the order of ``questions`` (a question naming
    no contract is left out). Lab 2 generates its hypothetical questions for whole contracts, so its
    sample is drawn a contract at a time, and the fewest contracts are generated for."""
    from domainllm.rag.contract_context import contract_ids_in

    by_contract: dict[str, list[str]] = {}
    for question in questions:
        named = contract_ids_in(question.question)
        if named:
            by_contract.setdefault(named[0], []).append(question.id)
    shuffled = sorted(by_contract)
    random.Random(seed).shuffle(shuffled)
    tie_break = {contract: i for i, contract in enumerate(shuffled)}
    picked: set[str] = set()
    for contract in sorted(by_contract, key=lambda c: (-len(by_contract[c]), tie_break[c])):
        if len(picked) >= n:
            break
        picked.update(by_contract[contract])
    return [q for q in questions if q.id in picked]
