"""The multi-document comparison shared by lab 5 and ``python -m domainllm bench multidoc``.

Three approaches answer the same seeded, kind-stratified sample of ``test_multidoc``:

* ``vector_rag``: a retrieval pipeline of :mod:`domainllm.benchmark.rag_runner` (default: the advanced one);
* ``graph_rag``: entity linking + subgraph + the generator (:mod:`domainllm.graph.graph_rag`);
* ``map_reduce``: extraction from every candidate contract and aggregation in code
  (:mod:`domainllm.graph.multidoc`), which needs no generator and is also scored on the whole split.

The knowledge graph and the map step use the pattern extractor; the LLM extractor is measured on
its own sample of (clause, field) requests against the gold facts (:func:`llm_extraction_report`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import Document, load_corpus
from domainllm.corpus.questions import Question, load_questions
from domainllm.graph.entity_linking import EntityLinker
from domainllm.graph.knowledge_graph import build_graph
from domainllm.graph.llm_extraction import Clause, LLMTripleExtractor
from domainllm.graph.multidoc import MapReduceAnalyst, MultidocAnswer, score_multidoc
from domainllm.graph.triple_extraction import (
    CATEGORY_KINDS,
    GoldFact,
    PatternExtractor,
    Triple,
    classify_sentence,
    clause_headings,
    load_gold_facts,
    score_triples,
    total_score,
    value_matches,
)
from domainllm.metrics.stats import Estimate, bootstrap_ci, paired_bootstrap
from domainllm.rag.recipes import PIPELINES, IndexKey, make_pipeline

__all__ = [
    "APPROACHES",
    "KINDS",
    "QUESTION_CATEGORIES",
    "Portfolio",
    "extraction_requests",
    "llm_extraction_report",
    "multidoc_eval_size",
    "pattern_on_requests",
    "run_multidoc_benchmark",
    "score_answers",
    "stratified_sample",
]

APPROACHES = ("vector_rag", "graph_rag", "map_reduce")
KINDS = ("list", "count", "compare", "amended")
# The clause categories the test_multidoc questions need: the LLM extractor is measured on these.
QUESTION_CATEGORIES = (
    "parties",
    "governing_law",
    "payment_terms",
    "termination_for_convenience",
    "notice_period_to_terminate_renewal",
    "confidentiality_period",
    "warranty_duration",
    "cap_on_liability",
    "minimum_commitment",
    "insurance",
)
BASE_MULTIDOC_QUESTIONS = 16
BASE_EXTRACTION_POSITIVES = 2  # per category, at scale 1
BASE_EXTRACTION_NEGATIVES = 4  # clauses that do not state the asked field, at scale 1


def multidoc_eval_size(settings: Settings | None = None) -> int:
    """Questions the generated approaches answer: 16 at scale 1 (four of each kind; on 2 cores vector
    RAG and graph RAG take about a minute each for them)."""
    settings = settings or get_settings()
    return settings.scaled(BASE_MULTIDOC_QUESTIONS, len(KINDS))


def stratified_sample(questions: Sequence[Question], n: int, seed: int = 0) -> list[Question]:
    """A seeded sample of ``n`` questions spread evenly over the kinds (list, count, compare, amended)."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}.")
    rng = random.Random(seed)
    pools = {kind: [q for q in questions if q.kind == kind] for kind in KINDS}
    for pool in pools.values():
        rng.shuffle(pool)
    picked: list[Question] = []
    while len(picked) < min(n, len(questions)):
        for kind in KINDS:
            if pools[kind] and len(picked) < n:
                picked.append(pools[kind].pop())
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(picked, key=lambda q: order[q.id])


def score_answers(questions: Sequence[Question], answers: Sequence[str], seed: int = 0) -> dict[str, Any]:
    """Per-question scores and their means with 95% bootstrap intervals.

    ``set_f1`` is over every question; ``list_f1`` the set F1 of list questions; ``count``,
    ``compare`` and ``amended`` are the accuracies (exact answer) of those kinds.
    """
    per_question = [
        {"id": q.id, "kind": q.kind, "answer": a, "gold": q.answer, **score_multidoc(q, a)}
        for q, a in zip(questions, answers, strict=True)
    ]
    return summarize_rows(per_question, seed)


