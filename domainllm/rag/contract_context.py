"""Metadata that tells retrieval *which* contract a passage belongs to (labs 2-3, 4b).

Many contracts share clause wording, so a passage like "either party may terminate on ninety
days' notice" matches a question about any of them. Two remedies, both pre-retrieval:
a contextual header prepended to every passage before it is embedded and indexed, and a
metadata filter that restricts the search to the contract a question names.

A question may name its contract by id (``SUP-00001``, the generated portfolio's way), by its
title (CUAD's questions: "In the contract <title>: ...") or by a party ("the agreement with
Halberd Logistics"). :class:`ContractLinker` links titles and distinctive party names to
documents; names shared by most of the corpus (the portfolio's owner) link nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domainllm.rag.chunking import Chunk

CONTRACT_ID = re.compile(r"\b([A-Z]{3}-\d{5})(?:-A\d+)?\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# words that name a role or a legal form, not a party: "the Company", "Party A", "Acme Inc."
_GENERIC = frozenset(
    [
        "the",
        "a",
        "an",
        "party",
        "parties",
        "company",
        "provider",
        "licensor",
        "licensee",
        "client",
        "developer",
        "contractor",
        "vendor",
        "supplier",
        "distributor",
        "consultant",
        "customer",
        "buyer",
        "seller",
        "affiliate",
        "affiliates",
        "fund",
        "agent",
        "and",
        "of",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "gmbh",
        "ag",
        "ab",
        "sa",
        "nv",
        "bv",
        "plc",
        "pte",
        "corp",
        "corporation",
        "co",
    ]
)


def contract_header(chunk: Chunk) -> str:
    """The chunk's text preceded by its contract id, title and section heading."""
    parts = [f"Contract {chunk.doc_id}"]
    if chunk.metadata.get("title"):
        parts.append(str(chunk.metadata["title"]))
    if chunk.metadata.get("section"):
        parts.append(f"section {chunk.metadata['section']}")
    return " | ".join(parts) + "\n" + chunk.text


def contract_ids_in(question: str) -> list[str]:
    """Contract ids (like ``SUP-00001``) named in a question, in order, without duplicates."""
    return list(dict.fromkeys(CONTRACT_ID.findall(question)))


def _normal(text: str) -> str:
    return " ".join(_NON_WORD.split(text.lower())).strip()


def party_names(party: str) -> list[str]:
    """Normalized forms of a party that may identify it in a question, most specific first.

    ``'Halberd Logistics GmbH'`` gives ``halberd logistics gmbh`` and ``halberd logistics``. A
    name needs two distinctive words, or one written in capitals (``EDGE``), and at most six: a
    bare role (``'"Company"'``, ``'Party A'``, ``'Recipient'``) or a clause fragment gives nothing.
    """
    plain = re.sub(r"\([^)]*\)", " ", party)
    name = _normal(plain)
    core = name.split()
    while core and core[-1] in _GENERIC:
        core.pop()
    distinctive = [w for w in core if w not in _GENERIC and len(w) >= 2]
    capitals = [w for w in re.findall(r"[A-Za-z]{3,}", plain) if w.isupper() and w.lower() not in _GENERIC]
    if not core or len(core) > 6 or (len(distinctive) < 2 and not capitals):
        return []
    return list(dict.fromkeys([name, " ".join(core)]))


@dataclass(frozen=True)
class ContractLinker:
    """Phrases that identify documents: ids, titles and distinctive party names."""

    titles: Mapping[str, tuple[str, ...]]
    parties: Mapping[str, tuple[str, ...]]
    doc_ids: frozenset[str]

    @classmethod
    def from_documents(cls, documents: Iterable[Any], max_share: float = 0.5) -> ContractLinker:
        """Index each document's id, title and parties; a party on more than ``max_share`` of
        the documents (and on more than one) links nothing."""
        documents = list(documents)
        titles: dict[str, list[str]] = {}
        parties: dict[str, list[str]] = {}
        for doc in documents:
            for phrase in {_normal(doc.id), _normal(doc.title)} - {""}:
                titles.setdefault(phrase, []).append(doc.id)
            for party in doc.parties:
                for phrase in party_names(party):
                    parties.setdefault(phrase, []).append(doc.id)
        limit = max(1, int(max_share * len(documents)))
        return cls(
            {p: tuple(dict.fromkeys(ids)) for p, ids in titles.items()},
            {p: tuple(dict.fromkeys(ids)) for p, ids in parties.items() if len(set(ids)) <= limit},
            frozenset(doc.id for doc in documents),
        )

    @staticmethod
    def _found(text: str, names: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
        padded = f" {text} "
        hits = sorted((p for p in names if f" {p} " in padded), key=len, reverse=True)
        kept: list[str] = []
        for phrase in hits:  # "halberd logistics" inside "halberd logistics gmbh" is one mention
            if not any(f" {phrase} " in f" {longer} " for longer in kept):
                kept.append(phrase)
        return [names[p] for p in kept]

    def link(self, question: str) -> list[str]:
        """Documents the question names by title (or id), else by party; none when it names none.

        Several parties: the documents they share, or all of them if they share none.
        """
        text = _normal(question)
        by_title = self._found(text, self.titles)
        if by_title:
            return list(dict.fromkeys(doc for ids in by_title for doc in ids))
        by_party = self._found(text, self.parties)
        if not by_party:
            return []
        shared = set(by_party[0]).intersection(*map(set, by_party[1:]))
        ordered = [doc for ids in by_party for doc in ids]
        return list(dict.fromkeys(doc for doc in ordered if doc in shared or not shared))


@functools.lru_cache(maxsize=4)
def _linker_for(kind: str, path: str, stamp: float) -> ContractLinker:
    from domainllm.corpus.documents import load_corpus

    return ContractLinker.from_documents(load_corpus(path if kind == "generated" else f"cuad:{path}"))


def default_linker() -> ContractLinker:
    """The linker of the corpus in force (``DOMAINLLM_CORPUS``), built once per corpus version."""
    from domainllm.corpus.documents import resolve_source

    source = resolve_source()
    where = source.corpus_dir if source.kind == "generated" else source.path
    stamp = where.stat().st_mtime if where.exists() else 0.0
    return _linker_for(source.kind, str(source.path), stamp)


def _id_filter(doc_ids: Sequence[str]) -> str:
    quoted = ", ".join(f'"{doc_id}"' for doc_id in doc_ids)
    return f"doc_id in [{quoted}]"


def contract_filter(question: str, linker: ContractLinker | None = None) -> str | None:
    """A Milvus filter for the contracts a question names, or None if it names none.

    Ids keep the named contracts and their amendments (``doc_id like "SUP-00001%"``); titles
    and party names keep the linked documents (``doc_id in [...]``).
    """
    ids = contract_ids_in(question)
    if ids:
        return " or ".join(f'doc_id like "{contract_id}%"' for contract_id in ids)
    linked = (linker or default_linker()).link(question)
    return _id_filter(linked) if linked else None


def unknown_contract_ids(question: str, linker: ContractLinker | None = None) -> list[str]:
    """Contract ids the question names that no document of the corpus has (nor an amendment of)."""
    known = (linker or default_linker()).doc_ids
    return [i for i in contract_ids_in(question) if not any(d.split("-A")[0] == i for d in known)]
