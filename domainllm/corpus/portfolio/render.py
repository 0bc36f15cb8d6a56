"""Data card: write a planned contract (or amendment) as markdown while recording where each fact lands."""

from __future__ import annotations

from dataclasses import dataclass

from domainllm.corpus.portfolio.boilerplate import BOILERPLATE
from domainllm.corpus.portfolio.company import (
    COMPANY,
    COMPANY_ADDRESS,
    COMPANY_PROFILE,
    COMPANY_SHORT,
    COMPANY_SIGNATORY,
)
from domainllm.corpus.portfolio.facts import ContractPlan
from domainllm.corpus.portfolio.phrasings import PHRASINGS
from domainllm.corpus.portfolio.values import Value

# A section is a heading and a list of items: a fact category, or "bp:<boilerplate key>".
Section = tuple[str, tuple[str, ...]]

_CORE: dict[str, Section] = {
    "supply": ("Supply of Products", ("bp:core_supply", "minimum_commitment", "bp:core_forecast",
                                      "bp:core_delivery")),
    "distribution": ("Appointment of the Distributor", ("exclusivity", "bp:core_distribution",
                                                       "minimum_commitment", "bp:core_marketing")),
    "licence": ("Grant of Licence", ("license_grant", "bp:core_licence", "bp:core_licence_reserved")),
    "strategic_alliance": ("Scope of the Alliance", ("bp:core_alliance", "exclusivity", "bp:core_steering")),
    "agency": ("Appointment of the Agent", ("exclusivity", "bp:core_agency", "bp:core_marketing")),
    "services": ("Provision of Services", ("bp:core_services", "bp:core_personnel")),
}  # fmt: skip
_DEFINITIONS: Section = (
    "Definitions",
    ("bp:def_affiliate", "bp:def_business_day", "bp:def_confidential", "bp:def_contract_year",
     "bp:def_goods", "bp:def_ip", "bp:def_term", "bp:interpretation"),
)  # fmt: skip
_BODY: tuple[Section, ...] = (
    ("Prices and Payment", ("bp:prices", "payment_terms", "revenue_profit_sharing", "bp:late_payment")),
    ("Term and Renewal", ("effective_date", "expiration_date", "renewal_term",
                          "notice_period_to_terminate_renewal")),
    ("Termination", ("termination_for_convenience", "termination_for_breach", "change_of_control",
                     "bp:termination_effects")),
    ("Warranties", ("warranty_duration", "bp:warranty_general", "bp:warranty_exclusion")),
    ("Intellectual Property", ("bp:ip_background", "ip_ownership_assignment", "bp:ip_trademarks")),
    ("Confidentiality", ("bp:confidential_general", "confidentiality_period")),
    ("Limitation of Liability", ("bp:liability_exclusion", "cap_on_liability", "bp:liability_carveout")),
    ("Insurance", ("insurance", "bp:insurance_general")),
    ("Records and Audit", ("bp:audit_records", "audit_rights", "bp:audit_costs")),
    ("Restrictive Covenants", ("non_compete", "bp:non_solicit")),
    ("Assignment and Subcontracting", ("anti_assignment", "bp:assignment_subcontract")),
    ("Force Majeure", ("bp:force_majeure", "bp:force_majeure_end")),
    ("Governing Law and Disputes", ("governing_law", "bp:disputes")),
    ("Notices", ("bp:notices", "bp:notices_addresses")),
    ("General", ("bp:entire_agreement", "bp:variation", "bp:severability", "bp:waiver", "bp:relationship",
                 "bp:counterparts", "bp:third_parties", "bp:anti_bribery")),
)  # fmt: skip
_FACT_ONLY_SECTIONS = {"Insurance", "Records and Audit", "Restrictive Covenants"}
_NDA: tuple[Section, ...] = (
    ("Definitions", ("bp:def_affiliate", "bp:def_business_day", "bp:def_confidential", "bp:def_ip",
                     "bp:interpretation")),
    ("Purpose", ("bp:core_nda",)),
    ("Obligations of the Recipient", ("bp:nda_use", "confidentiality_period")),
    ("Exceptions", ("bp:nda_exceptions", "bp:nda_compelled")),
    ("Return of Information", ("bp:nda_return",)),
    ("No Licence and No Warranty", ("bp:nda_no_licence", "bp:warranty_general", "bp:warranty_exclusion")),
    ("Term and Termination", ("effective_date", "expiration_date", "termination_for_convenience",
                              "termination_for_breach", "bp:termination_effects")),
    ("Remedies", ("bp:nda_remedies", "bp:liability_exclusion", "bp:liability_carveout")),
    ("Assignment", ("anti_assignment",)),
    ("Non-Solicitation", ("bp:non_solicit",)),
    ("Governing Law and Disputes", ("governing_law", "bp:disputes")),
    ("Notices", ("bp:notices", "bp:notices_addresses")),
    ("General", ("bp:entire_agreement", "bp:variation", "bp:severability", "bp:waiver", "bp:relationship",
                 "bp:counterparts", "bp:third_parties", "bp:anti_bribery")),
)  # fmt: skip

