"""Data card: the table of facts: which contracts exist, who signs them, and the value of every clause.

Each contract is planned from its own random stream (seed and index), so planning is
deterministic and cheap at any scale.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from domainllm.corpus.portfolio import values as v
from domainllm.corpus.portfolio.company import (
    COMPANY,
    COMPANY_SHORT,
    FIELDS_OF_USE,
    LAWS,
    PRODUCTS,
    SERVICES,
    TERRITORIES,
    Counterparty,
    Law,
    counterparties,
)

FINE_TUNING_CUTOFF = dt.date(2024, 6, 30)
"""Contracts signed after this date are "fresh": no training question is about them."""

COMMON = (
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "governing_law",
    "termination_for_breach",
    "anti_assignment",
    "confidentiality_period",
)
WITH_RENEWAL = ("renewal_term", "notice_period_to_terminate_renewal", "cap_on_liability")

CATEGORY_LABELS: dict[str, str] = {
    "parties": "Parties",
    "agreement_date": "Agreement Date",
    "effective_date": "Effective Date",
    "expiration_date": "Expiration Date",
    "renewal_term": "Renewal Term",
    "notice_period_to_terminate_renewal": "Notice Period To Terminate Renewal",
    "governing_law": "Governing Law",
    "termination_for_convenience": "Termination For Convenience",
    "termination_for_breach": "Cure Period For Breach (not a CUAD category)",
    "exclusivity": "Exclusivity",
    "non_compete": "Non-Compete",
    "minimum_commitment": "Minimum Commitment",
    "cap_on_liability": "Cap On Liability",
    "audit_rights": "Audit Rights",
    "insurance": "Insurance",
    "ip_ownership_assignment": "Ip Ownership Assignment",
    "license_grant": "License Grant",
    "anti_assignment": "Anti-Assignment",
    "change_of_control": "Change Of Control",
    "warranty_duration": "Warranty Duration",
    "payment_terms": "Payment Terms (not a CUAD category)",
    "confidentiality_period": "Confidentiality Period (not a CUAD category)",
    "revenue_profit_sharing": "Revenue/Profit Sharing",
}
"""Category ids and their CUAD clause labels (three ids have no CUAD counterpart)."""

AMENDABLE = (
    "minimum_commitment",
    "cap_on_liability",
    "payment_terms",
    "expiration_date",
    "notice_period_to_terminate_renewal",
    "termination_for_convenience",
    "insurance",
    "confidentiality_period",
    "revenue_profit_sharing",
    "warranty_duration",
)


@dataclass(frozen=True)
class ContractType:
    """A kind of agreement: its id prefix, title, the parties' role words and its clause categories."""

    key: str
    code: str
    title: str
    role: str
    company_role: str
    role_noun: str
    categories: tuple[str, ...]
    share_noun: str = "royalty"
    share_base: str = "Net Sales"
    counterparty_pays: bool = False


CONTRACT_TYPES: dict[str, ContractType] = {
    t.key: t
    for t in (
        ContractType(
            "supply",
            "SUP",
            "Supply Agreement",
            "Supplier",
            "Buyer",
            "supplier",
            COMMON
            + WITH_RENEWAL
            + (
                "minimum_commitment",
                "payment_terms",
                "warranty_duration",
                "insurance",
                "audit_rights",
                "termination_for_convenience",
                "change_of_control",
            ),
        ),
        ContractType(
            "distribution",
            "DIS",
            "Distribution Agreement",
            "Distributor",
            "Manufacturer",
            "distributor",
            COMMON
            + WITH_RENEWAL
            + (
                "exclusivity",
                "minimum_commitment",
                "payment_terms",
                "non_compete",
                "audit_rights",
                "termination_for_convenience",
                "change_of_control",
            ),
            counterparty_pays=True,
        ),
        ContractType(
            "licence",
            "LIC",
            "Licence Agreement",
            "Licensor",
            "Licensee",
            "licensor",
            COMMON
            + WITH_RENEWAL
            + (
                "license_grant",
                "revenue_profit_sharing",
                "audit_rights",
                "ip_ownership_assignment",
                "change_of_control",
                "insurance",
            ),
            share_noun="royalty",
            share_base="Net Sales of Licensed Products",
        ),
        ContractType(
            "strategic_alliance",
            "ALL",
            "Strategic Alliance Agreement",
            "Partner",
            "Lead Partner",
            "alliance partner",
            COMMON
            + WITH_RENEWAL
            + (
                "ip_ownership_assignment",
                "exclusivity",
                "non_compete",
                "revenue_profit_sharing",
                "change_of_control",
                "termination_for_convenience",
            ),
            share_noun="profit share",
            share_base="the Alliance Profits",
        ),
        ContractType(
            "agency",
            "AGY",
            "Sales Agency Agreement",
            "Agent",
            "Principal",
            "sales agent",
            COMMON
            + WITH_RENEWAL
            + (
                "exclusivity",
                "revenue_profit_sharing",
                "non_compete",
                "termination_for_convenience",
                "audit_rights",
                "payment_terms",
            ),
            share_noun="commission",
            share_base="Net Sales made in the Territory",
        ),
        ContractType(
            "services",
            "SRV",
            "Master Services Agreement",
            "Service Provider",
            "Customer",
            "service provider",
            COMMON
            + WITH_RENEWAL
            + (
                "payment_terms",
                "insurance",
                "warranty_duration",
                "ip_ownership_assignment",
                "termination_for_convenience",
                "audit_rights",
            ),
        ),
        ContractType(
            "nda",
            "NDA",
            "Mutual Non-Disclosure Agreement",
            "Counterparty",
            "Company",
            "party",
            COMMON + ("termination_for_convenience",),
        ),
    )
}
TYPE_CYCLE = (
    "supply", "distribution", "licence", "supply", "services", "distribution", "nda",
    "strategic_alliance", "agency", "supply",
)  # fmt: skip


