"""Data card: generate the whole portfolio into a folder: ``corpus/*.md``, ``facts.jsonl`` and ``qa/*.jsonl``.

The generator never destroys what it did not write. It writes into an empty or new folder, or
into one holding an earlier generation (``generation.json``); there it replaces that
generation's files and deletes only those of them it does not write again. A folder with other
files in ``corpus/`` or ``qa/``, or a non-empty folder without ``generation.json``, is refused
unless ``force=True`` (``--force``), and even then its other files are left alone. Regenerating
the book's committed corpus (``data/``) with other settings than the defaults also needs ``force``.
"""

from __future__ import annotations

import gc
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainllm.corpus.portfolio.company import COMPANY
from domainllm.corpus.portfolio.facts import CATEGORY_LABELS, ContractPlan, counterparty_pool, plan_contract
from domainllm.corpus.portfolio.questions_builder import build_question_sets
from domainllm.corpus.portfolio.render import PlacedFact, render_amendment, render_contract
from domainllm.files import atomic_write_text, jsonl_records, write_jsonl
from domainllm.paths import DATA_DIR

DEFAULT_SEED = 0
DEFAULT_CONTRACTS = 48
GENERATOR_NAME = "domainllm.corpus.portfolio"
MANIFEST = "generation.json"
QUESTION_SETS = ("train", "dev", "test_paraphrase", "test_fresh", "test_multidoc", "summaries")
WRITTEN_FOLDERS = ("corpus", "qa")  # where other files would mix into the generated corpus
LISTED = 5
_DOCUMENT_FILE = re.compile(r"corpus/[A-Za-z0-9][A-Za-z0-9_-]*\.md")  # never a path out of corpus/


class OutputFolderError(ValueError):
    """The output folder holds files the generator did not write; the message names them."""


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
    out: str | Path, seed: int = DEFAULT_SEED, contracts: int = DEFAULT_CONTRACTS, force: bool = False
) -> GenerationResult:
    """Write a portfolio of ``contracts`` contracts (plus their amendments) under ``out``.

    Refuses (:class:`OutputFolderError`, before writing anything) a folder holding files an
    earlier generation did not write, unless ``force``; see the module docstring.
    """
    if isinstance(contracts, bool) or not isinstance(contracts, int) or contracts < 1:
        raise ValueError(f"contracts must be a whole number of at least 1, got {contracts!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}.")
    out = Path(out).expanduser()
    owned = check_output_folder(out, seed, contracts, force)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small, long-lived objects: collection passes would only slow us down
    try:
        return _generate(out, seed, contracts, owned)
    finally:
        if gc_was_enabled:
            gc.enable()


def previous_generation(out: Path) -> set[str] | None:
    """Files (relative paths) the generation recorded in ``out/generation.json`` wrote, or None
    when the folder holds no generation of ours.

    The set is derived from the files themselves: the manifest, ``facts.jsonl``, the question
    files and one ``corpus/<doc_id>.md`` per document named in ``facts.jsonl``; a run cut short
    also lists, in its manifest, the files it was about to write.
    """
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR_NAME:
        return None
    owned = {MANIFEST, "facts.jsonl", *(f"qa/{name}.jsonl" for name in QUESTION_SETS)}
    listed = manifest.get("files", [])
    owned.update(name for name in listed if isinstance(name, str) and _DOCUMENT_FILE.fullmatch(name))
    if (out / "facts.jsonl").is_file():
        try:
            records, _ = jsonl_records(out / "facts.jsonl")
        except ValueError:
            records = []
        names = (f"corpus/{row.get('doc_id')}.md" for _, row in records)
        owned.update(name for name in names if _DOCUMENT_FILE.fullmatch(name))
    return owned


def _foreign_files(out: Path, owned: set[str] | None) -> list[str]:
    """Files under ``out`` the previous generation did not write (all of them without one)."""
    if owned is None:
        files = [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()]
        return sorted(files) or sorted(p.name + "/" for p in out.iterdir())
    foreign = []
    for folder in WRITTEN_FOLDERS:
        if (out / folder).is_dir():
            for path in sorted((out / folder).rglob("*")):
                name = str(path.relative_to(out))
                if path.is_file() and name not in owned:
                    foreign.append(name)
    return foreign


def check_output_folder(out: Path, seed: int, contracts: int, force: bool = False) -> set[str]:
    """Check that generating into ``out`` destroys nothing it should not; return the files an
    earlier generation wrote there (the only ones that may be replaced or deleted).

    Raises :class:`OutputFolderError` naming the offending files (see the module docstring).
    """
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {out} is a file, not a folder; give a folder for the corpus.")
    if not out.exists():
        return set()
    owned = previous_generation(out)
    if owned is None and not any(out.iterdir()):
        return set()
    foreign = _foreign_files(out, owned)
    if foreign and not force:
        shown = ", ".join(foreign[:LISTED]) + (", ..." if len(foreign) > LISTED else "")
        what = (
            "holds no generation.json, so it was not written by 'corpus generate'"
            if owned is None
            else "holds files an earlier generation did not write"
        )
        raise OutputFolderError(
            f"{out} {what} ({shown}). Generating there would overwrite or mix with them. Choose an "
            "empty or new folder for --out, or pass --force to write the corpus there anyway "
            "(files it did not write are never deleted)."
        )
    if _same_folder(out, DATA_DIR) and (seed, contracts) != (DEFAULT_SEED, DEFAULT_CONTRACTS) and not force:
        raise OutputFolderError(
            f"{out} is the book's committed corpus (seed {DEFAULT_SEED}, {DEFAULT_CONTRACTS} contracts); "
            f"writing seed {seed} with {contracts} contracts there would replace it. Choose another "
            "--out (and point DOMAINLLM_CORPUS at it), or pass --force."
        )
    return owned or set()


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _generate(out: Path, seed: int, contracts: int, owned: set[str]) -> GenerationResult:
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    pool = counterparty_pool(contracts, seed)
    plans = [plan_contract(index, seed, pool) for index in range(contracts)]
    planned = {f"corpus/{plan.id}.md" for plan in plans}
    planned |= {f"corpus/{plan.amendment.id}.md" for plan in plans if plan.amendment is not None}
    planned |= {MANIFEST, "facts.jsonl", *(f"qa/{name}.jsonl" for name in QUESTION_SETS)}
    # until the run completes, the manifest lists every file it may have written (a rerun
    # after a crash then recognises them as its own)
    atomic_write_text(
        out / MANIFEST,
        json.dumps(
            {"seed": seed, "contracts": contracts, "generator": GENERATOR_NAME, "complete": False,
             "files": sorted(owned | planned)},
            indent=2,
        ) + "\n",
    )  # fmt: skip
    facts: list[dict[str, Any]] = []
    for plan in plans:
        body, placed = render_contract(plan)
        _write_plain(corpus / f"{plan.id}.md", front_matter(_contract_header(plan)) + body)
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
        original = rows[original_index]
        new_row = _fact_row(amendment.id, plan.id, new_facts[0], amends=original["id"])
        original["current"] = False
        original["superseded_by"] = new_row["id"]
        facts.append(new_row)
    write_jsonl(out / "facts.jsonl", facts)
    sets = build_question_sets(plans, facts, seed)
    for name, rows in sets.items():
        write_jsonl(out / "qa" / f"{name}.jsonl", rows)
    for stale in sorted(owned - planned):  # an earlier generation's files this one did not rewrite
        (out / stale).unlink(missing_ok=True)
    atomic_write_text(
        out / MANIFEST,
        json.dumps({"seed": seed, "contracts": contracts, "generator": GENERATOR_NAME}, indent=2) + "\n",
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
