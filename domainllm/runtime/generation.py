"""Lab 1 (naive RAG) and the Performance chapter: text generation with a chat model: prompts built with the model's own chat template.

The KDD labs wrapped prompts for a Llama-3 model in Llama-2's ``[INST] <<SYS>>`` markers,
which that model never saw in training, so its answers were full of stray tokens. Here
every prompt goes through ``tokenizer.apply_chat_template``, the format the model was
trained on, whichever model is loaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domainllm.config import Settings
from domainllm.runtime.contiguous_head import make_head_input_contiguous
from domainllm.runtime.memory import trim_heap
from domainllm.runtime.shape_buckets import bucketed

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Message = dict[str, str]

# Prompts are prefilled PREFILL_CHUNK_TOKENS positions at a time (transformers' chunked prefill).
# Whole, a padded batch of long prompts materializes its attention weights (batch x heads x
# length^2 floats: about 300 MB for four naive-RAG prompts of 1,450 tokens); in chunks it never
# does, so long prompts can share a batch, where decoding reads the weights once for all of
# them. Measured on eight naive-RAG prompts: one at a time 36.8 s and +140 MiB; four at a time
# unchunked 26.1 s and +487 MiB; four at a time in 256-token chunks 23.1 s and +234 MiB.
PREFILL_CHUNK_TOKENS = 256
MAX_BATCH_TOKENS = 6144


@dataclass
class Completion:
    """One generated answer with its token counts (used by the cost model)."""

    text: str
    prompt_tokens: int
    completion_tokens: int


def token_budget_batches(lengths: Sequence[int], batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Split positions 0..n-1 (lengths sorted ascending) into consecutive batches.

    Each batch has at most ``batch_size`` items and ``len(batch) * longest <= max_batch_tokens``
    (a single over-long item still gets a batch of its own).
    """
    batches: list[list[int]] = []
    current: list[int] = []
    for position, length in enumerate(lengths):
        if current and (len(current) + 1 > batch_size or (len(current) + 1) * length > max_batch_tokens):
            batches.append(current)
            current = []
        current.append(position)
    if current:
        batches.append(current)
    return batches


