"""Fine-tune the span reader on the train questions (lab 4b): a narrow model trained for one job.

Each training question gives a window of its contract around the gold evidence, with two
targets: the characters of the answer value inside the evidence (when the value is written
there) and the evidence clause itself. Each also gives a window elsewhere in the same contract
whose target is "no answer". One pass over these windows with AdamW fits MiniLM's transformer
and the new heads in about two minutes on two CPU cores; the result is cached under a hash of
its examples and settings, like the LoRA adapters, so it is trained once.

The corpus's ``dev`` split (questions no training set sees) is where the readers' settings are
chosen. A corpus without train questions (CUAD) reads with the model trained on the book's
generated portfolio.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.cache.folders import build_once
from domainllm.cache.keys import content_key
from domainllm.config import Settings, get_settings
from domainllm.corpus.records import Document, Question
from domainllm.rag.chunking import sentence_spans
from domainllm.rag.readers.base import loose_pattern
from domainllm.rag.readers.span_model import (
    HEADS,
    MAX_TOKENS,
    STRIDE,
    Window,
    batch_tensors,
    build_span_model,
    encode_windows,
)
from domainllm.runtime.memory import trim_heap

VERSION = "span-reader-v2"
WEIGHTS = "span_model.pt"


@dataclass(frozen=True)
class SpanRecipe:
    """Passes over the data, layers kept frozen, batch size, learning rates, "no answer" windows.

    The first ``frozen_layers`` transformer layers keep their pretrained weights; their output
    is computed once, and only the layers above and the head are trained, ``epochs`` times.
    ``negatives`` is the share of questions that also give a window without the answer, of which
    ``hard_share`` come from sentences holding a number (a tempting wrong value). The defaults
    were chosen on the dev questions (accuracy of the extractive reader, advanced retrieval):
    three epochs over 600-character windows with hard negatives beat one or two epochs, 900
    characters, or a single trained layer.
    """

    epochs: float = 3.0
    frozen_layers: int = 4
    batch_size: int = 16
    learning_rate: float = 3e-4
    head_learning_rate: float = 1e-3
    negatives: float = 1.0
    context_chars: int = 600
    hard_share: float = 0.7
    seed: int = 0


@dataclass(frozen=True)
class SpanExample:
    """A question, a context, and the character spans of its value and clause in it (None: absent)."""

    question: str
    context: str
    value: tuple[int, int] | None
    clause: tuple[int, int] | None


def single_document(questions: Sequence[Question]) -> list[Question]:
    """The questions whose evidence lies in one document (the ones a span can answer)."""
    return [q for q in questions if len({e.doc_id for e in q.evidence}) == 1]


def evidence_clauses(
    questions: Sequence[Question], documents: Sequence[Document]
) -> list[tuple[Question, str]]:
    """The single-document questions with the text of their (first) evidence clause; questions
    whose evidence has no text are left out."""
    texts = {d.id: d.text for d in documents}
    pairs = [
        (q, texts.get(q.evidence[0].doc_id, "")[q.evidence[0].start : q.evidence[0].end])
        for q in single_document(questions)
    ]
    return [(q, clause) for q, clause in pairs if clause.strip()]


def _value_span(text: str, start: int, end: int, references: Sequence[str]) -> tuple[int, int] | None:
    for reference in sorted(references, key=len, reverse=True):
        pattern = loose_pattern(reference)
        match = pattern.search(text, start, end) if pattern else None
        if match:
            return match.start(), match.end()
    return None


def _window_around(
    spans: list[tuple[int, int]], first: int, last: int, rng: random.Random, limit: int
) -> tuple[int, int]:
    lo = max(0, first - rng.randint(0, 2))
    hi = min(len(spans) - 1, last + rng.randint(0, 2))
    while hi > last and spans[hi][1] - spans[lo][0] > limit:
        hi -= 1
    while lo < first and spans[hi][1] - spans[lo][0] > limit:
        lo += 1
    return spans[lo][0], spans[hi][1]


def span_examples(
    questions: Sequence[Question], documents: Sequence[Document], recipe: SpanRecipe
) -> list[SpanExample]:
    """A positive window per question (value and clause targets) and ``negatives`` windows without answer."""
    rng = random.Random(recipe.seed)
    texts = {d.id: d.text for d in documents}
    sentences: dict[str, list[tuple[int, int]]] = {}
    examples: list[SpanExample] = []
    for question in questions:
        evidence = question.evidence[0] if question.evidence else None
        text = texts.get(evidence.doc_id, "") if evidence else ""
        if not text or evidence is None:
            continue
        if evidence.doc_id not in sentences:  # each contract is split once, not once per question
            sentences[evidence.doc_id] = sentence_spans(text)
        spans = sentences[evidence.doc_id]
        inside = [i for i, (s, e) in enumerate(spans) if s < evidence.end and evidence.start < e]
        if not inside:
            continue
        start, end = _window_around(spans, inside[0], inside[-1], rng, recipe.context_chars)
        value = _value_span(text, evidence.start, evidence.end, question.references)
        examples.append(
            SpanExample(
                question.question,
                text[start:end],
                None if value is None else (value[0] - start, value[1] - start),
                (max(evidence.start, start) - start, min(evidence.end, end) - start),
            )
        )
        outside = [i for i, (s, e) in enumerate(spans) if e <= evidence.start or s >= evidence.end]
        # hard negatives: sentences that hold a number too (another period, amount or date)
        hard = [i for i in outside if any(ch.isdigit() for ch in text[spans[i][0] : spans[i][1]])]
        if outside and rng.random() < recipe.negatives:
            i = rng.choice(hard if hard and rng.random() < recipe.hard_share else outside)
            j = i
            while (
                j + 1 < len(spans)
                and j + 1 in outside
                and spans[j + 1][1] - spans[i][0] <= recipe.context_chars // 2
            ):
                j += 1
            examples.append(SpanExample(question.question, text[spans[i][0] : spans[j][1]], None, None))
    return examples


def _token_targets(window: Window, span: tuple[int, int] | None) -> tuple[int, int]:
    """(start, end) token positions of a character span in a window: (0, 0) ([CLS], "not here")
    when the span is absent or outside the window, (-100, -100) (no target) when only partly inside."""
    inside = [(i, o) for i, o in enumerate(window.offsets) if o is not None]
    if span is None or not inside:
        return 0, 0
    low, high = inside[0][1][0], inside[-1][1][1]
    if span[1] <= low or span[0] >= high:
        return 0, 0
    if span[0] < low or span[1] > high:
        return -100, -100
    start = next(i for i, (_, end) in inside if end > span[0])
    end = [i for i, (begin, _) in inside if begin < span[1]][-1]
    return start, end


def training_windows(tokenizer: Any, examples: Sequence[SpanExample]) -> list[tuple[Window, list[int]]]:
    """Every window of every example with its four targets (value start/end, clause start/end)."""
    rows = []
    for example in examples:
        for window in encode_windows(tokenizer, example.question, [example.context]):
            rows.append(
                (window, [*_token_targets(window, example.value), *_token_targets(window, example.clause)])
            )
    return rows


def _frozen_outputs(model: Any, windows: Sequence[Window], layers: int, batch_size: int = 64) -> list[Any]:
    """Each window's hidden states after the frozen layers (computed once, without gradients)."""
    import torch

    outputs: list[Any] = []
    model.eval()
    with torch.inference_mode():
        for begin in range(0, len(windows), batch_size):
            batch = list(windows[begin : begin + batch_size])
            inputs = batch_tensors(batch)
            hidden = model.lower(
                inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"], layers
            )
            outputs.extend(hidden[row, : len(w.input_ids)].clone() for row, w in enumerate(batch))
    return outputs


