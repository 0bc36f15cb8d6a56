"""Lab 9 (benchmark): contract summarization, the benchmark's second task.

Every system summarizes the same contracts: RAG systems from the passages their pipeline
retrieves for the request (which names the contract; pipelines with a contract filter keep to
it, naive RAG does not), closed-book systems from their weights alone. Summaries are scored two ways:

* **key terms covered**: the share of the contract's current fact values (parties, dates,
  amounts, periods, from ``facts.jsonl``) that the summary states, matched like answers are;
* **ROUGE-L** against the reference summaries in ``qa/summaries.jsonl``, the original labs'
  metric. It rewards sharing long runs of words with the reference, so fluent text about
  contracts in general scores almost as well as a correct summary; the coverage does not.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from domainllm.benchmark.evaluation import sample_questions
from domainllm.corpus.questions import Summary
from domainllm.metrics.answers import contains_answer, rouge_l_f1, rouge_l_recall
from domainllm.metrics.stats import bootstrap_ci
from domainllm.rag.chunking import Chunk
from domainllm.rag.pipeline import format_context
from domainllm.runtime.generation import Generator, Message

SUMMARY_PROMPT = (
    "You summarize the contracts of Kestrel Fluidics. Name the parties, the dates, the term and "
    "renewal, the governing law and the amounts and periods of the main clauses, in plain "
    "sentences, at most 70 words."
)
SUMMARY_FROM_CONTEXT = " Use only the numbered context passages."
SUMMARY_METRICS = ("key_terms", "rouge_l_f1", "rouge_l_recall")
SUMMARY_TOKENS = 96  # about 70 words; decoding dominates the task's cost on a CPU


def summary_request(doc_id: str) -> str:
    """The request a system receives for one contract (it names the contract, as questions do)."""
    return f"Summarize the key terms of the contract {doc_id}."


def summary_messages(doc_id: str, chunks: Sequence[Chunk] | None) -> list[Message]:
    """Chat messages asking for a summary; ``chunks=None`` means closed-book."""
    if chunks is None:
        return [
            {"role": "system", "content": SUMMARY_PROMPT},
            {"role": "user", "content": summary_request(doc_id)},
        ]
    return [
        {"role": "system", "content": SUMMARY_PROMPT + SUMMARY_FROM_CONTEXT},
        {
            "role": "user",
            "content": f"Context:\n{format_context(chunks)}\n\n{summary_request(doc_id)}",
        },
    ]


def key_terms_of(facts: Sequence[dict[str, Any]]) -> dict[str, list[list[str]]]:
    """``{contract id: [[value, *aliases], ...]}`` for the current facts of every contract."""
    terms: dict[str, list[list[str]]] = {}
    for fact in facts:
        if fact.get("current", True):
            terms.setdefault(str(fact["contract_id"]), []).append(
                [str(fact["value"]), *fact.get("aliases", [])]
            )
    return terms


def key_term_coverage(summary: str, terms: Sequence[Sequence[str]]) -> float:
    """Share of ``terms`` (each a value and its accepted forms) that the summary states."""
    if not terms:
        raise ValueError("No key terms for this contract: coverage needs the corpus's facts.jsonl.")
    return sum(contains_answer(summary, list(forms)) for forms in terms) / len(terms)


def summary_sample(summaries: Sequence[Summary], n: int, seed: int = 0) -> list[Summary]:
    """A seeded sample of ``n`` reference summaries (all of them when there are fewer)."""
    return sample_questions(list(summaries), n, seed=seed)


def summarize_contracts(
    summaries: Sequence[Summary],
    generator: Generator,
    retriever: Any | None,
    k: int = 5,
    max_new_tokens: int = SUMMARY_TOKENS,
) -> list[dict[str, Any]]:
    """Each contract's generated summary with its prompt and completion tokens and seconds."""
    started = time.perf_counter()
    requests = [summary_request(s.doc_id) for s in summaries]
    retrieved: list[list[Chunk] | None] = (
        [None] * len(summaries) if retriever is None else list(retriever.retrieve(requests, k=k))
    )
    conversations = [
        summary_messages(s.doc_id, chunks) for s, chunks in zip(summaries, retrieved, strict=True)
    ]
    completions = generator.chat(conversations, max_new_tokens=max_new_tokens, batch_size=4)
    seconds = (time.perf_counter() - started) / max(len(summaries), 1)
    return [
        {
            "id": s.id,
            "doc_id": s.doc_id,
            "summary": c.text.strip(),
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "seconds": seconds,
        }
        for s, c in zip(summaries, completions, strict=True)
    ]


def score_summaries(
    outputs: Sequence[dict[str, Any]],
    references: Sequence[Summary],
    key_terms: dict[str, list[list[str]]] | None = None,
) -> dict[str, Any]:
    """Per-summary scores and their means with 95% bootstrap intervals.

    ROUGE-L F1 and recall always; key-term coverage when ``key_terms`` (see :func:`key_terms_of`)
    has the summarized contracts.
    """
    by_id = {r.id: r.summary for r in references}
    missing = [o["id"] for o in outputs if o["id"] not in by_id]
    if missing:
        raise ValueError(f"No reference summary for {missing}; check qa/summaries.jsonl.")
    per_item: dict[str, list[float]] = {}
    if key_terms and all(o["doc_id"] in key_terms for o in outputs):
        per_item["key_terms"] = [key_term_coverage(o["summary"], key_terms[o["doc_id"]]) for o in outputs]
    per_item |= {
        "rouge_l_f1": [rouge_l_f1(o["summary"], by_id[o["id"]]) for o in outputs],
        "rouge_l_recall": [rouge_l_recall(o["summary"], by_id[o["id"]]) for o in outputs],
    }
    return {
        "n": len(outputs),
        "outputs": list(outputs),
        "per_item": per_item,
        "metrics": {name: bootstrap_ci(values).to_dict() for name, values in per_item.items() if values},
        "tokens": {
            "prompt": sum(o["prompt_tokens"] for o in outputs) / max(len(outputs), 1),
            "completion": sum(o["completion_tokens"] for o in outputs) / max(len(outputs), 1),
        },
    }
