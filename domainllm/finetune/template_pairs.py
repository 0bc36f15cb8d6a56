"""Lab 6 (synthetic data): template pairs, one fixed question per fact a passage states.

For every current fact written in a passage, a fixed question wording per clause category
(``TEMPLATES``, worded apart from both gold question families) and the fact's canonical value as
the answer. Cheap and correct by construction, but only as varied as the templates.
"""

from __future__ import annotations

from collections.abc import Sequence

from domainllm.corpus.documents import Document
from domainllm.finetune.passages import Fact, facts_by_chunk
from domainllm.finetune.qa_pairs import QAPair
from domainllm.rag.chunking import Chunk

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
