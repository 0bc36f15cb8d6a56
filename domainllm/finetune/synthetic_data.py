"""Synthetic training data: question-answer pairs from contract passages, judged, de-duplicated, leak-checked.

Two sources write pairs from the same seeded sample of passages (sentence-packed chunks of at
most ``PASSAGE_CHARS`` characters that hold at least one fact, from contracts that are not held
out for freshness):

* ``template``: for every fact written in a passage, a fixed question wording per clause
  category (``TEMPLATES``, worded apart from both gold families) and the fact's canonical value.
  Cheap and correct by construction, but only as varied as the templates.
* ``llm``: the generator reads the passage and writes one question and its short answer. The
  output must be exactly two lines, ``Question: ...?`` and ``Answer: ...``; anything else is
  rejected and counted by reason (:func:`parse_pair`). Raw outputs are cached on disk.

Then a judge (:mod:`domainllm.finetune.judge`) keeps or rejects each pair, :func:`deduplicate` drops
repeated questions about the same contract, and the leakage check (:mod:`domainllm.finetune.leakage`;
``leakage_report``, ``LeakageError`` and ``without_leaks`` are importable from here too) proves
that no pair repeats or nearly repeats a test question and that no pair comes from, or names, a
contract held out in ``test_fresh``. :func:`training_pairs` runs all of it and returns the
records the fine-tuning labs train on. :mod:`domainllm.finetune.fact_checks` measures pairs and judges
against the fact table.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from domainllm.cache.records import JsonDiskCache, content_key
from domainllm.config import Settings, get_settings
from domainllm.corpus.documents import Document, load_corpus, resolve_source
from domainllm.files import read_jsonl
from domainllm.finetune.leakage import NEAR_DUPLICATE, base_id, fresh_contract_ids, jaccard, question_tokens
from domainllm.finetune.leakage import TEST_SPLITS as TEST_SPLITS
from domainllm.finetune.leakage import LeakageError as LeakageError
from domainllm.finetune.leakage import LeakageReport as LeakageReport
from domainllm.finetune.leakage import leakage_report as leakage_report
from domainllm.finetune.leakage import without_leaks as without_leaks
from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.contract_context import contract_ids_in
from domainllm.rag.hypothetical_questions import EXAMPLE_PASSAGE, passage_prompt
from domainllm.runtime.generation import Message
from domainllm.runtime.models import model_key

SOURCES = ("template", "llm")
PASSAGE_CHARS = 500
BASE_PASSAGES = 24  # passages sampled at scale 1
MAX_ANSWER_WORDS = 12

PAIR_PROMPT = (
    "Write one question that the contract passage answers, and its short answer, as two lines: "
    "'Question: ...' and 'Answer: ...'. Name the contract in the question."
)
EXAMPLE_PAIR = (
    "Question: Within how many days must the Customer pay an invoice under SRV-00099?\nAnswer: 45 days"
)
EXAMPLE_CONTRACT = "SRV-00099"

# One wording per clause category, written apart from the gold families A (train) and B
# (test_paraphrase). {ref}: "SUP-00001 (supply agreement with Halberd Logistics)"; {bare}: the same
# without the counterparty, for the question whose answer is the counterparty.
TEMPLATES: dict[str, str] = {
    "parties": "Apart from Kestrel, who signed {bare}?",
    "agreement_date": "What date did the parties sign {ref} on?",
    "effective_date": "As of what day is {ref} in force?",
    "expiration_date": "What is the last day of the first term of {ref}?",
    "renewal_term": "Each time {ref} rolls over, for how long does it continue?",
    "notice_period_to_terminate_renewal": "How early must a party object so that {ref} does not roll over?",
    "governing_law": "Which legal system was chosen for {ref}?",
    "termination_for_convenience": "What notice lets a party walk away from {ref} at will?",
    "termination_for_breach": "How long may a defaulting party take to repair a material breach of {ref}?",
    "exclusivity": "Which area does the exclusive appointment in {ref} cover?",
    "non_compete": "For how long after {ref} is over does the ban on competing continue?",
    "minimum_commitment": "What yearly minimum spend does {ref} impose on the buyer?",
    "cap_on_liability": "What is the most either party can owe in total under {ref}?",
    "audit_rights": "What warning is owed before the books are checked under {ref}?",
    "insurance": "What level of insurance must be kept up under {ref}?",
    "ip_ownership_assignment": "Who ends up owning intellectual property developed under {ref}?",
    "license_grant": "What area of application does the licence in {ref} allow?",
    "anti_assignment": "How much notice must precede handing {ref} over to an affiliate?",
    "change_of_control": "What ownership threshold defines a change of control in {ref}?",
    "warranty_duration": "For how long does the product warranty under {ref} run?",
    "payment_terms": "How long does the paying party have to settle an invoice under {ref}?",
    "confidentiality_period": "How long does the secrecy obligation in {ref} survive?",
    "revenue_profit_sharing": "What percentage share of revenue or profit does {ref} set?",
}

Fact = dict[str, Any]


@dataclass(frozen=True)
class QAPair:
    """One synthetic pair with the passage it was written from.

    ``doc_id`` is the document of that passage (an amendment for amended terms); ``category``
    and ``fact_id`` are set for template pairs.
    """

    question: str
    answer: str
    doc_id: str
    source: str
    evidence: str
    chunk_id: str
    category: str | None = None
    fact_id: str | None = None

    def record(self) -> dict[str, str]:
        """The training record: question, answer, doc_id and source."""
        return {
            "question": self.question,
            "answer": self.answer,
            "doc_id": self.doc_id,
            "source": self.source,
        }

    @property
    def item(self) -> tuple[str, str, str]:
        """``(question, answer, evidence)``, what a judge grades."""
        return (self.question, self.answer, self.evidence)


# ---------------------------------------------------------------- corpus


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


# ---------------------------------------------------------------- template pairs


def contract_references(documents: Sequence[Document], facts: Sequence[Fact]) -> dict[str, dict[str, str]]:
    """``{contract id: {"ref": ..., "bare": ...}}``, the template slots naming each contract."""
    short = {}
    for fact in facts:
        if fact["category"] == "parties":
            short[fact["contract_id"]] = (fact.get("aliases") or [fact["value"]])[0]
    slots = {}
    for doc in documents:
        kind = doc.title.split(" between ")[0].strip().lower()
        counterparty = short.get(doc.id) or str(doc.metadata.get("counterparty", "")) or doc.parties[-1]
        bare = f"{doc.id} ({kind})"
        slots[doc.id] = {"bare": bare, "ref": f"{doc.id} ({kind} with {counterparty})"}
    return slots


def template_pairs(
    chunks: Sequence[Chunk], facts: Sequence[Fact], documents: Sequence[Document]
) -> list[QAPair]:
    """One pair per current fact written in each chunk: a ``TEMPLATES`` question and the fact's value.

    The question names the contract the fact belongs to (the amended contract for an amendment).
    """
    slots = contract_references(documents, facts)
    inside = facts_by_chunk(chunks, facts)
    pairs = []
    for chunk in chunks:
        for fact in inside.get(chunk.id, ()):
            names = slots.get(fact["contract_id"])
            if names is None or fact["category"] not in TEMPLATES:
                continue
            question = TEMPLATES[fact["category"]].format(**names)
            pairs.append(
                QAPair(
                    question,
                    fact["value"],
                    chunk.doc_id,
                    "template",
                    chunk.text,
                    chunk.id,
                    fact["category"],
                    fact["id"],
                )
            )
    return pairs


# ---------------------------------------------------------------- LLM pairs


class MalformedOutput(ValueError):
    """The generator's output is not one question and one short answer; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_LOWER_FIRST = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "does",
        "do",
        "did",
        "can",
        "may",
        "must",
        "shall",
        "will",
        "under",
        "within",
        "for",
        "in",
        "on",
        "to",
        "by",
        "at",
        "if",
        "after",
        "before",
    ]
)


