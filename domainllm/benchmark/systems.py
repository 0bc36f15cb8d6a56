"""Lab 9 (benchmark): The book's benchmark: seven systems x five splits, same questions, same metrics, with intervals.

Systems run from the base model closed-book to RAG with a retrieval-aware fine-tuned model
after DPO. Every system answers the same seeded sample of each split; answer metrics,
retrieval metrics (RAG systems), grounding, tokens, latency and the reason of every wrong answer
are recorded per question and summarized with 95% intervals (Wilson's for accuracy); the
headline comparisons (:mod:`domainllm.benchmark.comparisons`) get exact McNemar tests.
Each system also summarizes a seeded sample of contracts (:mod:`domainllm.benchmark.summarization`),
scored by the key terms it states and by ROUGE-L against the reference summaries. Fine-tuned
models come from :mod:`domainllm.finetune.finetuned` (cache, or trained when missing). On CUAD, which has
no train split and no summaries, the three untrained systems answer its one split.

``python -m domainllm bench all --json OUT`` and lab 09 both call :func:`run_benchmark`;
:func:`load_or_run_benchmark` caches the result by configuration so lab 10 reuses it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domainllm.benchmark.comparisons import comparisons
from domainllm.benchmark.evaluation import content_fingerprint, corpus_fingerprint
from domainllm.benchmark.rag_runner import evaluate_pipeline, pipeline_answers_chunks
from domainllm.benchmark.summarization import (
    key_terms_of,
    score_summaries,
    summarize_contracts,
    summary_sample,
)
from domainllm.config import Settings, get_settings
from domainllm.corpus.questions import Question, Summary, load_questions, load_summaries
from domainllm.corpus.sampling import stratified_by_category
from domainllm.files import read_json_cache
from domainllm.finetune.adapters import TrainedAdapter, load_adapted_generator, release
from domainllm.finetune.passages import load_facts
from domainllm.finetune.training_questions import paraphrases_of, raft_questions, trained_share
from domainllm.metrics.stats import proportion
from domainllm.rag.grounding import grounding_check
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.recipes import PIPELINES, IndexKey, make_recipe_retriever
from domainllm.rag.retrievers import ChunkIndex

BENCH_SPLITS = ("train", "dev", "test_paraphrase", "test_fresh", "test_multidoc")
BASE_QUESTIONS_PER_SPLIT = 8
BASE_SUMMARIES = 4
BENCHMARK_VERSION = 4


@dataclass(frozen=True)
class SystemSpec:
    """One system: its pipeline recipe (retrieval or none) and its fine-tuned weights (or none)."""

    name: str
    label: str
    pipeline: str
    adapter: str | None = None

    @property
    def retrieval(self) -> bool:
        return PIPELINES[self.pipeline].index is not None

    @property
    def fine_tuned(self) -> bool:
        """Some trained weights: a LoRA adapter on the generator, or a trained reader (lab 4b)."""
        return self.adapter is not None or self.reader == "extractive"

    @property
    def reader(self) -> str:
        return PIPELINES[self.pipeline].reader


SYSTEMS: tuple[SystemSpec, ...] = (
    SystemSpec("closed_book", "Base model, closed-book", "closed_book"),
    SystemSpec("naive_rag", "Naive RAG", "naive_rag"),
    SystemSpec("compressed_rag", "Advanced RAG (compressed)", "compressed_rag"),
    SystemSpec("span_reader_rag", "RAG + span reader (fine-tuned MiniLM)", "extractive_rag"),
    SystemSpec("sft_closed_book", "Fine-tuned (SFT), closed-book", "closed_book", "closed_book"),
    SystemSpec("raft_rag", "RAG + retrieval-aware SFT", "compressed_rag", "raft"),
    SystemSpec("raft_dpo_rag", "RAG + SFT + DPO", "compressed_rag", "dpo"),
)
SYSTEMS_BY_NAME = {s.name: s for s in SYSTEMS}


def questions_per_split(settings: Settings | None = None) -> int:
    """Questions per split: 8 at scale 1 (the whole benchmark then fits in a few minutes on 2 cores)."""
    settings = settings or get_settings()
    return settings.scaled(BASE_QUESTIONS_PER_SPLIT, 2)


def benchmark_questions(
    settings: Settings | None = None, n: int | None = None, trained_ids: Collection[str] | None = None
) -> dict[str, list[Question]]:
    """The seeded sample each system answers (``n`` per split, stratified by category and kind),
    per split that has questions with an answer; ``train`` holds questions the fine-tuned models
    trained on and ``test_paraphrase`` their paraphrases (:func:`trained_and_reworded`).

    A generated corpus fills all five splits. CUAD fills ``test_paraphrase`` alone, and its
    questions whose clause is absent from the contract have no answer to score against, so they
    are left out; the empty splits are left out too.
    """
    settings = settings or get_settings()
    n = questions_per_split(settings) if n is None else n
    samples = {}
    for split in BENCH_SPLITS:
        scorable = [q for q in load_questions(split) if q.answer.strip()]
        if scorable:
            samples[split] = stratified_by_category(scorable, n, seed=settings.seed)
    samples.update(trained_and_reworded(samples, n, settings, trained_ids))
    if not samples:
        raise ValueError("No split of the corpus (DOMAINLLM_CORPUS) has answered questions to benchmark.")
    return samples


def trained_and_reworded(
    samples: dict[str, list[Question]], n: int, settings: Settings, trained_ids: Collection[str] | None = None
) -> dict[str, list[Question]]:
    """The ``train`` sample drawn from the questions RAFT's run is given (of those, only the ones in
    ``trained_ids``, the training logs, when given), and the ``test_paraphrase`` sample from the
    paraphrases of exactly those (topped up from the other paraphrases only when a small corpus
    has too few); nothing when the corpus has no train split."""
    trained = [q for q in raft_questions(settings) if trained_ids is None or q.id in trained_ids]
    if not trained or "train" not in samples:
        return {}
    train = stratified_by_category(trained, n, seed=settings.seed)
    paraphrases = [q for q in load_questions("test_paraphrase") if q.answer.strip()]
    reworded = paraphrases_of(train, paraphrases)
    if len(reworded) < n and len(paraphrases) > len(reworded):
        others = [q for q in paraphrases if q not in reworded]
        reworded += stratified_by_category(others, n - len(reworded), seed=settings.seed)
    return {"train": train, "test_paraphrase": reworded} if reworded else {"train": train}


def default_systems(questions: dict[str, list[Question]]) -> list[str]:
    """Every system when there are ``train`` questions to fine-tune on, else the untrained ones."""
    if questions.get("train"):
        return list(SYSTEMS_BY_NAME)
    return [s.name for s in SYSTEMS if s.adapter is None]


def benchmark_summaries(settings: Settings | None = None) -> list[Summary]:
    """The seeded sample of reference summaries each system writes its own version of (4 at scale 1)."""
    settings = settings or get_settings()
    return summary_sample(load_summaries(), settings.scaled(BASE_SUMMARIES, 2), settings.seed)


def trained_adapters(
    indexes: dict[IndexKey, ChunkIndex], settings: Settings, names: Sequence[str]
) -> dict[str, TrainedAdapter]:
    """The fine-tuned adapters the chosen systems need, from the cache or trained now."""
    from domainllm.finetune import finetuned

    wanted = {SYSTEMS_BY_NAME[n].adapter for n in names} - {None}
    adapters: dict[str, TrainedAdapter] = {}
    if "closed_book" in wanted:
        adapters["closed_book"] = finetuned.closed_book_adapter(settings)
    if wanted & {"raft", "dpo"}:
        raft = finetuned.raft_adapter(indexes, settings)  # DPO starts from it: made once for both
        if "raft" in wanted:
            adapters["raft"] = raft
        if "dpo" in wanted:
            adapters["dpo"] = finetuned.dpo_adapter(indexes, settings, raft=raft)
    return adapters


def training_summary(adapters: dict[str, TrainedAdapter]) -> dict[str, dict[str, Any]]:
    """What each training run measured (time, tokens, examples, steps), for the cost model."""
    keys = ("seconds", "train_tokens", "examples", "steps")
    summary: dict[str, dict[str, Any]] = {}
    if "closed_book" in adapters:
        summary["sft_closed_book"] = {k: adapters["closed_book"].manifest.get(k, 0) for k in keys}
    if "raft" in adapters:
        summary["raft"] = {k: adapters["raft"].manifest.get(k, 0) for k in keys}
    if "dpo" in adapters:
        rounds = [a for a in adapters["dpo"].chain if a.run.method == "dpo"]
        summary["dpo"] = {k: sum(a.manifest.get(k, 0) for a in rounds) for k in keys}
        summary["dpo"]["rounds"] = len(rounds)
    return summary


def grounded_share(
    report: dict[str, Any], questions: Sequence[Question], chunks: dict[str, Any]
) -> list[float]:
    """1.0 per answer the retrieved passages support (:func:`grounding_check`), else 0.0."""
    scores = []
    for answer, question in zip(report["answers"], questions, strict=True):
        passages = [chunks[c] for c in answer["chunks"]]
        scores.append(0.0 if grounding_check(answer["answer"], question.question, passages).flagged else 1.0)
    return scores


def reader_identity(spec: SystemSpec) -> Any:
    """What names a system's reader in its cache keys: a trained reader's weights digest and settings."""
    if spec.reader != "extractive":
        return spec.reader
    from domainllm.rag.readers import make_reader

    return make_reader("extractive").identity()  # trains the span reader once when the cache has none


def report_key(
    spec: SystemSpec,
    adapter: TrainedAdapter | None,
    split: str,
    questions: Sequence[Question] | Sequence[Summary],
    settings: Settings,
    corpus: str | None = None,
    weights: str | None = None,
) -> str:
    """Cache key of one system's report on one split: the questions' content (not just ids), the
    corpus, the base weights (with the checkpoint's SHA-256; computed when not given), adapters, settings."""
    from domainllm.runtime.models import generator_weights_key

    text = json.dumps(
        [
            BENCHMARK_VERSION,
            spec.name,
            repr(PIPELINES[spec.pipeline]),
            reader_identity(spec),
            adapter.run.digest() if adapter else None,
            [a.run.digest() for a in adapter.chain] if adapter else [],
            split,
            content_fingerprint(questions),
            corpus if corpus is not None else corpus_fingerprint(),
            weights if weights is not None else generator_weights_key(settings),
            asdict(settings),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def evaluate_system(
    spec: SystemSpec,
    questions: dict[str, list[Question]],
    indexes: dict[IndexKey, ChunkIndex],
    adapter: TrainedAdapter | None = None,
    settings: Settings | None = None,
) -> dict[str, dict[str, Any]]:
    """Answer and score every split with one system; reports are cached on disk per split.

    The generator (base, or base + ``adapter``) is loaded only if some split is not cached, so
    a lab that repeats an earlier lab's evaluation gets it for free.
    """
    from domainllm.files import atomic_write_text
    from domainllm.paths import cache_dir
    from domainllm.runtime.embedding_cache import cached_embedder_encode
    from domainllm.runtime.models import generator_weights_key, load_generator

    settings = settings or get_settings()
    folder = cache_dir("results", "reports")
    corpus, weights = corpus_fingerprint(), generator_weights_key(settings)
    paths = {
        split: folder / f"{report_key(spec, adapter, split, qs, settings, corpus, weights)}.json"
        for split, qs in questions.items()
    }
    results = {split: r for split, path in paths.items() if (r := read_json_cache(path)) is not None}
    missing = [split for split in questions if split not in results]
    if not missing:
        return {split: results[split] for split in questions}
    retriever = make_recipe_retriever(PIPELINES[spec.pipeline], indexes)
    generator = load_generator(settings) if adapter is None else load_adapted_generator(adapter, settings)
    encode = cached_embedder_encode(settings)
    try:
        for split in missing:
            sample = questions[split]
            recipe = PIPELINES[spec.pipeline]
            pipeline = RagPipeline(spec.name, generator, retriever, k=recipe.k, reader=recipe.reader)
            report = evaluate_pipeline(pipeline, sample, encode=encode)
            if retriever is not None:
                retrieved = {c.id: c for a in pipeline_answers_chunks(pipeline, report) for c in a}
                grounded = grounded_share(report, sample, retrieved)
                report["per_question"]["grounded"] = grounded
                report["metrics"]["grounded"] = proportion(grounded).to_dict()
            atomic_write_text(paths[split], json.dumps(report))
            results[split] = report
    finally:
        if adapter is not None:
            release(generator)
    return {split: results[split] for split in questions}


def summarize_with_system(
    spec: SystemSpec,
    summaries: Sequence[Summary],
    indexes: dict[IndexKey, ChunkIndex],
    adapter: TrainedAdapter | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """One system's summaries of the sampled contracts, scored by key terms and ROUGE-L (cached)."""
    from domainllm.files import atomic_write_text
    from domainllm.paths import cache_dir
    from domainllm.runtime.models import load_generator

    settings = settings or get_settings()
    path = (
        cache_dir("results", "reports")
        / f"{report_key(spec, adapter, 'summaries', summaries, settings)}.json"
    )
    if (cached := read_json_cache(path)) is not None:
        return cached
    if not summaries or spec.reader not in ("generative", "closed_book"):
        return score_summaries([], [])  # a span reader extracts answers; it writes no summaries
    retriever = make_recipe_retriever(PIPELINES[spec.pipeline], indexes)
    generator = load_generator(settings) if adapter is None else load_adapted_generator(adapter, settings)
    try:
        outputs = summarize_contracts(summaries, generator, retriever, k=PIPELINES[spec.pipeline].k)
    finally:
        if adapter is not None:
            release(generator)
    report = score_summaries(outputs, summaries, key_terms_of(load_facts()))
    atomic_write_text(path, json.dumps(report))
    return report


def run_benchmark(
    settings: Settings | None = None,
    systems: Sequence[str] | None = None,
    questions: dict[str, list[Question]] | None = None,
    summarize: bool = True,
) -> dict[str, Any]:
    """Every chosen system on every split (JSON-ready; see the module docstring); ``questions``
    replaces the default sample (:func:`benchmark_questions`). Without ``summarize`` the systems
    answer questions only (the book's live check compares answers, not summaries)."""
    settings = settings or get_settings()
    questions = questions or benchmark_questions(settings)
    names = list(systems or default_systems(questions))
    unknown = [n for n in names if n not in SYSTEMS_BY_NAME]
    if unknown:
        raise ValueError(f"Unknown system(s) {unknown}; choose from {', '.join(SYSTEMS_BY_NAME)}.")
    untrainable = [n for n in names if SYSTEMS_BY_NAME[n].adapter and not questions.get("train")]
    if untrainable:
        raise ValueError(
            f"{', '.join(untrainable)} need fine-tuning on the corpus's train split, and this corpus "
            "has none (CUAD has no train split): leave these systems out."
        )
    summaries = benchmark_summaries(settings) if summarize else []
    indexes: dict[IndexKey, ChunkIndex] = {}
    results: dict[str, Any] = {}
    summary_results: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        adapters = trained_adapters(indexes, settings, names)
        for name in names:
            spec = SYSTEMS_BY_NAME[name]
            adapter = adapters[spec.adapter] if spec.adapter else None
            results[name] = evaluate_system(spec, questions, indexes, adapter, settings)
            if summaries:
                summary_results[name] = summarize_with_system(spec, summaries, indexes, adapter, settings)
    finally:
        for index in indexes.values():
            index.close()
    return {
        "config": {
            "settings": asdict(settings),
            "questions_per_split": max(len(qs) for qs in questions.values()),
            "question_ids": {s: [q.id for q in qs] for s, qs in questions.items()},
            "summary_ids": [s.id for s in summaries],
            "seconds": time.perf_counter() - started,
        },
        "systems": {
            n: {
                "label": s.label,
                "retrieval": s.retrieval,
                "fine_tuned": s.fine_tuned,
                "pipeline": s.pipeline,
            }
            for n, s in ((n, SYSTEMS_BY_NAME[n]) for n in names)
        },
        "results": results,
        "summaries": summary_results,
        "comparisons": comparisons(results),
        "training": training_summary(adapters),
        "train_column_trained": {  # from the adapters' training logs: 1.0 when each trained on all of it
            n: trained_share(adapters[SYSTEMS_BY_NAME[n].adapter], questions.get("train", []))
            for n in names
            if SYSTEMS_BY_NAME[n].adapter
        },
    }


def benchmark_key(
    settings: Settings,
    systems: Sequence[str],
    questions: dict[str, list[Question]] | None = None,
    summarize: bool = True,
) -> str:
    """Cache key: settings, systems, the sampled questions' and summaries' content, the corpus,
    the base weights, training recipes and labels, version."""
    from domainllm.finetune.finetuned import training_fingerprint
    from domainllm.runtime.models import generator_weights_key

    sample = questions or benchmark_questions(settings)
    questions_key = {s: content_fingerprint(qs) for s, qs in sample.items()}
    inputs = [
        asdict(settings),
        list(systems),
        questions_key,
        content_fingerprint(benchmark_summaries(settings)) if summarize else None,
    ]
    inputs += [
        corpus_fingerprint(),
        generator_weights_key(settings),
        training_fingerprint(),
        BENCHMARK_VERSION,
    ]
    text = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_or_run_benchmark(
    settings: Settings | None = None,
    systems: Sequence[str] | None = None,
    fresh: bool = False,
    questions: dict[str, list[Question]] | None = None,
    summarize: bool = True,
) -> dict[str, Any]:
    """The cached benchmark for these settings (and ``questions``, default :func:`benchmark_questions`),
    or a fresh run (then cached) when there is none, it is corrupt (a warning names the file) or
    ``fresh`` asks to run again and replace it; ``summarize`` as in :func:`run_benchmark`."""
    from domainllm.files import atomic_write_text
    from domainllm.paths import cache_dir

    settings = settings or get_settings()
    questions = questions or benchmark_questions(settings)
    names = list(systems or default_systems(questions))
    path = cache_dir("results") / f"benchmark-{benchmark_key(settings, names, questions, summarize)}.json"
    if not fresh and (cached := read_json_cache(path)) is not None:
        return cached
    results = run_benchmark(settings, names, questions, summarize)
    atomic_write_text(path, json.dumps(results, indent=1))
    return results
