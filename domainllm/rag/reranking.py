"""Lab 4 (post-retrieval): rerank retrieved passages with the generator itself: how likely is it to say "yes"?

Each (question, passage) pair becomes a short relevance prompt in the model's chat template;
one forward pass gives the next-token distribution, and the passage's score is the
log-probability that the reply starts with "yes". No text is generated, so a pair costs one
prompt's worth of compute. :class:`RerankingRetriever` fetches ``candidates`` passages from any
retriever and keeps the ``k`` the reranker scores highest (optionally fused with the original
ranking by reciprocal rank fusion, which protects against a weak judge).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from domainllm.rag.chunking import Chunk
from domainllm.rag.fusion import reciprocal_rank_fusion
from domainllm.runtime.generation import Generator, Message
from domainllm.runtime.shape_buckets import SHAPE_MULTIPLE

RELEVANCE_SYSTEM = "You check search results. Reply with yes or no only."
YES_WORDS = ("yes", "Yes", "YES", " yes", " Yes")


def relevance_messages(question: str, passage: str) -> list[Message]:
    """The chat messages asking whether ``passage`` answers ``question``."""
    return [
        {"role": "system", "content": RELEVANCE_SYSTEM},
        {
            "role": "user",
            "content": f"Passage:\n{passage.strip()}\n\nQuestion: {question.strip()}\n\n"
            "Does the passage contain the answer to the question? Reply yes or no.",
        },
    ]


def single_token_ids(tokenizer: Any, words: Sequence[str]) -> list[int]:
    """Token ids of the words that the tokenizer encodes as one token (duplicates dropped)."""
    ids: list[int] = []
    for word in words:
        encoded = tokenizer(word, add_special_tokens=False)["input_ids"]
        if len(encoded) == 1 and encoded[0] not in ids:
            ids.append(encoded[0])
    if not ids:
        raise ValueError(f"None of {list(words)} is a single token for this tokenizer.")
    return ids


def log_prob_of(log_probs: np.ndarray, token_ids: Sequence[int]) -> np.ndarray:
    """Log of the total probability of ``token_ids`` in each row of next-token log-probabilities."""
    chosen = np.asarray(log_probs, dtype=np.float64)[:, list(token_ids)]
    top = chosen.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(chosen - top).sum(axis=1, keepdims=True)))[:, 0]


def order_by_scores(
    chunks: Sequence[Chunk], scores: Sequence[float], fuse: bool = False, rrf_k: int = 60
) -> list[Chunk]:
    """Chunks sorted by descending score (stable); with ``fuse``, RRF of the given order and the score order."""
    if len(chunks) != len(scores):
        raise ValueError(f"got {len(chunks)} chunks but {len(scores)} scores")
    by_score = [chunks[i] for i in sorted(range(len(chunks)), key=lambda i: -scores[i])]
    if not fuse:
        return by_score
    by_id = {c.id: c for c in chunks}
    fused = reciprocal_rank_fusion([[c.id for c in chunks], [c.id for c in by_score]], k=rrf_k)
    return [by_id[chunk_id] for chunk_id, _ in fused]


class Reranker(Protocol):
    """Anything that scores passages for a question (higher = more relevant)."""

    def score(self, question: str, chunks: Sequence[Chunk]) -> list[float]: ...


class LLMReranker:
    """Relevance = log P("yes") from the generator after a yes/no relevance prompt.

    Passages are cut to ``max_passage_tokens`` (the answer usually sits near a clause's start),
    and pairs run in batches of ``batch_size``, left-padded. ``text_of(question, chunk)`` picks
    what the judge reads (default: the chunk's text). Scores are cached per (question, chunk id).
    """

    def __init__(
        self,
        generator: Generator,
        batch_size: int = 8,
        max_passage_tokens: int = 160,
        text_of: Callable[[str, Chunk], str] | None = None,
    ) -> None:
        self.generator = generator
        self.batch_size = batch_size
        self.max_passage_tokens = max_passage_tokens
        self.text_of = text_of or (lambda question, chunk: chunk.text)
        self.yes_ids = single_token_ids(generator.tokenizer, YES_WORDS)
        self.cache: dict[tuple[str, str], float] = {}
        self.forward_tokens = 0

    def _truncate(self, text: str) -> str:
        ids = self.generator.tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= self.max_passage_tokens:
            return text
        return self.generator.tokenizer.decode(ids[: self.max_passage_tokens]) + " ..."

    def prompt(self, question: str, chunk: Chunk) -> str:
        """The templated relevance prompt for one pair."""
        passage = self._truncate(self.text_of(question, chunk))
        return self.generator.chat_prompt(relevance_messages(question, passage))

    def score_prompts(self, prompts: Sequence[str]) -> np.ndarray:
        """log P(yes) after each templated prompt: one batched forward pass per batch, no generation."""
        import torch

        tokenizer = self.generator.tokenizer
        scores: list[float] = []
        for start in range(0, len(prompts), self.batch_size):
            batch = list(prompts[start : start + self.batch_size])
            encoded = tokenizer(
                batch,
                add_special_tokens=False,
                padding=True,
                pad_to_multiple_of=SHAPE_MULTIPLE,  # a few shapes: domainllm.runtime.shape_buckets
                return_tensors="pt",
            )
            self.forward_tokens += int(encoded["attention_mask"].sum())
            with torch.inference_mode():
                logits = self.generator.model(
                    input_ids=encoded["input_ids"].to(self.generator.model.device),
                    attention_mask=encoded["attention_mask"].to(self.generator.model.device),
                    logits_to_keep=1,  # only the next-token logits: full logits cost batch x length x vocab
                ).logits[:, -1, :]
            log_probs = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
            scores.extend(log_prob_of(log_probs, self.yes_ids).tolist())
        return np.asarray(scores)

    def score(self, question: str, chunks: Sequence[Chunk]) -> list[float]:
        """Scores of ``chunks`` for ``question`` (computed once, then cached)."""
        missing = [c for c in chunks if (question, c.id) not in self.cache]
        if missing:
            values = self.score_prompts([self.prompt(question, c) for c in missing])
            for chunk, value in zip(missing, values, strict=True):
                self.cache[(question, chunk.id)] = float(value)
        return [self.cache[(question, c.id)] for c in chunks]


class RerankingRetriever:
    """Fetch ``candidates`` passages from ``base``, return the ``k`` the reranker likes best."""

    def __init__(
        self, base: Any, reranker: Reranker, candidates: int = 10, fuse: bool = False, rrf_k: int = 60
    ) -> None:
        if candidates <= 0:
            raise ValueError(f"candidates must be positive, got {candidates}.")
        self.base = base
        self.reranker = reranker
        self.candidates = candidates
        self.fuse = fuse
        self.rrf_k = rrf_k
        self.name = f"{getattr(base, 'name', 'retriever')}+rerank"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        pools = self.base.retrieve(list(questions), k=max(k, self.candidates), filter=filter)
        ranked = []
        for question, pool in zip(questions, pools, strict=True):
            scores = self.reranker.score(question, pool)
            ranked.append(order_by_scores(pool, scores, fuse=self.fuse, rrf_k=self.rrf_k)[:k])
        return ranked

    def __repr__(self) -> str:
        mode = ", fused" if self.fuse else ""
        return f"RerankingRetriever({self.base!r}, candidates={self.candidates}{mode})"
