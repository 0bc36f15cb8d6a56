"""Lab 9 (benchmark): full-size results committed with the repository, and a live check on every build.

Scoring 64 questions per split for every system takes longer than the book build can afford on two
cores. So ``python -m domainllm bench all --save`` runs the full benchmark once and writes it to
``data/results/benchmark.json`` with a fingerprint of each system (its pipeline, reader, training
recipes, the corpus, the base weights, the settings and the code that answers and scores), the seed
and the machine. Lab 9 shows that file, and the book build:

* fails when a fingerprint no longer matches the code (:class:`StaleResultsError`: the results were
  computed by other code or settings, and the message names the command that refreshes them);
* re-runs a stratified subsample of the committed questions live and fails when the live
  estimate's interval and the committed one for the same questions do not overlap
  (:class:`LiveCheckError`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from domainllm.benchmark.comparisons import HEADLINE_METRIC
from domainllm.benchmark.evaluation import corpus_fingerprint
from domainllm.benchmark.systems import (
    BENCHMARK_VERSION,
    SYSTEMS_BY_NAME,
    benchmark_questions,
    default_systems,
    load_or_run_benchmark,
    questions_per_split,
    reader_identity,
)
from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import Question, load_questions
from domainllm.corpus.sampling import stratified_by_category
from domainllm.files import atomic_write_text
from domainllm.metrics.stats import proportion
from domainllm.paths import DATA_DIR, REPO_ROOT

FULL_QUESTIONS_PER_SPLIT = 64
COMMITTED = DATA_DIR / "results" / "benchmark.json"
REFRESH = "python -m domainllm bench all --save"
# The code that produces and scores an answer: a change here can change a committed number.
ANSWER_CODE = (
    "domainllm/rag",
    "domainllm/runtime",
    "domainllm/finetune",
    "domainllm/metrics",
    "domainllm/corpus",
    "domainllm/config.py",
    "domainllm/graph/multidoc.py",
    "domainllm/benchmark/evaluation.py",
    "domainllm/benchmark/failure_reasons.py",
    "domainllm/benchmark/comparisons.py",
    "domainllm/benchmark/rag_runner.py",
    "domainllm/benchmark/summarization.py",
    "domainllm/benchmark/systems.py",
)


BOOK_BUILD = "DOMAINLLM_BOOK_BUILD"  # set by `make book` and `make test` (the Makefile)


class StaleResultsError(RuntimeError):
    """The committed results were computed by other code, settings or data than the book's now."""


def stale_outside_the_build(error: StaleResultsError) -> None:
    """Raise ``error`` in the book build; in a reader's own Jupyter (a changed setting, an edited
    cell) print it, so the caller can run live at the settings' size instead."""
    if os.environ.get(BOOK_BUILD):
        raise error
    print(f"{error}\nOutside the book build this page runs live at the settings' size instead.")


class LiveCheckError(RuntimeError):
    """A live estimate falls outside the committed interval for the same questions."""


def code_digest(root: Path = REPO_ROOT) -> str:
    """SHA-256 over the source of :data:`ANSWER_CODE` (file names and contents, in a fixed order)."""
    digest = hashlib.sha256()
    for entry in ANSWER_CODE:
        path = root / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def weights_identity(settings: Settings) -> str:
    """The base weights by name and checksum: the shipped GGUF's SHA-256, whatever number format
    this machine's CPU computes in (that difference is what the live check measures)."""
    from domainllm.runtime.models import GENERATOR_SHA256, SHIPPED_GENERATOR, generator_weights_key

    if settings.generator == SHIPPED_GENERATOR:
        return f"{SHIPPED_GENERATOR}:{GENERATOR_SHA256}"
    return generator_weights_key(settings)


def system_fingerprints(systems: Sequence[str], settings: Settings | None = None) -> dict[str, str]:
    """One fingerprint per system: pipeline, reader, training recipes and labels, corpus, base
    weights, settings (all but the scale) and :func:`code_digest`."""
    from domainllm.finetune.finetuned import training_fingerprint

    settings = settings or get_settings()
    shared = [
        BENCHMARK_VERSION,
        corpus_fingerprint(),
        weights_identity(settings),
        {k: v for k, v in asdict(settings).items() if k != "scale"},
        code_digest(),
    ]
    fingerprints = {}
    for name in systems:
        spec = SYSTEMS_BY_NAME[name]
        own = [asdict(spec), reader_identity(spec), training_fingerprint() if spec.adapter else None]
        text = json.dumps([*shared, *own], sort_keys=True, default=str)
        fingerprints[name] = hashlib.sha256(text.encode()).hexdigest()[:20]
    return fingerprints


