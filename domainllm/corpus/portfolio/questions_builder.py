"""Data card: gold question sets and reference summaries, built from the fact table.

Splits: ``train`` (family-A wording, training contracts), ``dev`` (family-B wording of training-contract
facts that no other split asks about, taken out of ``train``: every choice the book makes is made on
it), ``test_paraphrase`` (the same facts as ``train``, family-B wording), ``test_fresh`` (family-A wording, contracts signed after the fine-tuning
cutoff), ``test_multidoc`` (lists, counts, comparisons and amended values across documents).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from domainllm.corpus.portfolio.company import COMPANY
from domainllm.corpus.portfolio.facts import ContractPlan
from domainllm.corpus.portfolio.question_templates import COMPARISONS, NOUNS, TEMPLATES
from domainllm.corpus.portfolio.values import number_words

Row = dict[str, Any]
PARAPHRASE_SHARE = 0.3
DEV_QUESTIONS = 96  # stratified by category; at least 64 are scored per split


def _evidence(*facts: Row) -> list[Row]:
    return [fact["evidence"] for fact in facts]  # shared, not copied: rows are only serialised


def _question(qid: str, text: str, answer: str, aliases: Iterable[str], evidence: list[Row], category: str,
              split: str, template: str, kind: str = "fact", answers: Iterable[str] = ()) -> Row:  # fmt: skip
    return {
        "id": qid,
        "question": text,
        "answer": answer,
        "aliases": list(aliases),
        "evidence": evidence,
        "category": category,
        "split": split,
        "template": template,
        "kind": kind,
        "answers": list(answers),
    }


def _slots(plan: ContractPlan) -> dict[str, str]:
    kind = plan.type.title.lower()
    bare = f"the {kind} {plan.id}"
    return {
        "ref": f"{bare} with {plan.counterparty.short}",
        "bare": bare,
        "role": plan.type.role,
        "share_noun": plan.type.share_noun,
    }


def _fact_question(qid: str, fact: Row, plan: ContractPlan, family: int, variant: int, split: str) -> Row:
    category = fact["category"]
    template = TEMPLATES[category][family][variant]
    text = template.format(**_slots(plan))
    text = text[0].upper() + text[1:]
    kind = "amended" if fact["amends"] else "fact"
    template_id = f"{'AB'[family]}.{category}.{variant + 1}"
    return _question(qid, text, fact["value"], fact["aliases"], _evidence(fact), category, split,
                     template_id, kind)  # fmt: skip


def _list_answer(ids: list[str]) -> tuple[str, list[str]]:
    return "; ".join(ids), [", ".join(ids), " and ".join(ids)] if len(ids) > 1 else []


def _multidoc(plans: dict[str, ContractPlan], current: dict[str, dict[str, Row]],
              originals: dict[str, Row], rng: random.Random) -> list[Row]:  # fmt: skip
    rows: list[Row] = []

    def add(*args: Any, **kwargs: Any) -> None:
        rows.append(_question(f"test_multidoc-{len(rows) + 1:05d}", *args, split="test_multidoc", **kwargs))

    by_type_law: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_counterparty: dict[str, list[str]] = defaultdict(list)
    for cid, plan in plans.items():
        by_type_law[(plan.type.key, current[cid]["governing_law"]["value"])].append(cid)
        by_counterparty[plan.counterparty.name].append(cid)
    for number, ((_type, law), ids) in enumerate(sorted(by_type_law.items())):
        if not 2 <= len(ids) <= 8:
            continue
        title = plans[ids[0]].type.title
        facts = [current[cid]["governing_law"] for cid in ids]
        if number % 2 == 0:
            answer, aliases = _list_answer(ids)
            add(f"Which of Kestrel's {title}s are governed by the law of {law}? Give the agreement numbers.",
                answer, aliases, _evidence(*facts), "governing_law", template="M.list.law", kind="list",
                answers=ids)  # fmt: skip
        else:
            add(f"How many of Kestrel's {title}s are governed by the law of {law}?", str(len(ids)),
                [number_words(len(ids))], _evidence(*facts), "governing_law", template="M.count.law",
                kind="count", answers=ids)  # fmt: skip
    for number, (name, ids) in enumerate(sorted(by_counterparty.items())):
        if not 2 <= len(ids) <= 8:
            continue
        facts = [current[cid]["parties"] for cid in ids]
        if number % 2 == 0:
            answer, aliases = _list_answer(ids)
            add(f"Which agreements has Kestrel signed with {name}? Give the agreement numbers.", answer,
                aliases, _evidence(*facts), "parties", template="M.list.counterparty", kind="list",
                answers=ids)  # fmt: skip
        else:
            add(f"How many agreements (not counting amendments) has Kestrel signed with {name}?",
                str(len(ids)), [number_words(len(ids))], _evidence(*facts), "parties",
                template="M.count.counterparty", kind="count", answers=ids)  # fmt: skip
    limit = 3 + len(plans) // 20
    for category, wording in COMPARISONS.items():
        having = [cid for cid in plans if category in current[cid]]
        pairs = 0
        for first, second in zip(having[::2], having[1::2], strict=False):
            a, b = current[first][category], current[second][category]
            if a["magnitude"] == b["magnitude"] or pairs >= limit:
                continue
            pairs += 1
            left, right = (first, second) if rng.random() < 0.5 else (second, first)
            winner = first if a["magnitude"] > b["magnitude"] else second
            add(f"Which agreement has {wording}: {left} or {right}?", winner, [], _evidence(a, b), category,
                template=f"M.compare.{category}", kind="compare", answers=[winner])  # fmt: skip
    for cid, plan in plans.items():
        if plan.amendment is None:
            continue
        category = plan.amendment.category
        new = current[cid][category]
        old = originals[f"{cid}/{category}"]
        ref = _slots(plan)["ref"]
        add(f"Taking every amendment into account, what is the {NOUNS[category]} of {ref} now?", new["value"],
            new["aliases"], _evidence(old, new), category, template="M.amended", kind="amended",
            answers=[new["value"]])  # fmt: skip
    return rows


def _summary(plan: ContractPlan, facts: dict[str, Row]) -> str:
    cp = plan.counterparty.name
    title = plan.type.title
    parts = [
        f"{plan.id} is a {title} between {COMPANY} and {cp}, dated {facts['agreement_date']['value']}, "
        f"effective {facts['effective_date']['value']} and running until {facts['expiration_date']['value']}."
    ]
    if "renewal_term" in facts:
        parts.append(
            f"It renews for {facts['renewal_term']['value']} at a time unless a party gives notice of "
            f"non-renewal at least {facts['notice_period_to_terminate_renewal']['value']} before the term ends."
        )
    parts.append(f"It is governed by the law of {facts['governing_law']['value']}.")
    skip = {"parties", "agreement_date", "effective_date", "expiration_date", "renewal_term",
            "notice_period_to_terminate_renewal", "governing_law"}  # fmt: skip
    terms = [f"{NOUNS[c]}: {row['value']}" for c, row in facts.items() if c not in skip]
    parts.append("Key terms: " + "; ".join(terms) + ".")
    if plan.amendment is not None:
        parts.append(
            f"Amendment {plan.amendment.id} of {plan.amendment.date.canonical} changed the "
            f"{NOUNS[plan.amendment.category]} to {plan.amendment.value.canonical}."
        )
    return " ".join(parts)


def _carve_dev(train: list[Row], unasked: list[tuple[Row, Row, ContractPlan]], seed: int) -> list[Row]:
    """Move ``DEV_QUESTIONS`` of the unasked facts out of ``train`` (in place) into a ``dev`` split.

    Stratified by category (largest remainder); its own random stream, so the other splits do not
    change; dev questions use the family-B wording, like ``test_paraphrase``.
    """
    rng = random.Random(f"dev-{seed}")
    by_category: dict[str, list[tuple[Row, Row, ContractPlan]]] = defaultdict(list)
    for item in unasked:
        by_category[item[1]["category"]].append(item)
    wanted = min(DEV_QUESTIONS, len(unasked))
    shares = {c: wanted * len(items) / len(unasked) for c, items in sorted(by_category.items())}
    quota = {c: int(share) for c, share in shares.items()}
    for c in sorted(shares, key=lambda c: (int(shares[c]) - shares[c], c))[: wanted - sum(quota.values())]:
        quota[c] += 1
    chosen = [item for c in sorted(by_category) for item in rng.sample(by_category[c], quota[c])]
    moved = {id(row) for row, _, _ in chosen}
    train[:] = [row for row in train if id(row) not in moved]
    chosen.sort(key=lambda item: int(item[0]["id"].split("-")[1]))
    return [
        _fact_question(f"dev-{n:05d}", fact, plan, 1, rng.randrange(2), "dev")
        for n, (_, fact, plan) in enumerate(chosen, start=1)
    ]


def build_question_sets(plans: list[ContractPlan], facts: list[Row], seed: int) -> dict[str, list[Row]]:
    """Every split plus ``summaries``, as lists of JSON-ready rows."""
    rng = random.Random(f"questions-{seed}")
    by_id = {plan.id: plan for plan in plans}
    current: dict[str, dict[str, Row]] = defaultdict(dict)
    originals: dict[str, Row] = {}
    for fact in facts:
        if fact["current"]:
            current[fact["contract_id"]][fact["category"]] = fact
        if not fact["amends"]:
            originals[fact["id"]] = fact
    train: list[Row] = []
    paraphrase: list[Row] = []
    fresh: list[Row] = []
    unasked: list[tuple[Row, Row, ContractPlan]] = []  # train questions whose fact no test split asks
    for plan in plans:
        for fact in current[plan.id].values():
            variant = rng.randrange(2)
            if plan.batch == "fresh":
                fresh.append(_fact_question(f"test_fresh-{len(fresh) + 1:05d}", fact, plan, 0, variant,
                                            "test_fresh"))  # fmt: skip
                continue
            train.append(_fact_question(f"train-{len(train) + 1:05d}", fact, plan, 0, variant, "train"))
            if fact["amends"] or rng.random() < PARAPHRASE_SHARE:
                paraphrase.append(_fact_question(f"test_paraphrase-{len(paraphrase) + 1:05d}", fact, plan, 1,
                                                 rng.randrange(2), "test_paraphrase"))  # fmt: skip
            else:
                unasked.append((train[-1], fact, plan))
    dev = _carve_dev(train, unasked, seed)
    multidoc = _multidoc(by_id, current, originals, rng)
    summaries = [
        {"id": f"summary-{k + 1:05d}", "doc_id": plan.id, "summary": _summary(plan, current[plan.id])}
        for k, plan in enumerate(p for p in plans if p.index % 4 == 0)
    ]
    return {
        "train": train,
        "dev": dev,
        "test_paraphrase": paraphrase,
        "test_fresh": fresh,
        "test_multidoc": multidoc,
        "summaries": summaries,
    }