_AMENDMENT_TEXT = {
    "definitions": "Capitalised terms used but not defined in this Amendment have the meanings given to "
    "them in the Agreement. The rules of interpretation set out in the Agreement apply to this Amendment.",
    "background": "The parties entered into the {title} No. {base_id} dated {agreement_date} (the "
    '"Agreement"). They now wish to amend the Agreement on the terms of this Amendment, as the Agreement '
    "permits by a written instrument signed by both parties.",
    "replace": 'With effect from {date} (the "Amendment Effective Date"), clause {clause} of the '
    'Agreement is deleted and replaced in its entirety by the following: "',
    "references": "From the Amendment Effective Date, every reference in the Agreement to the replaced "
    "clause shall be read as a reference to that clause as amended by this Amendment.",
    "effect": "Save as expressly amended by this Amendment, the Agreement remains unchanged and in full "
    "force and effect. The Agreement and this Amendment shall be read and construed as one instrument.",
    "no_waiver": "Nothing in this Amendment waives any breach of the Agreement that occurred before the "
    "Amendment Effective Date, and all rights accrued before that date are preserved.",
    "representations": "Each party confirms that it is not in breach of the Agreement and that the "
    "individual signing this Amendment on its behalf has been duly authorised to do so.",
    "costs": "Each party shall bear its own legal and other costs incurred in negotiating, preparing and "
    "signing this Amendment.",
    "confidential": "The terms of this Amendment are Confidential Information of both parties and shall "
    "be treated in accordance with the confidentiality provisions of the Agreement.",
    "law": "This Amendment is governed by the same law as the Agreement, and the dispute resolution "
    "provisions of the Agreement apply to any dispute arising out of or in connection with it.",
}


@dataclass(frozen=True)
class PlacedFact:
    """A fact written into a document: the value span and the span of the whole clause around it."""

    category: str
    value: Value
    start: int
    end: int
    clause_start: int
    clause_end: int
    clause: str
    phrasing: int


class _Writer:
    """Accumulates markdown text and tracks character offsets of the facts written into it."""

    def __init__(self, context: dict[str, str]) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.context = context
        self.facts: list[PlacedFact] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def fact(self, category: str, value: Value, phrasing: int, clause: str, lead: str = "") -> None:
        """Write ``lead`` then the category's sentence with ``value`` in its slot."""
        template = PHRASINGS[category][phrasing]
        before, after = template.split("{value}")
        before = before.format(**self.context)
        after = after.format(**self.context)
        self.add(lead)
        clause_start = self.length
        start = clause_start + len(before)
        end = start + len(value.surface)
        self.add(before + value.surface + after)
        self.facts.append(
            PlacedFact(category, value, start, end, clause_start, self.length, clause, phrasing)
        )

    def text(self) -> str:
        return "".join(self.parts)


def _boilerplate(key: str, variant: int, context: dict[str, str]) -> str:
    options = BOILERPLATE[key]
    return options[variant % len(options)].format(**context)


def _context(plan: ContractPlan) -> dict[str, str]:
    cp = plan.counterparty
    goods = plan.context["goods"]
    return {
        **plan.context,
        "goods_cap": goods.removeprefix("the "),
        "detail": plan.goods,
        "price_date": plan.price_date.surface,
        "company_address": COMPANY_ADDRESS,
        "cp_address": cp.address,
        "cp_signatory": cp.signatory,
        "cp_title": cp.signatory_title,
    }


def _sections(plan: ContractPlan) -> list[Section]:
    if plan.type.key == "nda":
        return list(_NDA)
    sections = [_DEFINITIONS, _CORE[plan.type.key]]
    for heading, items in _BODY:
        if heading in _FACT_ONLY_SECTIONS and not any(item in plan.values for item in items):
            continue
        sections.append((heading, items))
    return sections


