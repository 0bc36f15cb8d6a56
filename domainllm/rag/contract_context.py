"""Labs 2 and 3 (metadata for retrieval): metadata that tells retrieval *which* contract a passage belongs to.

Many contracts share clause wording, so a passage like "either party may terminate on ninety
days' notice" matches a question about any of them. Two remedies, both pre-retrieval:
a contextual header prepended to every passage before it is embedded and indexed, and a
metadata filter that restricts the search to the contract a question names.
"""

from __future__ import annotations

import re

from domainllm.rag.chunking import Chunk

CONTRACT_ID = re.compile(r"\b([A-Z]{3}-\d{5})(?:-A\d+)?\b")


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


def contract_filter(question: str) -> str | None:
    """A Milvus filter keeping the named contracts and their amendments, or None if none is named."""
    ids = contract_ids_in(question)
    if not ids:
        return None
    return " or ".join(f'doc_id like "{contract_id}%"' for contract_id in ids)