def parse_pair(text: str, max_answer_words: int = MAX_ANSWER_WORDS) -> tuple[str, str]:
    """``(question, answer)`` from exactly two lines ``Question: ...?`` and ``Answer: ...``.

    Raises :class:`MalformedOutput` with one of these reasons: ``no question line``, ``no answer
    line``, ``extra text``, ``question without '?'``, ``empty answer``, ``answer too long``.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or not re.match(r"question\s*:", lines[0], re.IGNORECASE):
        raise MalformedOutput("no question line")
    if len(lines) < 2 or not re.match(r"answer\s*:", lines[1], re.IGNORECASE):
        raise MalformedOutput("no answer line")
    if len(lines) > 2:
        raise MalformedOutput("extra text")
    question = lines[0].split(":", 1)[1].strip()
    answer = lines[1].split(":", 1)[1].strip().rstrip(".").strip()
    if not question.endswith("?") or len(question.split()) < 3:
        raise MalformedOutput("question without '?'")
    if not answer:
        raise MalformedOutput("empty answer")
    if len(answer.split()) > max_answer_words:
        raise MalformedOutput("answer too long")
    return question, answer


def name_contract(question: str, doc_id: str) -> str:
    """The question with its contract named: ``What is ...?`` -> ``In SUP-00001, what is ...?``.

    Raises :class:`MalformedOutput` (``names another contract``) when the question names a
    contract other than the passage's (usually the worked example's, copied).
    """
    named = contract_ids_in(question)
    contract = base_id(doc_id)
    if named:
        if set(named) != {contract}:
            raise MalformedOutput("names another contract")
        return question
    first, _, rest = question.partition(" ")
    if first.lower() in _LOWER_FIRST:
        first = first.lower()
    return f"In {contract}, {first} {rest}".strip()


def pair_messages(chunk: Chunk) -> list[Message]:
    """The chat messages asking for one pair about ``chunk`` (with a worked example turn)."""
    return [
        {"role": "system", "content": PAIR_PROMPT},
        {"role": "user", "content": EXAMPLE_PASSAGE},
        {"role": "assistant", "content": EXAMPLE_PAIR},
        {"role": "user", "content": passage_prompt(chunk)},
    ]


@dataclass(frozen=True)
class Rejected:
    """A generation that did not parse into a pair, with the reason."""

    chunk_id: str
    doc_id: str
    raw: str
    reason: str


@dataclass
class LLMPairs:
    """Pairs the generator wrote (``pairs``), outputs that did not parse (``rejected``), and raw texts."""

    pairs: list[QAPair] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    def reasons(self) -> Counter[str]:
        """How many outputs were rejected for each reason."""
        return Counter(r.reason for r in self.rejected)


def _read_output(chunk: Chunk, raw: str, cut_off: bool, into: LLMPairs) -> None:
    into.raw[chunk.id] = raw
    try:
        if cut_off:
            raise MalformedOutput("cut off at the token limit")
        question, answer = parse_pair(raw)
        question = name_contract(question, chunk.doc_id)
    except MalformedOutput as exc:
        into.rejected.append(Rejected(chunk.id, chunk.doc_id, raw, exc.reason))
        return
    into.pairs.append(QAPair(question, answer, chunk.doc_id, "llm", chunk.text, chunk.id))


def generate_llm_pairs(
    chunks: Sequence[Chunk],
    generator: Any,
    max_new_tokens: int = 40,
    batch_size: int = 8,
    cache: JsonDiskCache | None = None,
    progress: bool | None = None,
) -> LLMPairs:
    """Ask ``generator`` (anything with the ``chat`` method of a Generator) for one pair per chunk.

    Outputs are cached on disk by a hash of model, prompt (with the chunk's text) and token
    limit, so only new chunks cost generation. An output that used every one of the
    ``max_new_tokens`` is treated as cut off and rejected.
    """
    cache = cache or JsonDiskCache("synthetic_pairs")
    model = model_key(generator)
    result = LLMPairs()
    outputs: dict[str, tuple[str, bool]] = {}
    todo: list[tuple[Chunk, list[Message], str]] = []
    for chunk in chunks:
        messages = pair_messages(chunk)
        key = content_key(model, messages, max_new_tokens)
        found = cache.get(key)
        if found is not None and isinstance(found.get("raw"), str):
            outputs[chunk.id] = (found["raw"], bool(found.get("cut_off")))
        else:
            todo.append((chunk, messages, key))
    step = batch_size * 2  # write to the cache every few batches: an interrupted run keeps its work
    show = progress if progress is not None else len(todo) > batch_size
    bar = tqdm(total=len(todo), desc="writing pairs", unit="passage", disable=not show)
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        completions = generator.chat(
            [m for _, m, _ in part], max_new_tokens=max_new_tokens, batch_size=batch_size, progress=False
        )
        for (chunk, _, key), completion in zip(part, completions, strict=True):
            cut_off = int(getattr(completion, "completion_tokens", 0)) >= max_new_tokens
            cache.put(key, {"raw": completion.text, "cut_off": cut_off})
            outputs[chunk.id] = (completion.text, cut_off)
        bar.update(len(part))
    bar.close()
    for chunk in chunks:
        _read_output(chunk, *outputs[chunk.id], into=result)
    return result


# ---------------------------------------------------------------- similarity, de-duplication


@dataclass(frozen=True)
class Duplicate:
    """A pair dropped by :func:`deduplicate`, the earlier pair it repeats, and their similarity."""

    dropped: QAPair
    kept: QAPair
    similarity: float


def deduplicate(
    pairs: Sequence[QAPair], threshold: float = NEAR_DUPLICATE
) -> tuple[list[QAPair], list[Duplicate]]:
    """Drop pairs whose question repeats an earlier question about the same contract.

    Questions are compared as normalized token sets; equal text or a Jaccard similarity of at
    least ``threshold`` is a duplicate, and the first pair wins (put the more trusted source
    first). Questions about different contracts never count as duplicates, even when they
    differ only in the contract id.
    """
    kept: list[QAPair] = []
    seen: dict[str, list[tuple[set[str], QAPair]]] = defaultdict(list)
    dropped: list[Duplicate] = []
    for pair in pairs:
        tokens = set(question_tokens(pair.question))
        group = seen[base_id(pair.doc_id)]
        match = max(((jaccard(tokens, other), p) for other, p in group), key=lambda m: m[0], default=None)
        if match is not None and match[0] >= threshold:
            dropped.append(Duplicate(pair, match[1], match[0]))
            continue
        group.append((tokens, pair))
        kept.append(pair)
    return kept, dropped


def closest_questions(pairs: Sequence[QAPair]) -> Duplicate | None:
    """The two questions about one contract that are most alike (None when no contract has two pairs).

    Shows how far from :data:`NEAR_DUPLICATE` the set is; ``dropped`` is the later of the two.
    """
    best: Duplicate | None = None
    groups: dict[str, list[QAPair]] = defaultdict(list)
    for pair in pairs:
        groups[base_id(pair.doc_id)].append(pair)
    for group in groups.values():
        tokens = [set(question_tokens(p.question)) for p in group]
        for j in range(len(group)):
            for i in range(j):
                similarity = jaccard(tokens[i], tokens[j])
                if best is None or similarity > best.similarity:
                    best = Duplicate(group[j], group[i], similarity)
    return best


# ---------------------------------------------------------------- the whole pipeline


@dataclass
class SyntheticSet:
    """Every stage of :func:`build_synthetic_set`, for inspection (the final pairs are ``pairs``).

    ``screen`` is the leakage check of the de-duplicated pairs (its leaks were dropped);
    ``leakage`` the check of the final pairs, which found nothing (or it would have raised).
    """

    passages: list[Chunk]
    templates: list[QAPair]
    llm: LLMPairs
    verdicts: list[tuple[QAPair, Any]]
    duplicates: list[Duplicate]
    screen: LeakageReport
    leakage: LeakageReport
    pairs: list[QAPair]

    def records(self) -> list[dict[str, str]]:
        """The final pairs as training records (question, answer, doc_id, source)."""
        return [pair.record() for pair in self.pairs]


def build_synthetic_set(
    generator: Any = None,
    judge: Any = None,
    settings: Settings | None = None,
    source: str | Path | None = None,
    n_passages: int | None = None,
    progress: bool | None = None,
) -> SyntheticSet:
    """Sample passages, write template and LLM pairs, judge, de-duplicate, drop and check leakage.

    Defaults: the configured generator (:func:`~domainllm.runtime.models.load_generator`), the
    configured judge (:func:`~domainllm.finetune.judge.load_judge`), :func:`sample_size` passages drawn
    with the settings' seed. Generation and judge scores come from the disk cache when present,
    so calling this again with the same settings is quick. Pairs that leak are dropped, then the
    final set is checked again (raising LeakageError if anything were left).
    """
    settings = settings or get_settings()
    if generator is None:
        from domainllm.runtime.models import load_generator

        generator = load_generator(settings)
    if judge is None:
        from domainllm.finetune.judge import load_judge

        judge = load_judge(settings=settings)
    documents = training_documents(source)
    facts = load_facts(source)
    passages = choose_passages(
        passage_chunks(documents), facts, n_passages or sample_size(settings), settings.seed
    )
    templates = template_pairs(passages, facts, load_corpus(source))
    llm = generate_llm_pairs(passages, generator, progress=progress)
    candidates = templates + llm.pairs
    verdicts = list(zip(candidates, judge.grade_many([p.item for p in candidates]), strict=True))
    unique, duplicates = deduplicate([p for p, v in verdicts if v.keep])
    screen = leakage_report(unique, source=source, raise_on_leak=False)
    final = without_leaks(unique, screen)
    report = leakage_report(final, source=source)  # the proof: raises if anything still leaks
    return SyntheticSet(passages, templates, llm, verdicts, duplicates, screen, report, final)


def training_pairs(
    generator: Any = None,
    judge: Any = None,
    settings: Settings | None = None,
    source: str | Path | None = None,
    n_passages: int | None = None,
) -> list[dict[str, str]]:
    """The filtered synthetic training set as records ``{"question", "answer", "doc_id", "source"}``.

    Same arguments as :func:`build_synthetic_set`; with the defaults it returns exactly the set
    lab 6 builds (from the cache, once lab 6 has run).
    """
    return build_synthetic_set(generator, judge, settings, source, n_passages, progress=False).records()
