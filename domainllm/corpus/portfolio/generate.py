"""Generate the whole portfolio into a folder: ``corpus/*.md``, ``facts.jsonl`` and ``qa/*.jsonl``."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.corpus.portfolio.company import COMPANY
from domainllm.corpus.portfolio.facts import CATEGORY_LABELS, ContractPlan, counterparty_pool, plan_contract
from domainllm.corpus.portfolio.questions_builder import build_question_sets
from domainllm.corpus.portfolio.render import PlacedFact, render_amendment, render_contract
from domainllm.files import atomic_write_text, write_jsonl

DEFAULT_SEED = 0
DEFAULT_CONTRACTS = 48


@dataclass(frozen=True)
class GenerationResult:
    """What a generation run wrote: counts of contracts, amendments, facts and questions per split."""

    out: Path
    contracts: int
    amendments: int
    facts: int
    questions: dict[str, int]


def front_matter(fields: dict[str, Any]) -> str:
    """YAML front matter written by hand (strings JSON-quoted, which YAML reads back unchanged)."""
    lines = ["---"]
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---\n")
    return "\n".join(lines)


def _fact_row(doc_id: str, contract_id: str, placed: PlacedFact, current: bool = True,
              amends: str | None = None) -> dict[str, Any]:  # fmt: skip
    value = placed.value
    return {
        "id": f"{doc_id}/{placed.category}",
        "contract_id": contract_id,
        "doc_id": doc_id,
        "category": placed.category,
        "label": CATEGORY_LABELS[placed.category],
        "value": value.canonical,
        "aliases": list(value.aliases),
        "surface": value.surface,
        "start": placed.start,
        "end": placed.end,
        "evidence": {"doc_id": doc_id, "start": placed.clause_start, "end": placed.clause_end},
        "clause": placed.clause,
        "phrasing": f"{placed.category}/{placed.phrasing + 1}",
        "magnitude": value.magnitude,
        "current": current,
        "amends": amends,
        "superseded_by": None,
    }


def _contract_header(plan: ContractPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": f"{plan.type.title} between {COMPANY} and {plan.counterparty.name}",
        "type": plan.type.key,
        "parties": [COMPANY, plan.counterparty.name],
        "effective_date": plan.effective_date.isoformat(),
        "agreement_date": plan.agreement_date.isoformat(),
        "counterparty": plan.counterparty.name,
        "batch": plan.batch,
    }


def _write_plain(path: Path, text: str) -> None:
    """Plain write for the many corpus files: a crashed run is simply re-run (it is deterministic)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def generate_portfolio(
    out: str | Path, seed: int = DEFAULT_SEED, contracts: int = DEFAULT_CONTRACTS
) -> GenerationResult:
    """Write a portfolio of ``contracts`` contracts (plus their amendments) under ``out``."""
    if contracts < 1:
        raise ValueError(f"contracts must be at least 1, got {contracts}.")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small, long-lived objects: collection passes would only slow us down
    try:
        return _generate(Path(out), seed, contracts)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(out: Path, seed: int, contracts: int) -> GenerationResult:
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    pool = counterparty_pool(contracts, seed)
    plans = [plan_contract(index, seed, pool) for index in range(contracts)]
    facts: list[dict[str, Any]] = []
    written: set[str] = set()
    for plan in plans:
        body, placed = render_contract(plan)
        _write_plain(corpus / f"{plan.id}.md", front_matter(_contract_header(plan)) + body)
        written.add(f"{plan.id}.md")
        rows = [_fact_row(plan.id, plan.id, fact) for fact in placed]
        facts.extend(rows)
        amendment = plan.amendment
        if amendment is None:
            continue
        original_index = next(k for k, f in enumerate(placed) if f.category == amendment.category)
        text, new_facts = render_amendment(plan, placed[original_index])
        header = {
            "id": amendment.id,
            "title": f"First Amendment to {plan.type.title} {plan.id}",
            "type": "amendment",
            "parties": [COMPANY, plan.counterparty.name],
            "effective_date": _iso(amendment),
            "agreement_date": _iso(amendment),
            "counterparty": plan.counterparty.name,
            "batch": plan.batch,
            "amends": plan.id,
            "amended_type": plan.type.key,
        }
        _write_plain(corpus / f"{amendment.id}.md", front_matter(header) + text)
        written.add(f"{amendment.id}.md")
        original = rows[original_index]
        new_row = _fact_row(amendment.id, plan.id, new_facts[0], amends=original["id"])
        original["current"] = False
        original["superseded_by"] = new_row["id"]
        facts.append(new_row)
    for stale in corpus.glob("*.md"):
        if stale.name not in written:
            stale.unlink()
    write_jsonl(out / "facts.jsonl", facts)
    sets = build_question_sets(plans, facts, seed)
    for name, rows in sets.items():
        write_jsonl(out / "qa" / f"{name}.jsonl", rows)
    atomic_write_text(
        out / "generation.json",
        json.dumps(
            {"seed": seed, "contracts": contracts, "generator": "domainllm.corpus.portfolio"}, indent=2
        )
        + "\n",
    )
    return GenerationResult(
        out=out,
        contracts=contracts,
        amendments=sum(plan.amendment is not None for plan in plans),
        facts=len(facts),
        questions={name: len(rows) for name, rows in sets.items()},
    )


def _iso(amendment: Any) -> str:
    """The amendment's date in ISO form (kept among the value's aliases)."""
    return next(alias for alias in amendment.date.aliases if alias[:4].isdigit())