@dataclass(frozen=True)
class Amendment:
    """A later document that replaces the value of one clause of a contract."""

    id: str
    category: str
    value: v.Value
    date: v.Value
    phrasing: int


@dataclass(frozen=True)
class ContractPlan:
    """Everything needed to write one contract: identity, dates, clause values and wording choices."""

    id: str
    index: int
    type: ContractType
    counterparty: Counterparty
    batch: str
    agreement_date: dt.date
    effective_date: dt.date
    law: Law
    goods: str
    values: dict[str, v.Value]
    phrasing: dict[str, int]
    variant: int
    sign_date: v.Value
    price_date: v.Value
    amendment: Amendment | None = None
    context: dict[str, str] = field(default_factory=dict)


def counterparty_pool(contracts: int, seed: int) -> list[Counterparty]:
    """The counterparties for a portfolio of ``contracts`` contracts (at least 24; two contracts each)."""
    return counterparties(max(24, contracts // 2), random.Random(f"counterparties-{seed}"))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def _value(category: str, ctype: ContractType, plan: dict, rng: random.Random) -> v.Value:
    style = rng.randrange(3)
    if category == "parties":
        return v.name(plan["cp"].name, plan["cp"].short)
    if category == "agreement_date":
        return v.date(plan["agreement"], style)
    if category == "effective_date":
        return v.date(plan["effective"], style)
    if category == "expiration_date":
        return v.date(plan["expiry"], style)
    if category == "governing_law":
        law = plan["law"]
        return v.plain(law.name, f"{law.prefix}{law.name}", f"{law.name} law")
    if category == "exclusivity":
        territory = rng.choice(TERRITORIES)
        bare = territory.removeprefix("the ")
        return v.Value(bare, (territory,) if bare != territory else (), territory)
    if category == "license_grant":
        return v.plain(rng.choice(FIELDS_OF_USE))
    if category == "ip_ownership_assignment":
        owner = rng.choice((plan["cp"], None))
        return v.name(COMPANY, COMPANY_SHORT) if owner is None else v.name(owner.name, owner.short)
    if category == "revenue_profit_sharing":
        rates = {"licence": (2.5, 3, 4, 5, 6, 7.5), "agency": (5, 7.5, 8, 10, 12)}
        return v.percent(rng.choice(rates.get(ctype.key, (30, 40, 50, 60))), style)
    if category == "change_of_control":
        return v.percent(rng.choice((25, 30, 40, 50)), style)
    if category in ("minimum_commitment", "cap_on_liability", "insurance"):
        amounts = {
            "minimum_commitment": (250_000, 500_000, 750_000, 1_200_000, 2_000_000, 3_500_000),
            "cap_on_liability": (1_000_000, 1_500_000, 2_000_000, 2_500_000, 5_000_000),
            "insurance": (2_000_000, 5_000_000, 10_000_000, 20_000_000),
        }[category]
        return v.money(rng.choice(amounts), style)
    unit, choices = {
        "renewal_term": ("years", (1, 2, 3)),
        "notice_period_to_terminate_renewal": ("days", (60, 90, 120, 180)),
        "termination_for_convenience": ("days", (30, 60, 90, 120, 180)),
        "termination_for_breach": ("days", (10, 15, 30, 45)),
        "non_compete": ("months", (6, 12, 18, 24)),
        "audit_rights": ("business days", (5, 10, 15, 20)),
        "anti_assignment": ("days", (10, 14, 30)),
        "warranty_duration": ("months", (12, 18, 24, 36)),
        "payment_terms": ("days", (30, 45, 60, 90)),
        "confidentiality_period": ("years", (2, 3, 5, 7)),
    }[category]
    return v.duration(rng.choice(choices), unit, style)


def _amended_value(
    category: str, old: v.Value, ctype: ContractType, plan: dict, rng: random.Random
) -> v.Value:
    """A new value for ``category`` that differs from ``old``."""
    if category == "expiration_date":
        extended = add_years(plan["expiry"], rng.choice((1, 2)))
        return v.date(extended, rng.randrange(3))
    for _ in range(50):
        new = _value(category, ctype, plan, rng)
        if new.canonical != old.canonical:
            return new
    raise AssertionError(f"no alternative value for {category}")


def plan_contract(index: int, seed: int, pool: list[Counterparty]) -> ContractPlan:
    """Plan contract number ``index`` (0-based) of the portfolio generated with ``seed``."""
    rng = random.Random(f"contract-{seed}-{index}")
    ctype = CONTRACT_TYPES[TYPE_CYCLE[index % len(TYPE_CYCLE)]]
    cp = pool[(index * 7 + seed) % len(pool)] if len(pool) % 7 else pool[index % len(pool)]
    fresh = index % 5 == 4
    if fresh:
        agreement = _random_date(rng, dt.date(2024, 9, 1), dt.date(2025, 6, 30))
    else:
        agreement = _random_date(rng, dt.date(2019, 1, 1), dt.date(2024, 3, 31))
    effective = agreement + dt.timedelta(days=rng.choice((1, 7, 14, 30, 45)))
    years = rng.choice((2, 3, 4, 5))
    expiry = add_years(effective, years) - dt.timedelta(days=1)
    laws, weights = zip(*LAWS, strict=True)
    law = rng.choices(laws, weights=weights)[0]
    plan = {"cp": cp, "agreement": agreement, "effective": effective, "expiry": expiry, "law": law}
    values = {category: _value(category, ctype, plan, rng) for category in ctype.categories}
    phrasing = {category: rng.randrange(3) for category in ctype.categories}
    goods_pool = SERVICES if ctype.key == "services" else PRODUCTS
    goods = rng.choice(goods_pool)
    contract_id = f"{ctype.code}-{index + 1:05d}"
    sign_date = v.date(agreement - dt.timedelta(days=rng.choice((2, 3, 5, 9))), rng.randrange(3))
    price_date = v.date(effective.replace(year=effective.year + 1, day=1), rng.randrange(3))
    amendment = None
    amendable = [c for c in AMENDABLE if c in values]
    if amendable and rng.random() < 0.22:
        category = rng.choice(amendable)
        when = _random_date(
            rng, effective + dt.timedelta(days=60), min(expiry, effective + dt.timedelta(400))
        )
        if fresh:
            when = min(when, dt.date(2025, 10, 31))
        amendment = Amendment(
            id=f"{contract_id}-A1",
            category=category,
            value=_amended_value(category, values[category], ctype, plan, rng),
            date=v.date(when, rng.randrange(3)),
            phrasing=rng.randrange(3),
        )
    payer, payee = (ctype.role, ctype.company_role)
    if not ctype.counterparty_pays:
        payer, payee = payee, payer
    context = {
        "company": COMPANY,
        "cs": COMPANY_SHORT,
        "cp": cp.name,
        "cps": cp.short,
        "home": cp.home,
        "role": ctype.role,
        "crole": ctype.company_role,
        "role_noun": ctype.role_noun,
        "goods": "the Services" if ctype.key == "services" else "the Products",
        "share_noun": ctype.share_noun,
        "share_base": ctype.share_base,
        "payer": payer,
        "payee": payee,
        "law_prefix": law.prefix,
    }
    return ContractPlan(
        id=contract_id,
        index=index,
        type=ctype,
        counterparty=cp,
        batch="fresh" if fresh else "train",
        agreement_date=agreement,
        effective_date=effective,
        law=law,
        goods=goods,
        values=values,
        phrasing=phrasing,
        variant=rng.randrange(2),
        sign_date=sign_date,
        price_date=price_date,
        amendment=amendment,
        context=context,
    )
