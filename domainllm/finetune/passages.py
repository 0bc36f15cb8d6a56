"""Lab 6 (synthetic data): the passages synthetic pairs are written from, and the facts they state.

Passages are sentence-packed chunks of at most ``PASSAGE_CHARS`` characters from contracts that
are not held out for freshness. When the corpus has a fact table (``facts.jsonl``, generated
corpora only), only passages that state a fact are sampled: boilerplate teaches nothing about
this company. The sample is seeded, and ``BASE_PASSAGES`` times the scale setting in size.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import Document, load_corpus, resolve_source
from domainllm.files import read_jsonl
from domainllm.finetune.leakage import fresh_contract_ids
from domainllm.rag.chunking import Chunk, chunk_documents

PASSAGE_CHARS = 500
BASE_PASSAGES = 24  # passages sampled at scale 1

Fact = dict[str, Any]


def load_facts(source: str | Path | None = None) -> list[Fact]:
    """The fact table of a generated corpus (``facts.jsonl``); CUAD and folders without one give []."""
    resolved = resolve_source(source)
    path = resolved.path / "facts.jsonl"
    if resolved.kind != "generated" or not path.is_file():
        return []
    return read_jsonl(path)


def training_documents(source: str | Path | None = None) -> list[Document]:
    """Every document of the corpus except those held out for freshness."""
    documents = load_corpus(source)
    fresh = fresh_contract_ids(source, documents)
    return [d for d in documents if d.id not in fresh]


def passage_chunks(documents: Iterable[Document], max_chars: int = PASSAGE_CHARS) -> list[Chunk]:
    """Sentence-packed chunks of at most ``max_chars`` characters: the passages pairs are written from."""
    return chunk_documents(documents, "sentence", max_chars=max_chars)


def facts_by_chunk(chunks: Sequence[Chunk], facts: Sequence[Fact]) -> dict[str, list[Fact]]:
    """``{chunk id: current facts whose written value lies inside the chunk}`` (chunks without facts omitted)."""
    by_doc: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.get("current", True):
            by_doc[fact["doc_id"]].append(fact)
    found: dict[str, list[Fact]] = {}
    for chunk in chunks:
        inside = [
            f for f in by_doc.get(chunk.doc_id, ()) if chunk.start <= f["start"] and f["end"] <= chunk.end
        ]
        if inside:
            found[chunk.id] = sorted(inside, key=lambda f: f["start"])
    return found


def sample_passages(chunks: Sequence[Chunk], n: int, seed: int = 0) -> list[Chunk]:
    """A seeded sample of ``n`` chunks, kept in corpus order (all of them when n is large)."""
    if n >= len(chunks):
        return list(chunks)
    picked = sorted(random.Random(seed).sample(range(len(chunks)), n))
    return [chunks[i] for i in picked]


def choose_passages(chunks: Sequence[Chunk], facts: Sequence[Fact], n: int, seed: int = 0) -> list[Chunk]:
    """A seeded sample of ``n`` chunks that state a fact (any chunks when there is no fact table).

    Boilerplate (definitions, notices) reads the same in every contract and teaches nothing about
    this company, so passages without a fact are left out when the facts are known.
    """
    with_facts = facts_by_chunk(chunks, facts)
    pool = [c for c in chunks if c.id in with_facts] if facts else list(chunks)
    return sample_passages(pool, n, seed=seed)


def sample_size(settings: Settings | None = None) -> int:
    """How many passages to write pairs from: ``BASE_PASSAGES`` times the scale setting."""
    settings = settings or get_settings()
    return settings.scaled(BASE_PASSAGES)
