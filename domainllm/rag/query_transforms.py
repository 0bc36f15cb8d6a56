"""Lab 2 (pre-retrieval): query transformations: let the LLM reword a question before it is searched for.

Four techniques from the tutorial, each a batched function ``(questions, generator) -> queries``:

* :func:`rewrite_queries`: one search-style rewording per question;
* :func:`hyde_passages`: HyDE (Gao et al., 2022), a *hypothetical answer passage* per question,
  searched for instead of the question because it reads like the clause being looked for;
* :func:`decompose_questions`: a few simpler sub-questions per question;
* :func:`multi_queries`: several paraphrases per question (as in RAG-Fusion).

:class:`TransformedRetriever` searches for every transformed query (and, by default, the
original question) and merges the rankings with reciprocal rank fusion.
:func:`doc_type_filter` is the self-querying counterpart: it reads a metadata filter (the
contract type) from the question instead of rewording it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import contract_ids_in
from domainllm.rag.fusion import reciprocal_rank_fusion
from domainllm.rag.vectorstore import check_positive, check_queries
from domainllm.runtime.generation import Completion

MAX_QUESTION_CHARS = 1000  # MiniLM reads ~256 word pieces (about 1,000 characters); more is cut off

REWRITE_PROMPT = (
    "Turn the user's question into a short keyword search query for a database of contracts. "
    "Keep every contract number and company name exactly as written. Do not answer the question."
)
HYDE_PROMPT = (
    "Write the contract clause that would answer the user's question, in the formal style of a "
    "commercial agreement. Invent plausible details. Do not explain."
)
DECOMPOSE_PROMPT = (
    "Break the user's question into {n} simpler questions that together answer it. "
    "Keep every contract number exactly as written. Write one question per line."
)
MULTI_QUERY_PROMPT = (
    "Write {n} different ways to ask the user's question. Keep every contract number exactly "
    "as written. Write one question per line."
)
# One worked example per technique, shown to the model as an earlier turn of the conversation:
# a 135M-parameter model follows an example far better than an instruction. The contract is
# made up and appears in no data split.
EXAMPLE_TERMS = ("SRV-00099", "Acme Tools")  # names the model tends to copy from the example
EXAMPLE_QUESTION = "How many days does the customer have to pay invoices under the services agreement SRV-00099 with Acme Tools?"
EXAMPLES: dict[str, str | tuple[str, ...]] = {
    "rewrite": "SRV-00099 Acme Tools services agreement payment terms invoice days",
    "hyde": (
        "7.2 The Customer shall pay each undisputed invoice within forty-five (45) days of the "
        "date of receipt, by bank transfer to the account named by the Supplier."
    ),
    "decompose": (
        "Which section of the services agreement SRV-00099 covers payment?",
        "Within how many days must invoices be paid under the services agreement SRV-00099?",
        "When are invoices issued under the services agreement SRV-00099?",
    ),
    "multi": (
        "What is the payment term for invoices under the services agreement SRV-00099?",
        "Within how many days must Acme Tools invoices be paid under SRV-00099?",
        "When is payment due under the services agreement SRV-00099 with Acme Tools?",
    ),
}

_LIST_MARKER = re.compile(
    r"^\s*(?:[-*•]+|\(?\d{1,2}[.):]|(?:(?:sub-?)?questions?|(?:search |rewritten )?query|q)\s*\d{0,2}\s*[:.)])\s*",
    re.IGNORECASE,
)


class ChatModel(Protocol):
    """What the transforms need from a generator: batched chat completion."""

    def chat(
        self,
        conversations: Sequence[Any],
        system: str | None = None,
        max_new_tokens: int = 48,
        batch_size: int = 8,
        progress: bool | None = None,
    ) -> list[Completion]: ...


def check_questions(questions: Sequence[str], max_chars: int = MAX_QUESTION_CHARS) -> list[str]:
    """Validate questions: an empty one raises ValueError, one over ``max_chars`` characters warns.

    The embedder silently reads only the first ~256 word pieces of a long text, and the
    generator truncates over-long prompts, so a long question is searched for in part only.
    """
    questions = check_queries(questions)
    for i, question in enumerate(questions):
        if len(question) > max_chars:
            warnings.warn(
                f"question at position {i} is {len(question):,} characters long (limit {max_chars:,}); "
                "the embedder reads only its first ~256 word pieces, so it is searched for in part. "
                "Shorten it or split it into several questions.",
                stacklevel=3,
            )
    return questions


def transform_messages(question: str, system: str, example: str | None = None) -> list[dict[str, str]]:
    """Chat messages asking for one transformation, with a worked example turn when given."""
    messages = [{"role": "system", "content": system}]
    if example is not None:
        messages += [
            {"role": "user", "content": EXAMPLE_QUESTION},
            {"role": "assistant", "content": example},
        ]
    return [*messages, {"role": "user", "content": question.strip()}]


def _ask(
    generator: ChatModel,
    questions: Sequence[str],
    system: str,
    example: str | tuple[str, ...] | None,
    max_new_tokens: int,
    batch_size: int,
) -> list[str]:
    questions = check_questions(questions)
    if not questions:
        return []
    if isinstance(example, tuple):
        example = "\n".join(example)
    conversations = [transform_messages(q, system, example) for q in questions]
    completions = generator.chat(conversations, max_new_tokens=max_new_tokens, batch_size=batch_size)
    if len(completions) != len(questions):
        raise RuntimeError(
            f"the generator returned {len(completions)} completions for {len(questions)} questions"
        )
    return [c.text for c in completions]


def clean_line(text: str) -> str:
    """One generated line without list markers ("1.", "-", "Query:"), quotes or surrounding space."""
    line = text.strip()
    for _ in range(2):  # "1. Query: ..." carries two markers
        line = _LIST_MARKER.sub("", line, count=1).strip()
    return line.strip("\"'`“”").strip()


def parse_list(text: str, limit: int | None = None) -> list[str]:
    """Split generated text into distinct non-empty lines, list markers removed, at most ``limit``."""
    items: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = clean_line(raw)
        if len(line) < 3 or line.lower() in seen:
            continue
        seen.add(line.lower())
        items.append(line)
        if limit is not None and len(items) >= limit:
            break
    return items


def fix_query(query: str, question: str) -> str:
    """Remove names copied from the worked example; re-attach contract ids the query lost.

    A small model often copies the example's contract number into its output, or drops the
    one the user named; either sends the search to the wrong contract.
    """
    for term in EXAMPLE_TERMS:
        if term.lower() not in question.lower():
            query = re.sub(re.escape(term), " ", query, flags=re.IGNORECASE)
    query = " ".join(query.split())
    return restore_terms(query, contract_ids_in(question)) if query else query


def rewrite_queries(
    questions: Sequence[str], generator: ChatModel, max_new_tokens: int = 32, batch_size: int = 8
) -> list[str]:
    """One search query per question; where the model returns nothing usable, the question itself."""
    outputs = _ask(generator, questions, REWRITE_PROMPT, EXAMPLES["rewrite"], max_new_tokens, batch_size)
    rewritten = []
    for question, output in zip(questions, outputs, strict=True):
        lines = [fix_query(line, question) for line in parse_list(output, limit=1)]
        rewritten.append(lines[0] if lines and lines[0] else question.strip())
    return rewritten


def hyde_passages(
    questions: Sequence[str], generator: ChatModel, max_new_tokens: int = 48, batch_size: int = 8
) -> list[str]:
    """A hypothetical clause answering each question (HyDE); the question itself where none came back."""
    outputs = _ask(generator, questions, HYDE_PROMPT, EXAMPLES["hyde"], max_new_tokens, batch_size)
    return [fix_query(out, q) or q.strip() for q, out in zip(questions, outputs, strict=True)]


def decompose_questions(
    questions: Sequence[str],
    generator: ChatModel,
    n: int = 2,
    max_new_tokens: int = 48,
    batch_size: int = 8,
) -> list[list[str]]:
    """Up to ``n`` simpler sub-questions per question (possibly none, if the model gave none)."""
    return _query_lists(questions, generator, DECOMPOSE_PROMPT, "decompose", n, max_new_tokens, batch_size, n)


def multi_queries(
    questions: Sequence[str],
    generator: ChatModel,
    n: int = 2,
    max_new_tokens: int = 48,
    batch_size: int = 8,
) -> list[list[str]]:
    """Up to ``n`` paraphrases per question, each different from the question and from each other."""
    found = _query_lists(questions, generator, MULTI_QUERY_PROMPT, "multi", n, max_new_tokens, batch_size)
    return [
        [q for q in queries if q.lower() != question.strip().lower()][:n]
        for question, queries in zip(questions, found, strict=True)
    ]


def _query_lists(
    questions: Sequence[str],
    generator: ChatModel,
    prompt: str,
    examples: str,
    n: int,
    max_new_tokens: int,
    batch_size: int,
    limit: int | None = None,
) -> list[list[str]]:
    """Ask for a list of ``n`` queries per question (``prompt`` with ``{n}``, the first ``n`` of
    ``EXAMPLES[examples]``); per question the non-empty lines, at most ``limit``, each fixed."""
    check_positive(n, "n")
    outputs = _ask(
        generator, questions, prompt.format(n=n), EXAMPLES[examples][:n], max_new_tokens, batch_size
    )
    return [
        [q for q in (fix_query(line, question) for line in parse_list(out, limit=limit)) if q]
        for question, out in zip(questions, outputs, strict=True)
    ]


def restore_terms(query: str, terms: Sequence[str]) -> str:
    """Append any of ``terms`` (e.g. contract ids) the query lost, so a rewrite cannot drop them."""
    missing = [term for term in terms if term not in query]
    return f"{query} {' '.join(missing)}" if missing else query


Queries = Callable[[list[str]], list[list[str]]]


def lookup(table: Mapping[str, str | Sequence[str]]) -> Queries:
    """Turn ``{question: query or queries}`` (computed once, e.g. for a sample) into a transform.

    Lets several retrievers share one round of generation; a question missing from the table
    raises KeyError.
    """

    def queries_of(questions: list[str]) -> list[list[str]]:
        out = []
        for question in questions:
            value = table[question]
            out.append([value] if isinstance(value, str) else list(value))
        return out

    return queries_of


class TransformedRetriever:
    """Search for transformed queries and fuse their rankings (RRF) into one list per question.

    ``queries_of(questions)`` returns the transformed queries of each question (see
    :func:`lookup`); ``keep_original`` also searches the question itself; ``filter_of``
    reads a metadata filter from the *original* question, applied to all its queries, so a
    rewrite that loses the contract id still searches the right contract. ``candidates``
    chunks are fetched per query before fusion.
    """

    def __init__(
        self,
        base: Any,
        queries_of: Queries,
        name: str = "transformed",
        keep_original: bool = True,
        filter_of: Callable[[str], str | None] | None = None,
        candidates: int = 20,
        rrf_k: int = 60,
    ) -> None:
        check_positive(candidates, "candidates")
        self.base = base
        self.queries_of = queries_of
        self.name = name
        self.keep_original = keep_original
        self.filter_of = filter_of
        self.candidates = candidates
        self.rrf_k = rrf_k

    def query_lists(self, questions: Sequence[str]) -> list[list[str]]:
        """The queries searched for each question, original first when kept; never empty."""
        questions = check_questions(questions)
        transformed = self.queries_of(list(questions))
        if len(transformed) != len(questions):
            raise ValueError(f"queries_of returned {len(transformed)} lists for {len(questions)} questions")
        lists = []
        for question, queries in zip(questions, transformed, strict=True):
            queries = [q for q in queries if q.strip()]
            if self.keep_original or not queries:
                queries = [question, *[q for q in queries if q != question]]
            lists.append(queries)
        return lists

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        """Top-``k`` chunks per question after fusing the rankings of all its queries."""
        check_positive(k)
        lists = self.query_lists(questions)
        flat = [query for queries in lists for query in queries]
        depth = max(k, self.candidates)
        if self.filter_of is None:
            rankings = self.base.retrieve(flat, k=depth, filter=filter) if flat else []
        else:
            rankings = []
            for question, queries in zip(questions, lists, strict=True):
                own = self.filter_of(question)
                combined = f"({own}) and ({filter})" if own and filter else own or filter
                rankings.extend(self.base.retrieve(queries, k=depth, filter=combined))
        results: list[list[Chunk]] = []
        position = 0
        for queries in lists:
            mine = rankings[position : position + len(queries)]
            position += len(queries)
            by_id = {chunk.id: chunk for ranking in mine for chunk in ranking}
            fused = reciprocal_rank_fusion(
                [[c.id for c in ranking] for ranking in mine], k=self.rrf_k, top_n=k
            )
            results.append([by_id[chunk_id] for chunk_id, _ in fused])
        return results

    def __repr__(self) -> str:
        return f"TransformedRetriever({self.name!r}, base={self.base!r}, keep_original={self.keep_original})"


# ---------------------------------------------------------------- self-querying: a filter from the question

DOC_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "agency": ("agency agreement",),
    "distribution": ("distribution agreement", "distributor agreement"),
    "licence": ("licence agreement", "license agreement"),
    "nda": ("non-disclosure agreement", "disclosure agreement", "nda", "confidentiality agreement"),
    "services": ("services agreement", "service agreement"),
    "strategic_alliance": ("alliance agreement",),
    "supply": ("supply agreement",),
}


def doc_types_in(question: str, words: Mapping[str, Sequence[str]] = DOC_TYPE_WORDS) -> list[str]:
    """Contract types a question names (``"the supply agreement SUP-00001"`` -> ``["supply"]``)."""
    lowered = question.lower()
    return [
        doc_type
        for doc_type, phrases in words.items()
        if any(re.search(rf"\b{re.escape(phrase)}\b", lowered) for phrase in phrases)
    ]


def doc_type_filter(question: str, include_amendments: bool = True) -> str | None:
    """A Milvus filter on the contract type(s) the question names, or None when it names none.

    Amendments change terms of the contract they amend, so with ``include_amendments`` they
    stay searchable (``doc_type == "amendment"``).
    """
    types = doc_types_in(question)
    if not types:
        return None
    if include_amendments:
        types.append("amendment")
    return "doc_type in [" + ", ".join(f'"{t}"' for t in types) + "]"