def scores_report(
    questions: Sequence[Question], f1: Sequence[float], exact: Sequence[float], seed: int = 0
) -> dict[str, Any]:
    """A :func:`score_answers` report rebuilt from per-question set F1 and exact scores (lab 5's
    committed full-size results keep these, not the answers)."""
    rows = [
        {"id": q.id, "kind": q.kind, "f1": f, "exact": e}
        for q, f, e in zip(questions, f1, exact, strict=True)
    ]
    return summarize_rows(rows, seed)


def summarize_rows(per_question: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Means with 95% bootstrap intervals of scored rows (``kind``, ``f1``, ``exact``), overall and per kind."""
    metrics: dict[str, Estimate] = {"set_f1": bootstrap_ci([r["f1"] for r in per_question], seed=seed)}
    for kind in KINDS:
        rows = [r for r in per_question if r["kind"] == kind]
        if rows:
            name = "list_f1" if kind == "list" else kind
            metrics[name] = bootstrap_ci([r["f1" if kind == "list" else "exact"] for r in rows], seed=seed)
    return {
        "n": len(per_question),
        "metrics": {name: e.to_dict() for name, e in metrics.items()},
        "per_question": per_question,
    }


@dataclass
class Portfolio:
    """The corpus, its pattern triples, the knowledge graph and the entity linker, built once."""

    documents: list[Document]
    extractor: PatternExtractor
    triples: list[Triple]
    graph: Any
    linker: EntityLinker

    @classmethod
    def build(cls, documents: Sequence[Document] | None = None) -> Portfolio:
        """Extract triples from every document with the patterns and build the graph from them."""
        documents = list(load_corpus() if documents is None else documents)
        extractor = PatternExtractor()
        triples = extractor.extract_all(documents)
        graph = build_graph(triples)
        return cls(documents, extractor, triples, graph, EntityLinker(graph))

    def map_reduce(self) -> MapReduceAnalyst:
        """A map-reduce analyst whose map step is this portfolio's pattern extractor."""
        return MapReduceAnalyst(self.documents, self.linker, self.extractor.extract)


# ---------------------------------------------------------------- extraction on a sample


def _clause(documents: dict[str, Document], fact: GoldFact) -> Clause:
    return Clause(fact.doc_id, fact.start, fact.end, documents[fact.doc_id].text[fact.start : fact.end])


def extraction_requests(
    documents: Sequence[Document],
    gold: Sequence[GoldFact],
    categories: Sequence[str] = QUESTION_CATEGORIES,
    positives: int = BASE_EXTRACTION_POSITIVES,
    negatives: int = BASE_EXTRACTION_NEGATIVES,
    seed: int = 0,
) -> tuple[list[tuple[Clause, str]], list[GoldFact]]:
    """A seeded sample of (clause, field) requests and the gold facts they should find.

    ``positives`` clauses per category state the field (their gold fact is returned); ``negatives``
    clauses state another field of the same kind (a notice period asked for its payment period, say)
    and should yield nothing.
    """
    by_id = {doc.id: doc for doc in documents}
    rng = random.Random(seed)
    requests: list[tuple[Clause, str]] = []
    wanted: list[GoldFact] = []
    for category in categories:
        pool = sorted((g for g in gold if g.category == category), key=lambda g: g.doc_id)
        for fact in rng.sample(pool, min(positives, len(pool))):
            requests.append((_clause(by_id, fact), category))
            wanted.append(fact)
    for _ in range(negatives):
        category = rng.choice(list(categories))
        pool = sorted(
            (
                g
                for g in gold
                if g.category != category and CATEGORY_KINDS[g.category] == CATEGORY_KINDS[category]
            ),
            key=lambda g: (g.doc_id, g.category),
        )
        if pool:
            requests.append((_clause(by_id, rng.choice(pool)), category))
    return requests, wanted


def pattern_on_requests(
    requests: Sequence[tuple[Clause, str]], documents: Sequence[Document], extractor: PatternExtractor
) -> list[Triple]:
    """The pattern extractor on the same requests: a triple where it reads the asked field in the clause."""
    headings = {doc.id: clause_headings(doc.text) for doc in documents}
    by_id = {doc.id: doc for doc in documents}
    triples = []
    for clause, category in requests:
        doc = by_id[clause.doc_id]
        found = [
            t
            for t in extractor.extract(doc)
            if t.start <= clause.start < t.end or clause.start <= t.start < clause.end
        ]
        found = [t for t in found if t.category == category]
        if not found:  # a clause out of its document's context: read it alone
            number = clause.text.split(" ", 1)[0]
            guess = classify_sentence(clause.text, headings[clause.doc_id].get(number, ""))
            if guess and guess[0] == category:
                found = [Triple(clause.doc_id, category, guess[1], clause.start, clause.end)]
        triples += [Triple(t.doc_id, t.category, t.value, clause.start, clause.end) for t in found[:1]]
    return triples


def _scores_table(
    predicted: Sequence[Triple], gold: Sequence[GoldFact], categories: Sequence[str]
) -> dict[str, Any]:
    scores = score_triples(predicted, gold, categories)
    return {
        "per_category": {c: s.to_dict() for c, s in scores.items()},
        "total": total_score(scores).to_dict(),
    }


def llm_extraction_report(
    generator: Any,
    documents: Sequence[Document],
    gold: Sequence[GoldFact],
    extractor: PatternExtractor,
    settings: Settings | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """LLM and pattern extraction on the same seeded requests, scored against the gold facts.

    The sample grows with ``settings.scale``. Returns both score tables, the LLM's validity counts,
    bootstrap intervals of the LLM's precision and recall, and every request's replies (with the
    gold value for the requests whose clause states the field; None for the others).
    """
    settings = settings or get_settings()
    requests, wanted = extraction_requests(
        documents,
        gold,
        positives=settings.scaled(BASE_EXTRACTION_POSITIVES),
        negatives=settings.scaled(BASE_EXTRACTION_NEGATIVES),
        seed=settings.seed,
    )
    llm = LLMTripleExtractor(generator)
    results = llm.extract(requests, progress=progress)
    llm_triples = [r.triple for r in results if r.triple is not None]
    pattern_triples = pattern_on_requests(requests, documents, extractor)
    gold_keys = {(g.doc_id, g.category): g for g in wanted}
    # For every LLM triple: is it a gold fact's value?  For every gold fact: did the LLM return it?
    correct = [
        float(fact is not None and value_matches(t.value, fact.references))
        for t in llm_triples
        for fact in [gold_keys.get((t.doc_id, t.category))]
    ]
    found = [
        float(
            any(
                value_matches(t.value, fact.references)
                for t in llm_triples
                if (t.doc_id, t.category) == (fact.doc_id, fact.category)
            )
        )
        for fact in wanted
    ]
    return {
        "requests": len(requests),
        "positives": len(wanted),
        "categories": list(QUESTION_CATEGORIES),
        "llm": _scores_table(llm_triples, wanted, QUESTION_CATEGORIES),
        "pattern": _scores_table(pattern_triples, wanted, QUESTION_CATEGORIES),
        "llm_stats": llm.stats.to_dict(),
        "llm_precision": bootstrap_ci(correct, seed=settings.seed).to_dict() if correct else None,
        "llm_recall": bootstrap_ci(found, seed=settings.seed).to_dict() if found else None,
        "results": [
            {
                "doc_id": r.clause.doc_id,
                "category": r.category,
                "kind": CATEGORY_KINDS[r.category],
                "clause": r.clause.text,
                "replies": r.replies,
                "status": r.status,
                "reasons": r.reasons,
                "value": r.triple.value if r.triple else None,
                "gold": fact.value if fact else None,
                "correct": bool(r.triple and fact and value_matches(r.triple.value, fact.references)),
            }
            for r, fact in zip(results, [*wanted, *[None] * (len(results) - len(wanted))], strict=True)
        ],
    }


# ---------------------------------------------------------------- the comparison


def answer_vector_rag(
    questions: Sequence[Question], generator: Any, pipeline: str = "advanced_rag"
) -> tuple[list[str], dict[str, float]]:
    """Answers of a :mod:`domainllm.benchmark.rag_runner` pipeline (its index is built and closed here)."""
    indexes: dict[IndexKey, Any] = {}
    try:
        rag = make_pipeline(PIPELINES[pipeline], generator, indexes)
        answers = rag.run(questions)
    finally:
        for index in indexes.values():
            index.close()
    cost = {
        "prompt_tokens": sum(a.prompt_tokens for a in answers) / max(len(answers), 1),
        "seconds_per_answer": sum(a.seconds for a in answers) / max(len(answers), 1),
    }
    return [a.answer for a in answers], cost


def _cost(answers: Sequence[MultidocAnswer]) -> dict[str, float]:
    return {
        "prompt_tokens": sum(a.prompt_tokens for a in answers) / max(len(answers), 1),
        "seconds_per_answer": sum(a.seconds for a in answers) / max(len(answers), 1),
    }


def run_map_reduce(
    portfolio: Portfolio, questions: Sequence[Question]
) -> tuple[list[MultidocAnswer], dict[str, float]]:
    """Map-reduce answers with the time each took."""
    analyst = portfolio.map_reduce()
    answers = []
    for q in questions:
        started = time.perf_counter()
        answer = analyst.answer(q.question)
        answer.seconds = time.perf_counter() - started
        answers.append(answer)
    return answers, _cost(answers)


def run_multidoc_benchmark(
    n: int | None = None,
    approaches: Sequence[str] | None = None,
    vector_pipeline: str = "advanced_rag",
    extraction: bool = True,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score the approaches on a stratified sample of ``test_multidoc`` (and map-reduce on all of it).

    ``n`` defaults to :func:`multidoc_eval_size` (16 x ``DOMAINLLM_SCALE``). With ``extraction`` the
    result also holds the pattern extractor's scores on the whole corpus and the LLM-versus-pattern
    extraction sample.
    """
    from domainllm.graph.graph_rag import GraphRAG
    from domainllm.runtime.models import load_generator

    settings = settings or get_settings()
    approaches = list(approaches or APPROACHES)
    unknown = [a for a in approaches if a not in APPROACHES]
    if unknown:
        raise ValueError(f"Unknown approach(es) {unknown}; choose from {', '.join(APPROACHES)}.")
    if vector_pipeline not in PIPELINES or PIPELINES[vector_pipeline].index is None:
        raise ValueError(
            f"vector_pipeline must be a retrieval pipeline of rag_bench, got {vector_pipeline!r}."
        )
    portfolio = Portfolio.build()
    questions = load_questions("test_multidoc")
    if not questions:
        from domainllm.benchmark.evaluation import describe_corpus

        raise ValueError(
            f"The {describe_corpus()} has no multi-document questions (test_multidoc): nothing to compare. "
            "Run bench multidoc on the book's generated portfolio (unset DOMAINLLM_CORPUS)."
        )
    sample = stratified_sample(questions, n or multidoc_eval_size(settings), settings.seed)
    generator = (
        load_generator(settings) if {"vector_rag", "graph_rag"} & set(approaches) or extraction else None
    )
    result: dict[str, Any] = {"split": "test_multidoc", "n_sample": len(sample), "n_split": len(questions)}
    reports: dict[str, Any] = {}
    for name in approaches:
        if name == "vector_rag":
            texts, cost = answer_vector_rag(sample, generator, vector_pipeline)
            extra = {"pipeline": vector_pipeline}
        elif name == "graph_rag":
            answers = GraphRAG(portfolio.graph, portfolio.linker, portfolio.documents, generator).run(
                [q.question for q in sample]
            )
            texts, cost, extra = [a.answer for a in answers], _cost(answers), {}
        else:
            answers, cost = run_map_reduce(portfolio, sample)
            texts, extra = [a.answer for a in answers], {"extractor": "pattern"}
        reports[name] = {**score_answers(sample, texts, settings.seed), **cost, **extra}
    result["approaches"] = reports
    if "map_reduce" in approaches:
        answers, cost = run_map_reduce(portfolio, questions)
        result["map_reduce_all"] = {
            **score_answers(questions, [a.answer for a in answers], settings.seed),
            **cost,
        }
    if "vector_rag" in reports and len(reports) > 1:
        best = max(reports, key=lambda name: reports[name]["metrics"]["set_f1"]["mean"])
        base = [r["f1"] for r in reports["vector_rag"]["per_question"]]
        ratio = reports[best]["metrics"]["set_f1"]["mean"] / max(
            reports["vector_rag"]["metrics"]["set_f1"]["mean"], 1e-9
        )
        result["best"] = {
            "approach": best,
            "ratio_to_vector_rag": ratio,
            "paired_difference": paired_bootstrap(
                base, [r["f1"] for r in reports[best]["per_question"]], seed=settings.seed
            ).to_dict()
            if len(base) > 1
            else None,
        }
    if extraction:
        gold = load_gold_facts()
        result["extraction"] = {
            "pattern_corpus": _scores_table(portfolio.triples, gold, sorted(CATEGORY_KINDS)),
            "sample": llm_extraction_report(
                generator, portfolio.documents, gold, portfolio.extractor, settings
            ),
        }
    return result