class Generator:
    """A causal language model plus its tokenizer, with batched greedy chat generation."""

    def __init__(
        self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, settings: Settings
    ) -> None:
        self.model = make_head_input_contiguous(model)  # see domainllm.runtime.contiguous_head
        self.tokenizer = tokenizer
        self.settings = settings
        # set when weights differ from the settings' model (adapters merged in): see model_key
        self.weights_key: str | None = None
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "left"

    @classmethod
    def from_pretrained(cls, source: str, settings: Settings) -> Generator:
        """Load model and tokenizer from a folder or hub id, in eval mode on ``settings.device``.

        The weights take the settings' dtype (:func:`~domainllm.config.model_dtype`).
        """
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from domainllm.config import model_dtype

        torch.manual_seed(settings.seed)
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=model_dtype(settings))
        model = model.to(settings.device)
        model.eval()
        return cls(model, tokenizer, settings)

    @property
    def context_window(self) -> int:
        """Longest sequence (prompt + answer) sent to the model: its window, capped by the settings."""
        window = int(getattr(self.model.config, "max_position_embeddings", 2048))
        return min(window, self.settings.max_context_tokens)

    def count_tokens(self, text: str) -> int:
        """Number of tokens ``text`` takes with this model's tokenizer."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def chat_prompt(self, messages: Sequence[Message] | str, system: str | None = None) -> str:
        """Render messages (or a single user message) with the model's chat template."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        messages = list(messages)
        if system is not None:
            messages = [{"role": "system", "content": system}, *messages]
        for message in messages:
            if message["role"] == "user" and not message["content"].strip():
                raise ValueError("The question is empty: type a question before asking the model.")
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _fit_prompt(self, prompt: str, max_new_tokens: int) -> list[int]:
        """Token ids of ``prompt``, cut from the middle with a warning if it would overflow the context."""
        ids: list[int] = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        budget = self.context_window - max_new_tokens
        if len(ids) > budget:
            warnings.warn(
                f"Prompt of {len(ids)} tokens exceeds the context ({self.context_window} tokens "
                f"minus {max_new_tokens} for the answer); it was truncated to {budget} tokens.",
                stacklevel=3,
            )
            head = budget // 2
            ids = ids[:head] + ids[len(ids) - (budget - head) :]
        return ids

    def complete(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 48,
        batch_size: int = 8,
        progress: bool | None = None,
        max_batch_tokens: int = MAX_BATCH_TOKENS,
        temperature: float | None = None,
        **generate_kwargs: Any,
    ) -> list[Completion]:
        """Decode each already-templated prompt; batches of similar length run together.

        Greedy by default; with a ``temperature`` tokens are sampled (seeded by the settings'
        seed, so a run repeats).

        A batch holds at most ``batch_size`` prompts and at most ``max_batch_tokens`` padded
        prompt tokens: the key-value cache grows with batch x length. Prompts are prefilled in
        chunks of :data:`PREFILL_CHUNK_TOKENS`, so the prefill's memory does not.
        """
        import torch
        from tqdm.auto import tqdm

        encoded = [self._fit_prompt(p, max_new_tokens) for p in prompts]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        results: list[Completion | None] = [None] * len(encoded)
        show = progress if progress is not None else len(encoded) > batch_size
        pad_id = self.tokenizer.pad_token_id
        batches = token_budget_batches([len(encoded[i]) for i in order], batch_size, max_batch_tokens)
        batches = [[order[j] for j in batch] for batch in batches]
        if temperature is not None:
            if temperature <= 0:
                raise ValueError(f"temperature must be positive, got {temperature}.")
            torch.manual_seed(self.settings.seed)
            generate_kwargs = {"do_sample": True, "temperature": temperature, "top_k": 0, **generate_kwargs}
        else:
            generate_kwargs = {"do_sample": False, **generate_kwargs}
        generate_kwargs.setdefault("prefill_chunk_size", PREFILL_CHUNK_TOKENS)
        for batch in tqdm(batches, desc="generating", unit="batch", disable=not show):
            width = bucketed(
                max(len(encoded[i]) for i in batch)
            )  # a few shapes: domainllm.runtime.shape_buckets
            input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            attention = torch.zeros((len(batch), width), dtype=torch.long)
            for row, index in enumerate(batch):
                ids = encoded[index]
                input_ids[row, width - len(ids) :] = torch.tensor(ids)
                attention[row, width - len(ids) :] = 1
            with torch.inference_mode():
                output = self.model.generate(
                    input_ids=input_ids.to(self.model.device),
                    attention_mask=attention.to(self.model.device),
                    max_new_tokens=max_new_tokens,
                    pad_token_id=pad_id,
                    **generate_kwargs,
                )
            for row, index in enumerate(batch):
                new_tokens = output[row, width:].tolist()
                eos = self.tokenizer.eos_token_id
                if eos in new_tokens:
                    new_tokens = new_tokens[: new_tokens.index(eos) + 1]
                text = self.tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
                results[index] = Completion(text, len(encoded[index]), len(new_tokens))
            del output
            trim_heap()  # batches differ in length: give their freed KV caches back (domainllm.runtime.memory)
        return [r for r in results if r is not None]

    def chat(
        self,
        conversations: Sequence[Sequence[Message] | str],
        system: str | None = None,
        max_new_tokens: int = 48,
        batch_size: int = 8,
        progress: bool | None = None,
        temperature: float | None = None,
    ) -> list[Completion]:
        """Answer several conversations (or plain user messages); greedy unless ``temperature`` is set."""
        prompts = [self.chat_prompt(c, system=system) for c in conversations]
        return self.complete(
            prompts,
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
            progress=progress,
            temperature=temperature,
        )

    def ask(self, question: str, system: str | None = None, max_new_tokens: int = 48) -> str:
        """Answer one question and return just the text."""
        return self.chat([question], system=system, max_new_tokens=max_new_tokens)[0].text