def _signatures(writer: _Writer, plan: ContractPlan, date: str) -> None:
    cp = plan.counterparty
    name, title = COMPANY_SIGNATORY
    writer.add(
        f"## Signatures\n\nSigned for and on behalf of {COMPANY} by {name}, {title}, on {date}.\n\n"
        f"Signed for and on behalf of {cp.name} by {cp.signatory}, {cp.signatory_title}, on {date}.\n"
    )


def render_contract(plan: ContractPlan) -> tuple[str, list[PlacedFact]]:
    """The contract's markdown body and the facts placed in it (offsets into that body)."""
    context = _context(plan)
    writer = _Writer(context)
    values = plan.values
    writer.add(f"# {plan.type.title}\n\nAgreement No. {plan.id}\n\n")
    writer.fact("parties", values["parties"], plan.phrasing["parties"], "preamble")
    writer.fact("agreement_date", values["agreement_date"], plan.phrasing["agreement_date"], "preamble", " ")
    writer.add(
        f"\n\nWHEREAS {COMPANY_SHORT} is {COMPANY_PROFILE}; and WHEREAS the parties wish to record the "
        f"terms on which they will work together, NOW, THEREFORE, the parties agree as follows:\n\n"
    )
    for number, (heading, items) in enumerate(_sections(plan), start=1):
        writer.add(f"## {number}. {heading}\n\n")
        clause = 0
        for item in items:
            if item.startswith("bp:"):
                clause += 1
                writer.add(f"{number}.{clause} {_boilerplate(item[3:], plan.variant, context)}\n\n")
            elif item in values:
                clause += 1
                label = f"{number}.{clause}"
                writer.fact(item, values[item], plan.phrasing[item], label, f"{label} ")
                writer.add("\n\n")
    _signatures(writer, plan, plan.sign_date.surface)
    return writer.text(), writer.facts


def render_amendment(plan: ContractPlan, original: PlacedFact) -> tuple[str, list[PlacedFact]]:
    """The amendment document that replaces ``original`` (a fact of ``plan``) with the new value."""
    amendment = plan.amendment
    assert amendment is not None
    context = _context(plan)
    fill = {
        "title": plan.type.title,
        "base_id": plan.id,
        "agreement_date": plan.values["agreement_date"].surface,
        "date": amendment.date.surface,
        "clause": original.clause,
    }
    writer = _Writer(context)
    writer.add(f"# First Amendment to {plan.type.title} No. {plan.id}\n\nAmendment No. {amendment.id}\n\n")
    writer.add(
        f'This First Amendment (the "Amendment") is made on {amendment.date.surface} between {COMPANY} '
        f'("{COMPANY_SHORT}") and {plan.counterparty.name} (the "{plan.type.role}").\n\n'
    )
    text = _AMENDMENT_TEXT
    sections: list[tuple[str, list[str]]] = [
        ("Definitions and Interpretation", [text["definitions"], BOILERPLATE["def_affiliate"][0],
                                            BOILERPLATE["def_business_day"][0]]),
        ("Background", [text["background"].format(**fill)]),
        ("Amendment", ["@fact", text["references"]]),
        ("Effect of this Amendment", [text["effect"], text["no_waiver"]]),
        ("Representations", [text["representations"], BOILERPLATE["warranty_general"][0]]),
        ("Costs and Confidentiality", [text["costs"], text["confidential"]]),
        ("Notices", [_boilerplate("notices", 0, context), _boilerplate("notices_addresses", 0, context)]),
        ("General", [_boilerplate(key, plan.variant, context) for key in
                     ("severability", "waiver", "relationship", "counterparts", "third_parties",
                      "anti_bribery")]),
        ("Force Majeure", [_boilerplate("force_majeure", plan.variant, context)]),
        ("Governing Law", [text["law"]]),
    ]  # fmt: skip
    for number, (heading, paragraphs) in enumerate(sections, start=1):
        writer.add(f"## {number}. {heading}\n\n")
        for k, paragraph in enumerate(paragraphs, start=1):
            label = f"{number}.{k}"
            if paragraph == "@fact":
                lead = f"{label} " + text["replace"].format(**fill)
                writer.fact(amendment.category, amendment.value, amendment.phrasing, label, lead)
                writer.add('"\n\n')
            else:
                writer.add(f"{label} {paragraph}\n\n")
    _signatures(writer, plan, amendment.date.surface)
    return writer.text(), writer.facts