def run_full_benchmark(
    n: int = FULL_QUESTIONS_PER_SPLIT, settings: Settings | None = None, systems: Sequence[str] | None = None
) -> dict[str, Any]:
    """The benchmark on ``n`` questions per split, with the fingerprints, seed and machine."""
    from domainllm.benchmark.machine import machine_info

    settings = settings or get_settings()
    questions = benchmark_questions(settings, n)
    names = list(systems or default_systems(questions))
    if any(SYSTEMS_BY_NAME[name].adapter for name in names):
        from domainllm.finetune.finetuned import trained_question_ids

        # the train column: questions both fine-tuned generators trained on, read from their logs
        questions = benchmark_questions(settings, n, trained_question_ids(settings))
    bench = load_or_run_benchmark(settings, names, questions=questions)
    from domainllm.config import dtype_name

    return {
        "fingerprints": system_fingerprints(names, settings),
        "seed": settings.seed,
        "dtype": dtype_name(settings),
        "questions_per_split": n,
        "machine": machine_info(),
        "refresh": REFRESH,
        "bench": bench,
    }


def save_committed(record: Mapping[str, Any], path: Path = COMMITTED) -> Path:
    """Write the record (atomically) where lab 9 reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=1) + "\n")
    return path


def stale_systems(record: Mapping[str, Any], settings: Settings | None = None) -> list[str]:
    """The systems whose committed fingerprint differs from the one the code gives now."""
    now = system_fingerprints(list(record["fingerprints"]), settings)
    return [name for name, value in record["fingerprints"].items() if now[name] != value]


def load_committed(path: Path = COMMITTED, settings: Settings | None = None) -> dict[str, Any] | None:
    """The committed full-size results, checked against the code; None for another corpus (CUAD).

    When the file is missing for the book's corpus or a system's fingerprint no longer matches,
    raises :class:`StaleResultsError` in the book build (naming the command that computes them
    again), and elsewhere prints it and returns None (:func:`stale_outside_the_build`).
    """
    from domainllm.corpus.documents import resolve_source

    if resolve_source().path != DATA_DIR:
        return None  # committed results exist for the book's own portfolio only
    if not path.is_file():
        stale_outside_the_build(
            StaleResultsError(f"No committed benchmark at {path}. Compute it with: {REFRESH}")
        )
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    stale = stale_systems(record, settings)
    if stale:
        stale_outside_the_build(
            StaleResultsError(
                f"The committed benchmark ({path.name}) was computed by other code, settings or data for "
                f"{', '.join(stale)}. Compute it again with: {REFRESH} (about 20 minutes on 2 cores), and commit it."
            )
        )
        return None
    return record


def committed_questions(record: Mapping[str, Any], splits: Sequence[str]) -> dict[str, list[Question]]:
    """Every question the committed benchmark scored on each of ``splits``, in its order."""
    questions = {}
    for split in splits:
        by_id = {q.id: q for q in load_questions(split)}
        questions[split] = [by_id[i] for i in record["bench"]["config"]["question_ids"][split]]
    return questions


def live_questions(record: Mapping[str, Any], settings: Settings | None = None) -> dict[str, list[Question]]:
    """A stratified subsample (``questions_per_split`` of the settings) of the committed questions."""
    settings = settings or get_settings()
    n = questions_per_split(settings)
    full = committed_questions(record, list(record["bench"]["config"]["question_ids"]))
    return {split: stratified_by_category(qs, n, seed=settings.seed) for split, qs in full.items()}


def live_check(
    live: Mapping[str, Any], record: Mapping[str, Any], metric: str = HEADLINE_METRIC
) -> list[dict]:
    """Per system and split: the live accuracy and the committed one on the same questions (Wilson).

    Raises :class:`LiveCheckError` when the two 95% intervals do not overlap. (Comparing the live
    point estimate with the committed interval failed on a fresh machine: the span reader trained
    there answered 6 of 8 dev questions right against 3 of 8 committed, a difference that training's
    numerical nondeterminism across machines produces and 8 questions cannot resolve.)
    """
    committed = record["bench"]
    rows, outside = [], []
    for name, splits in live["results"].items():
        for split, report in splits.items():
            ids = live["config"]["question_ids"][split]
            full_ids = committed["config"]["question_ids"][split]
            full_scores = committed["results"][name][split]["per_question"][metric]
            same = [full_scores[full_ids.index(i)] for i in ids]
            then, now = proportion(same), proportion(report["per_question"][metric])
            row = {"system": name, "split": split, "n": now.n, "live": now.mean, "committed": str(then)}
            row["live interval"] = f"[{now.low:.2f}, {now.high:.2f}]"
            row["within"] = now.low <= then.high + 1e-9 and then.low <= now.high + 1e-9
            rows.append(row)
            if not row["within"]:
                outside.append(f"{name} on {split}: live {now}, committed {then}")
    if outside:
        raise LiveCheckError(
            "Live estimates outside the committed intervals (same questions): "
            + "; ".join(outside)
            + f". The committed results no longer describe this code or machine: {REFRESH}"
        )
    return rows


def book_benchmark(settings: Settings | None = None) -> tuple[dict[str, Any], list[dict] | None]:
    """What lab 9 and lab 10 show: the committed full-size results with the live check's rows, or
    (on another corpus, which has no committed results) a live run at the settings' size and None."""
    record = load_committed(settings=settings)
    if record is None:
        return load_or_run_benchmark(settings), None
    live = load_or_run_benchmark(  # the check compares answers: the summaries shown are the committed ones
        settings, list(record["fingerprints"]), questions=live_questions(record, settings), summarize=False
    )
    return record["bench"], live_check(live, record)