def _train(
    model: Any, rows: list[tuple[Window, list[int]]], recipe: SpanRecipe, progress: Path | None = None
) -> dict[str, Any]:
    import torch

    torch.manual_seed(recipe.seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    windows = [w for w, _ in rows]
    frozen = _frozen_outputs(model, windows, recipe.frozen_layers)
    for layer in model.encoder.encoder.layer[: recipe.frozen_layers]:
        layer.requires_grad_(False)
    model.encoder.embeddings.requires_grad_(False)
    trainable = [
        p for layer in model.encoder.encoder.layer[recipe.frozen_layers :] for p in layer.parameters()
    ]
    optimizer = torch.optim.AdamW(
        [{"params": trainable, "lr": recipe.learning_rate},
         {"params": list(model.head.parameters()), "lr": recipe.head_learning_rate}],
        weight_decay=0.01,
    )  # fmt: skip
    steps = max(1, math.ceil(recipe.epochs * len(rows) / recipe.batch_size))
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    rng = random.Random(recipe.seed)
    order: list[int] = []
    losses = []
    model.train()
    for step in range(steps):
        if progress is not None:  # read by the parent's progress bar
            progress.write_text(f"{step} {steps}")
        if len(order) < recipe.batch_size:
            order += rng.sample(range(len(rows)), len(rows))
        picked, order = order[: recipe.batch_size], order[recipe.batch_size :]
        inputs = batch_tensors([windows[i] for i in picked])
        hidden = torch.zeros((len(picked), inputs["input_ids"].shape[1], frozen[0].shape[-1]))
        for row, i in enumerate(picked):
            hidden[row, : frozen[i].shape[0]] = frozen[i]
        logits = model.upper(hidden, inputs["attention_mask"], recipe.frozen_layers)
        context = inputs["token_type_ids"].bool() | (torch.arange(logits.shape[1]) == 0)
        logits = logits.masked_fill(~(inputs["attention_mask"].bool() & context)[:, :, None], -1e4)
        targets = torch.tensor([rows[i][1] for i in picked])
        loss = sum(loss_fn(logits[:, :, column], targets[:, column]) for column in range(4)) / 4
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(round(float(loss.detach()), 4))
        trim_heap()  # batches differ in shape: hand freed activations back (see runtime.memory)
    model.eval()
    if progress is not None:
        progress.write_text(f"{steps} {steps}")
    return {
        "steps": steps,
        "windows": len(rows),
        "losses": losses,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
    }


def train_and_save(
    source: str,
    examples: Sequence[SpanExample],
    recipe: SpanRecipe,
    staging: str,
    progress: str | None = None,
) -> dict[str, Any]:
    """Train a span model on ``examples`` and save its weights into ``staging``; the training report.
    With ``progress``, the step reached and the steps in all are written to that file."""
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    model = build_span_model(source)
    report = _train(
        model, training_windows(tokenizer, examples), recipe, Path(progress) if progress else None
    )
    torch.save(model.state_dict(), Path(staging) / WEIGHTS)
    return report


def train_in_child(
    source: str, examples: Sequence[SpanExample], recipe: SpanRecipe, staging: Path
) -> dict[str, Any]:
    """:func:`train_and_save` in a child process, whose memory goes back to the system when it ends.

    Training holds the frozen layers' outputs, the optimizer and freed heap pages; in the lab's own
    process they stayed resident under the generator loaded next (lab 4b's kernel peaked at 2.0 GB
    with them, 1.7 GB after collecting and trimming). A spawned child starts clean and exits.
    """
    import multiprocessing
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as scratch, ProcessPoolExecutor(1, mp_context=context) as pool:
        progress = Path(scratch) / "progress"
        job = pool.submit(train_and_save, source, list(examples), recipe, str(staging), str(progress))
        _show_progress(job, progress)
        report = job.result()
    gc.collect()
    return report


def _show_progress(job: Any, progress: Path) -> None:
    """A progress bar of the child's training steps (its own output does not reach a notebook)."""
    from tqdm.auto import tqdm

    with tqdm(desc="training the span reader", unit="step") as bar:
        while True:
            finished = job.done()
            try:
                step, steps = (int(part) for part in progress.read_text().split())
                bar.total = steps
                bar.update(step - bar.n)
            except (OSError, ValueError):  # not written yet, or read while being written
                pass
            if finished:
                return
            time.sleep(0.5)


def training_data(settings: Settings | None = None) -> tuple[list[Question], list[Document], str]:
    """The train questions and documents the reader learns from, and where they come from."""
    from domainllm.corpus.documents import load_corpus
    from domainllm.corpus.questions import load_questions

    questions = load_questions("train")
    if questions:
        return questions, load_corpus(), "the train questions of the corpus in force"
    return (
        load_questions("train", source="generated"),
        load_corpus("generated"),
        "the generated portfolio's train questions (the corpus in force has none)",
    )


@dataclass
class TrainedSpanReader:
    """A trained span model with its tokenizer, folder and training manifest."""

    model: Any
    tokenizer: Any
    folder: Path
    manifest: dict[str, Any]

    @property
    def digest(self) -> str:
        """The cache key it was trained under (names the weights in reading caches)."""
        return self.folder.name


@functools.lru_cache(maxsize=2)
def _load(folder: str, source: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoTokenizer

    model = build_span_model(source)
    model.load_state_dict(torch.load(Path(folder) / WEIGHTS, map_location="cpu"))
    model.eval()
    return model, AutoTokenizer.from_pretrained(source)


def train_span_reader(
    recipe: SpanRecipe = SpanRecipe(), settings: Settings | None = None
) -> TrainedSpanReader:
    """The span reader trained on the train questions, from the cache when it was trained before."""

    from domainllm.corpus.questions import load_questions
    from domainllm.paths import cache_dir
    from domainllm.runtime.models import embedder_identity, embedder_source

    settings = settings or get_settings()
    source = embedder_source(settings)
    questions, documents, origin = training_data(settings)
    examples = span_examples(single_document(questions), documents, recipe)
    # the shipped weights by name and checksum, never by their folder: the key must not depend on
    # where the virtual environment lives (committed benchmark fingerprints include it)
    weights = embedder_identity(settings)
    key = content_key(
        VERSION,
        dataclasses.asdict(recipe),
        weights,
        MAX_TOKENS,
        STRIDE,
        HEADS,
        [dataclasses.astuple(e) for e in examples],
    )
    folder = cache_dir("readers") / key[:16]

    def build(staging: Path) -> dict[str, Any]:
        report = train_in_child(source, examples, recipe, staging)
        return {"version": VERSION, "recipe": dataclasses.asdict(recipe), "trained_on": origin,
                "examples": len(examples), "dev_questions": len(load_questions("dev")), **report}  # fmt: skip

    manifest = build_once(folder, build)
    model, tokenizer = _load(str(folder), source)
    return TrainedSpanReader(model, tokenizer, folder, manifest)
