"""Grounded decoding (lab 4b): the generator may only copy text from the passages, or abstain.

At every step a :class:`CopyConstraint` (a transformers ``LogitsProcessor``) masks the
vocabulary down to the tokens that continue some run of a passage's token sequence, so every
answer is a contiguous quote of a passage or the abstention phrase. Its citation is the passage
it was copied from and its span the characters it quotes. The model stops when it would rather
write a token the passages do not offer at that point (a bracketed citation, say): its quote is
over. Same prompt as the generative reader; only the decoding differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from domainllm.corpus.records import Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.prompts import rag_messages
from domainllm.rag.readers.base import ABSTAIN, Reading, locate, register_reader, unreadable, usable_passages
from domainllm.rag.readers.generative import CLAUSE_TOKENS, VALUE_TOKENS
from domainllm.rag.readers.reading_cache import cached_readings
from domainllm.runtime.generation import PREFILL_CHUNK_TOKENS
from domainllm.runtime.memory import trim_heap

VERSION = "grounded-v3"  # v3: the prompt is prefilled in chunks, as the generator does


class CopyConstraint:
    """Per batch row, the token runs it may copy; state is where the copy so far could have come from.

    ``sources[row]`` lists token sequences (the passages, then the abstention phrase). The
    constraint is called once per generation step with the whole sequence so far.
    """

    def __init__(
        self,
        sources: Sequence[Sequence[Sequence[int]]],
        prompt_width: int,
        eos_id: int,
        stops: Sequence[int] = (),
    ) -> None:
        self.stops = {eos_id, *stops}
        self.sources = [[list(seq) for seq in row] for row in sources]
        self.width = prompt_width
        self.eos = eos_id
        self.starts: list[dict[int, list[tuple[int, int]]]] = []
        for row in self.sources:
            index: dict[int, list[tuple[int, int]]] = {}
            for p, seq in enumerate(row):
                for j, token in enumerate(seq):
                    index.setdefault(token, []).append((p, j))
            self.starts.append(index)
        self.state: list[list[tuple[int, int]] | None] = [None] * len(self.sources)
        self.done = [False] * len(self.sources)

    def allowed(self, row: int) -> set[int]:
        """Tokens row ``row`` may write next (end of answer included once it has one token)."""
        state = self.state[row]
        if state is None:
            return set(self.starts[row])
        following = {self.sources[row][p][j + 1] for p, j in state if j + 1 < len(self.sources[row][p])}
        return following | {self.eos}

    def advance(self, row: int, token: int) -> None:
        """Record that row ``row`` wrote ``token``."""
        state = self.state[row]
        if self.done[row] or token == self.eos:
            self.done[row] = True
            return
        if state is None:
            self.state[row] = list(self.starts[row].get(token, []))
        else:
            seqs = self.sources[row]
            self.state[row] = [
                (p, j + 1) for p, j in state if j + 1 < len(seqs[p]) and seqs[p][j + 1] == token
            ]

    def source_of(self, row: int) -> int | None:
        """Index of the sequence row ``row`` copied from (the first that fits), None if it wrote nothing."""
        state = self.state[row]
        return min(p for p, _ in state) if state else None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        generated = input_ids.shape[1] - self.width
        for row in range(scores.shape[0]):
            if generated > 0:
                self.advance(row, int(input_ids[row, -1]))
            if self.done[row]:
                continue
            allowed = self.allowed(row)
            favourite = int(torch.argmax(scores[row]))
            if self.state[row] is not None and favourite not in allowed and favourite in self.stops:
                allowed = {self.eos}  # the model wants to end or cite: its quote is over
            mask = torch.full_like(scores[row], float("-inf"))
            mask[list(allowed)] = 0.0
            scores[row] = scores[row] + mask
        return scores


class GroundedReader:
    """Constrained decoding over the passages' token sequences; the abstention phrase is always allowed."""

    name = "grounded"

    def __init__(
        self,
        generator: Any,
        max_new_tokens: int = VALUE_TOKENS,
        clause_tokens: int = CLAUSE_TOKENS,
        text_of: Callable[[Chunk], str] | None = None,
        batch_size: int = 4,
    ) -> None:
        self.generator = generator
        self.max_new_tokens = max_new_tokens
        self.clause_tokens = clause_tokens
        self.text_of = text_of or (lambda chunk: chunk.text)
        self.batch_size = batch_size

    def _identity(self) -> Any:
        from domainllm.runtime.answer_cache import identifiable
        from domainllm.runtime.models import model_key

        if not identifiable(self.generator):
            return None
        return [VERSION, model_key(self.generator), self.generator.context_window]

    def read(
        self,
        questions: Sequence[Question],
        passages: Sequence[Sequence[Chunk]],
        progress: bool | None = None,
    ) -> list[Reading]:
        """Answer each question with a quote of its passages (or the abstention phrase)."""
        readings: list[Reading | None] = [unreadable(q, c) for q, c in zip(questions, passages, strict=True)]
        todo = [i for i, r in enumerate(readings) if r is None]
        kept = {i: usable_passages(passages[i]) for i in todo}
        jobs = [
            (
                rag_messages(questions[i].question, kept[i], self.text_of, questions[i].form),
                [self.text_of(c).strip() for c in kept[i]],
                self.clause_tokens if questions[i].form == "clause" else self.max_new_tokens,
            )
            for i in todo
        ]

        def compute(positions: list[int]) -> list[Reading]:
            return self._generate([jobs[p] for p in positions], [kept[todo[p]] for p in positions], progress)

        for i, reading in zip(todo, cached_readings(self._identity, jobs, compute), strict=True):
            readings[i] = reading
        return [r for r in readings if r is not None]

    def _generate(
        self, jobs: list[tuple[Any, list[str], int]], chunks: list[list[Chunk]], progress: bool | None
    ) -> list[Reading]:
        import torch
        from tqdm.auto import tqdm
        from transformers import LogitsProcessorList

        tokenizer, model = self.generator.tokenizer, self.generator.model
        eos = int(tokenizer.eos_token_id)
        abstain = tokenizer(ABSTAIN, add_special_tokens=False)["input_ids"]
        encoded = [self.generator._fit_prompt(self.generator.chat_prompt(m), tokens) for m, _, tokens in jobs]
        order = sorted(range(len(jobs)), key=lambda i: (jobs[i][2], len(encoded[i])))
        batches = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]
        results: list[Reading | None] = [None] * len(jobs)
        show = progress if progress is not None else len(batches) > 1
        for batch in tqdm(batches, desc="grounded reading", unit="batch", disable=not show):
            started = time.perf_counter()
            width = max(len(encoded[i]) for i in batch)
            pad = tokenizer.pad_token_id
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            attention = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, width - len(encoded[i]) :] = torch.tensor(encoded[i])
                attention[row, width - len(encoded[i]) :] = 1
            sources = [
                [tokenizer(text, add_special_tokens=False)["input_ids"] for text in jobs[i][1]] + [abstain]
                for i in batch
            ]
            constraint = CopyConstraint(sources, width, eos, self._stops())
            with torch.inference_mode():
                output = model.generate(
                    input_ids=input_ids.to(model.device),
                    attention_mask=attention.to(model.device),
                    max_new_tokens=max(jobs[i][2] for i in batch),
                    do_sample=False,
                    pad_token_id=pad,
                    eos_token_id=eos,
                    logits_processor=LogitsProcessorList([constraint]),
                    prefill_chunk_size=PREFILL_CHUNK_TOKENS,  # a whole-prompt prefill held ~0.3 GB more
                )
            seconds = (time.perf_counter() - started) / len(batch)
            for row, i in enumerate(batch):
                new = output[row, width:].tolist()
                new = new[: new.index(eos)] if eos in new else new
                new = new[: jobs[i][2]]
                text = tokenizer.decode(new, skip_special_tokens=True).strip()
                source = constraint.source_of(row)
                results[i] = self._reading(text, source, chunks[i], len(encoded[i]), len(new), seconds)
            del output
            trim_heap()  # batches differ in length: give their freed key-value caches back
        return [r for r in results if r is not None]

    def _stops(self) -> list[int]:
        """Tokens that end a quote when the model prefers them: a bracket (a citation) or a line break."""
        tokenizer = self.generator.tokenizer
        return [
            ids[0]
            for text in ("[", " [", "\n", " (")
            if len(ids := tokenizer(text, add_special_tokens=False)["input_ids"]) == 1
        ]

    @staticmethod
    def _reading(
        text: str, source: int | None, chunks: list[Chunk], prompt: int, completion: int, seconds: float
    ) -> Reading:
        if not text or source is None or source >= len(chunks) or text.lower() == ABSTAIN:
            return Reading(text or ABSTAIN, (), None, prompt, completion, seconds)
        number, spans = locate(text, [chunks[source]])
        return Reading(text, spans, source + 1 if number else None, prompt, completion, seconds)

    def __repr__(self) -> str:
        return "GroundedReader()"


register_reader("grounded", GroundedReader)
