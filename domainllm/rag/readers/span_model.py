"""A small span reader (lab 4b): MiniLM's transformer with start/end heads that point into a passage.

The question and a window of a passage go through the encoder together ([CLS] question [SEP]
passage [SEP]); four linear outputs per token give the start and end of a *value* (a date, an
amount, a name) and the start and end of a *clause*. The [CLS] position stands for "no answer
in this window". Long passages are read in overlapping windows of :data:`MAX_TOKENS` tokens, and
the best span over all windows wins. Training is in :mod:`domainllm.rag.readers.span_training`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_TOKENS = 192  # question + window; MiniLM was trained on 128-256 token inputs
STRIDE = 48  # tokens shared by consecutive windows of one passage
MAX_QUESTION_TOKENS = 64
HEADS = {"value": (0, 1), "clause": (2, 3)}  # logit columns of each head's start and end
MAX_SPAN_TOKENS = {"value": 24, "clause": 160}


def build_span_model(encoder_source: str) -> Any:
    """A fresh span model: the pretrained encoder at ``encoder_source`` plus an untrained head.

    ``lower(..., layers)`` runs the embeddings and the first ``layers`` transformer layers,
    ``upper(hidden, mask, layers)`` the rest and the head, so training can compute the frozen
    lower layers once; ``forward`` is both.
    """
    import torch
    from transformers import AutoModel
    from transformers.masking_utils import create_bidirectional_mask

    class SpanModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(encoder_source)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 4)

        def _mask(self, hidden: Any, attention_mask: Any) -> Any:
            return create_bidirectional_mask(
                config=self.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
            )

        def lower(self, input_ids: Any, attention_mask: Any, token_type_ids: Any, layers: int) -> Any:
            hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            mask = self._mask(hidden, attention_mask)
            for layer in self.encoder.encoder.layer[:layers]:
                hidden = layer(hidden, mask)
            return hidden

        def upper(self, hidden: Any, attention_mask: Any, layers: int) -> Any:
            mask = self._mask(hidden, attention_mask)
            for layer in self.encoder.encoder.layer[layers:]:
                hidden = layer(hidden, mask)
            return self.head(hidden)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.lower(input_ids, attention_mask, token_type_ids, 0)
            return self.upper(hidden, attention_mask, 0)

    return SpanModel()


@dataclass(frozen=True)
class Window:
    """One encoded window: which passage, the token ids, and each token's characters in the passage."""

    passage: int
    input_ids: list[int]
    token_type_ids: list[int]
    offsets: list[tuple[int, int] | None]  # None for question and special tokens


def encode_windows(tokenizer: Any, question: str, passages: Sequence[str]) -> list[Window]:
    """Overlapping windows of every passage, each paired with the question."""
    question_ids = tokenizer(question, add_special_tokens=False)["input_ids"][:MAX_QUESTION_TOKENS]
    question = tokenizer.decode(question_ids)
    windows: list[Window] = []
    for number, text in enumerate(passages):
        if not text.strip():
            continue
        encoded = tokenizer(
            question,
            text,
            truncation="only_second",
            max_length=MAX_TOKENS,
            stride=STRIDE,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for k, ids in enumerate(encoded["input_ids"]):
            sequence = encoded.sequence_ids(k)
            offsets = [
                tuple(pair) if part == 1 else None
                for pair, part in zip(encoded["offset_mapping"][k], sequence, strict=True)
            ]
            windows.append(Window(number, list(ids), list(encoded["token_type_ids"][k]), offsets))
    return windows


def batch_tensors(windows: Sequence[Window]) -> dict[str, Any]:
    """Padded input tensors for a batch of windows."""
    import torch

    width = max(len(w.input_ids) for w in windows)
    ids = torch.zeros((len(windows), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, window in enumerate(windows):
        n = len(window.input_ids)
        ids[row, :n] = torch.tensor(window.input_ids)
        types[row, :n] = torch.tensor(window.token_type_ids)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


@dataclass(frozen=True)
class SpanGuess:
    """The best span of one window: its passage, characters in the passage, and its margin over "no answer"."""

    passage: int
    start: int
    end: int
    score: float


def best_span(
    window: Window, start_logits: Sequence[float], end_logits: Sequence[float], max_tokens: int
) -> SpanGuess | None:
    """The highest-scoring span (start + end logit) inside the passage part of a window, scored
    against the window's "no answer" ([CLS]) score; None when the window holds no passage token."""
    spans = top_spans(window, start_logits, end_logits, max_tokens, 1)
    return spans[0] if spans else None


def top_spans(
    window: Window, start_logits: Sequence[float], end_logits: Sequence[float], max_tokens: int, top: int
) -> list[SpanGuess]:
    """The ``top`` highest-scoring spans of a window, best first (see :func:`best_span`)."""
    import numpy as np

    inside = np.array([o is not None for o in window.offsets])
    if not inside.any():
        return []
    starts = np.where(inside, np.asarray(start_logits, dtype=float), -np.inf)
    ends = np.where(inside, np.asarray(end_logits, dtype=float), -np.inf)
    n = len(window.offsets)
    pair = starts[:, None] + ends[None, :]
    band = np.triu(np.ones((n, n), dtype=bool)) & ~np.triu(np.ones((n, n), dtype=bool), k=max_tokens)
    pair = np.where(band, pair, -np.inf)
    null = float(start_logits[0]) + float(end_logits[0])
    order = np.argsort(pair, axis=None)[::-1][:top]
    spans = []
    for flat in order:
        s, e = np.unravel_index(int(flat), pair.shape)
        if not np.isfinite(pair[s, e]):
            break
        first, last = window.offsets[s], window.offsets[e]
        assert first is not None and last is not None
        spans.append(SpanGuess(window.passage, first[0], last[1], float(pair[s, e]) - null))
    return spans


def score_windows(model: Any, windows: Sequence[Window], batch_size: int = 8) -> Any:
    """Logits (windows x tokens x 4) of every window, computed in batches without gradients."""
    import numpy as np
    import torch

    results: list[np.ndarray] = []
    model.eval()
    with torch.inference_mode():
        for begin in range(0, len(windows), batch_size):
            batch = list(windows[begin : begin + batch_size])
            logits = model(**batch_tensors(batch)).float().numpy()
            results.extend(logits[row, : len(w.input_ids)] for row, w in enumerate(batch))
    return results


def read_spans(
    model: Any, tokenizer: Any, question: str, passages: Sequence[str], head: str, top: int = 1
) -> list[SpanGuess]:
    """The ``top`` best spans for a question over some passages, best first (several per window when
    ``top`` > 1)."""
    windows = encode_windows(tokenizer, question, passages)
    if not windows:
        return []
    start_col, end_col = HEADS[head]
    guesses = []
    for window, logits in zip(windows, score_windows(model, windows), strict=True):
        guesses += top_spans(window, logits[:, start_col], logits[:, end_col], MAX_SPAN_TOKENS[head], top)
    return sorted(guesses, key=lambda g: -g.score)[:top]
