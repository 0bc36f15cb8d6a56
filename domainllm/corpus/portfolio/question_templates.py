"""Data card: question wordings per clause category: family A (train and fresh) and family B (paraphrase only).

Slots: ``{ref}`` names the contract with its counterparty, ``{bare}`` without it (for questions
whose answer is the counterparty), ``{role}`` and ``{share_noun}`` come from the contract type.
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "parties": (
        ("Who is Kestrel's counterparty in {bare}?", "Which company signed {bare} with Kestrel?"),
        ("Name the other party to {bare}.", "Besides Kestrel, which company is bound by {bare}?"),
    ),
    "agreement_date": (
        ("What is the agreement date of {ref}?", "On which date was {ref} made?"),
        ("Which date does {ref} bear as its date of signature?", "When was {ref} entered into?"),
    ),
    "effective_date": (
        ("What is the effective date of {ref}?", "When does {ref} take effect?"),
        ("From which date is {ref} effective?", "On what day do the obligations under {ref} begin?"),
    ),
    "expiration_date": (
        ("When does the initial term of {ref} expire?", "What is the expiration date of {ref}?"),
        (
            "On what date does {ref} end unless renewed?",
            "Until which date does the initial term of {ref} run?",
        ),
    ),
    "renewal_term": (
        ("How long is each renewal term of {ref}?", "For what period does {ref} renew automatically?"),
        (
            "What is the length of a renewal period under {ref}?",
            "By how long is {ref} extended at each renewal?",
        ),
    ),
    "notice_period_to_terminate_renewal": (
        (
            "How much notice is needed to stop {ref} from renewing?",
            "What is the non-renewal notice period in {ref}?",
        ),
        (
            "How far in advance must a party give notice of non-renewal under {ref}?",
            "What notice prevents the automatic renewal of {ref}?",
        ),
    ),
    "governing_law": (
        ("Which law governs {ref}?", "What is the governing law of {ref}?"),
        ("Under whose law is {ref} to be interpreted?", "The law of which jurisdiction applies to {ref}?"),
    ),
    "termination_for_convenience": (
        (
            "How much notice is required to terminate {ref} for convenience?",
            "What is the notice period for termination without cause in {ref}?",
        ),
        (
            "If a party wants to end {ref} without any breach, how much notice must it give?",
            "What advance warning is needed to cancel {ref} for no reason?",
        ),
    ),
    "termination_for_breach": (
        (
            "What is the cure period for a material breach under {ref}?",
            "How long does a party have to remedy a breach of {ref}?",
        ),
        (
            "After notice of a material breach of {ref}, how much time is allowed to fix it?",
            "Within what time must a breach of {ref} be put right before the other side may terminate?",
        ),
    ),
    "exclusivity": (
        (
            "In which territory is the {role} exclusive under {ref}?",
            "What is the exclusive territory in {ref}?",
        ),
        (
            "Where does the {role} hold exclusive rights under {ref}?",
            "Which region does the exclusivity in {ref} cover?",
        ),
    ),
    "non_compete": (
        (
            "How long does the non-compete in {ref} last after the agreement ends?",
            "What is the post-termination non-compete period of {ref}?",
        ),
        (
            "For how long after termination is the {role} barred from competing under {ref}?",
            "How long does the restrictive covenant run once {ref} has ended?",
        ),
    ),
    "minimum_commitment": (
        (
            "What is the minimum annual purchase commitment in {ref}?",
            "What minimum purchase value per contract year does {ref} require?",
        ),
        (
            "How much must be bought each contract year under {ref}?",
            "What is the yearly purchase floor set by {ref}?",
        ),
    ),
    "cap_on_liability": (
        ("What is the cap on liability in {ref}?", "What is the maximum aggregate liability under {ref}?"),
        (
            "Up to what amount can a party be liable under {ref}?",
            "To how much is total liability limited in {ref}?",
        ),
    ),
    "audit_rights": (
        (
            "How much notice must Kestrel give before an audit under {ref}?",
            "What is the audit notice period in {ref}?",
        ),
        (
            "How far in advance must an inspection of records be announced under {ref}?",
            "With how much warning can Kestrel examine the {role}'s books under {ref}?",
        ),
    ),
    "insurance": (
        (
            "What minimum insurance cover is required by {ref}?",
            "How much insurance must the {role} carry under {ref}?",
        ),
        (
            "What is the required insurance limit in {ref}?",
            "Which amount of liability cover does {ref} demand?",
        ),
    ),
    "ip_ownership_assignment": (
        (
            "Who owns the intellectual property created under {ref}?",
            "Which party owns improvements and work product under {ref}?",
        ),
        (
            "To whom do new inventions made under {ref} belong?",
            "Who holds title to the developed IP in {ref}?",
        ),
    ),
    "license_grant": (
        (
            "In which field of use may Kestrel use the licensed technology under {ref}?",
            "What is the licensed field of use in {ref}?",
        ),
        (
            "To what field is the licence in {ref} limited?",
            "For which application area is the licence under {ref} granted?",
        ),
    ),
    "anti_assignment": (
        (
            "How much notice is needed to assign {ref} to an affiliate?",
            "What notice period applies to an assignment to an affiliate under {ref}?",
        ),
        (
            "How far in advance must a party announce a transfer of {ref} to an affiliate?",
            "Before moving {ref} to a group company, how much notice is required?",
        ),
    ),
    "change_of_control": (
        (
            "What shareholding threshold triggers the change of control clause in {ref}?",
            "Above what percentage of voting shares does a change of control occur under {ref}?",
        ),
        (
            "What stake must an acquirer reach to trigger the termination right in {ref}?",
            "How large a shareholding counts as a change of control in {ref}?",
        ),
    ),
    "warranty_duration": (
        ("How long is the warranty period in {ref}?", "For how long are defects covered under {ref}?"),
        (
            "What warranty duration does {ref} provide?",
            "Within what period after delivery can defects be claimed under {ref}?",
        ),
    ),
    "payment_terms": (
        ("Within how many days must invoices be paid under {ref}?", "What are the payment terms of {ref}?"),
        (
            "How long after invoicing is payment due under {ref}?",
            "What credit period does {ref} allow for paying an invoice?",
        ),
    ),
    "confidentiality_period": (
        (
            "How long do the confidentiality obligations of {ref} last?",
            "What is the confidentiality period in {ref}?",
        ),
        (
            "For how long must information be kept secret under {ref}?",
            "How long does the duty of confidentiality under {ref} continue?",
        ),
    ),
    "revenue_profit_sharing": (
        ("What {share_noun} rate is payable under {ref}?", "What percentage is the {share_noun} in {ref}?"),
        (
            "How large is the {share_noun} under {ref}, as a percentage?",
            "At what rate is the {share_noun} set in {ref}?",
        ),
    ),
}

NOUNS: dict[str, str] = {
    "parties": "counterparty",
    "agreement_date": "agreement date",
    "effective_date": "effective date",
    "expiration_date": "expiration date",
    "renewal_term": "renewal term",
    "notice_period_to_terminate_renewal": "non-renewal notice period",
    "governing_law": "governing law",
    "termination_for_convenience": "notice period for termination for convenience",
    "termination_for_breach": "cure period for breach",
    "exclusivity": "exclusive territory",
    "non_compete": "non-compete period",
    "minimum_commitment": "minimum annual commitment",
    "cap_on_liability": "liability cap",
    "audit_rights": "audit notice period",
    "insurance": "required insurance cover",
    "ip_ownership_assignment": "owner of developed IP",
    "license_grant": "licensed field of use",
    "anti_assignment": "notice period for assignment to an affiliate",
    "change_of_control": "change of control threshold",
    "warranty_duration": "warranty period",
    "payment_terms": "payment period",
    "confidentiality_period": "confidentiality period",
    "revenue_profit_sharing": "revenue share rate",
}
"""Short noun phrases for each category (used in summaries and multi-document questions)."""

COMPARISONS: dict[str, str] = {
    "payment_terms": "the longer payment period",
    "termination_for_convenience": "the longer notice period for termination for convenience",
    "notice_period_to_terminate_renewal": "the longer non-renewal notice period",
    "confidentiality_period": "the longer confidentiality period",
    "warranty_duration": "the longer warranty period",
    "cap_on_liability": "the higher cap on liability",
    "minimum_commitment": "the higher minimum annual commitment",
    "insurance": "the higher required insurance cover",
}
"""Categories whose values can be ordered, with the wording of a comparison question."""
