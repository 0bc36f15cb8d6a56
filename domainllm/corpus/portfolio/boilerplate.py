"""Data card: clauses shared by many contracts: definitions, notices, force majeure and other standard terms.

Each entry holds one or two variants; a contract picks a variant, so the same wording appears
in many documents (as it does in a real company's template-driven portfolio).
"""

from __future__ import annotations

BOILERPLATE: dict[str, tuple[str, ...]] = {
    "def_affiliate": (
        '"Affiliate" means any entity that directly or indirectly controls, is controlled by, or is under '
        "common control with a party, for so long as that control exists.",
    ),
    "def_business_day": (
        '"Business Day" means a day other than a Saturday, Sunday or public holiday on which banks are '
        "open for general business in the place where the relevant obligation is to be performed.",
    ),
    "def_confidential": (
        '"Confidential Information" means all technical, commercial and financial information disclosed '
        "by one party to the other, in any form, that is marked as confidential or would reasonably be "
        "understood to be confidential.",
    ),
    "def_contract_year": (
        '"Contract Year" means each period of twelve consecutive months beginning on the Effective Date '
        "or on an anniversary of it.",
    ),
    "def_goods": (
        '"{goods_cap}" means the {detail} described in Schedule 1, as updated by the parties in writing '
        "from time to time.",
    ),
    "def_ip": (
        '"Intellectual Property Rights" means patents, utility models, rights in designs, copyright, '
        "database rights, trade marks, know-how and all similar rights anywhere in the world, whether "
        "registered or not.",
    ),
    "def_term": (
        '"Term" means the Initial Term together with every renewal term, and "Initial Term" has the '
        "meaning given in the Section headed Term and Renewal.",
    ),
    "interpretation": (
        "Headings are for convenience only and do not affect interpretation. Words in the singular "
        'include the plural and the other way round, and the word "including" means including without '
        "limitation.",
        "In this Agreement, a reference to a statute includes that statute as amended or re-enacted, a "
        'reference to a person includes a company, and the words "include" and "including" are '
        "illustrative only.",
    ),
    "core_supply": (
        "The Supplier shall manufacture and supply {detail} to the Buyer in accordance with the "
        "Specifications and the purchase orders issued by the Buyer under this Agreement. Each purchase "
        "order forms a separate contract incorporating these terms.",
    ),
    "core_delivery": (
        "Delivery shall be made FCA the Supplier's facility (Incoterms 2020) unless a purchase order "
        "states otherwise. Title and risk pass to the Buyer on delivery. The Supplier shall pack "
        "{goods} so that they reach their destination in good condition.",
    ),
    "core_forecast": (
        "The Buyer shall give the Supplier a rolling non-binding forecast of its requirements for the "
        "following six months, updated on the first Business Day of each month.",
    ),
    "core_distribution": (
        "The Distributor shall use its best efforts to promote and sell {goods} ({detail}) to customers "
        "in the Territory, shall maintain adequate stock, and shall employ trained staff able to give "
        "technical advice to customers.",
    ),
    "core_marketing": (
        "The Distributor shall submit a marketing plan for each Contract Year and shall report its sales, "
        "stock levels and customer complaints to {cs} every quarter.",
    ),
    "core_licence": (
        "The Licensed Technology comprises the patents, know-how and software listed in Schedule 1, "
        "which relate to {detail}. The Licensor shall deliver the know-how within thirty days after the "
        "Effective Date.",
    ),
    "core_licence_reserved": (
        "All rights not expressly granted are reserved to the Licensor. The Licensee may not grant "
        "sublicences except to its Affiliates with the prior written approval of the Licensor.",
    ),
    "core_alliance": (
        "The parties shall cooperate to develop, market and service integrated solutions combining {cs}'s "
        "{detail} with the Partner's products and know-how, as further described in the Alliance Plan.",
    ),
    "core_steering": (
        "A steering committee of two representatives from each party shall meet at least once each "
        "quarter to review progress, approve budgets and resolve operational issues by consensus.",
    ),
    "core_agency": (
        "The Agent shall solicit orders for {goods} ({detail}) from customers in the Territory and shall "
        "transmit them to {cs}, which may accept or refuse any order at its discretion. The Agent has no "
        "authority to bind {cs}.",
    ),
    "core_services": (
        "The Service Provider shall perform {detail} as described in each Statement of Work, with the "
        "skill and care of a competent provider of similar services, and shall meet the service levels "
        "set out in Schedule 2.",
    ),
    "core_personnel": (
        "The Service Provider shall assign suitably qualified personnel, shall replace any individual "
        "that {cs} reasonably objects to, and shall comply with {cs}'s site safety rules when on its "
        "premises.",
    ),
    "core_nda": (
        "The parties wish to exchange Confidential Information to evaluate a possible business "
        'relationship concerning {detail} (the "Purpose"). Each party may act as discloser and as '
        "recipient.",
    ),
    "nda_use": (
        "The recipient shall use Confidential Information only for the Purpose, shall protect it with at "
        "least the degree of care it uses for its own confidential information, and shall disclose it "
        "only to employees and advisers who need to know it and are bound by equivalent obligations.",
    ),
    "nda_exceptions": (
        "These obligations do not apply to information that is or becomes public through no fault of "
        "the recipient, was lawfully known to the recipient before disclosure, is received from a third "
        "party without restriction, or is independently developed.",
    ),
    "nda_compelled": (
        "If the recipient is required by law or by a court to disclose Confidential Information, it shall, "
        "where lawful, notify the discloser promptly and disclose only the portion legally required.",
    ),
    "nda_return": (
        "On request, and in any case when the discussions end, the recipient shall return or destroy all "
        "documents containing Confidential Information and shall confirm in writing that it has done so, "
        "except for copies kept in automatic backups.",
    ),
    "nda_no_licence": (
        "No licence under any Intellectual Property Rights is granted by this Agreement, and neither "
        "party is obliged to enter into any further agreement. All information is provided as is.",
    ),
    "nda_remedies": (
        "Each party acknowledges that damages alone may not be an adequate remedy for a breach of this "
        "Agreement and that the discloser is entitled to seek injunctive relief without proof of special "
        "damage.",
    ),
    "prices": (
        "Prices are set out in Schedule 1 and are exclusive of value added tax and similar taxes, which "
        "shall be added at the applicable rate. The prices in Schedule 1 are fixed until {price_date}, "
        "after which either party may propose an adjustment.",
    ),
    "late_payment": (
        "Late payments bear interest at four percent per year above the base rate of the central bank "
        "of the invoicing party's country, accruing daily from the due date until payment.",
    ),
    "termination_effects": (
        "Termination or expiry does not affect rights and remedies accrued before it. Sections that by "
        "their nature should survive termination, including those on confidentiality, liability and "
        "governing law, shall continue in force.",
        "On termination each party shall return the other party's property and Confidential Information, "
        "and all unpaid invoices shall become immediately due. Accrued rights remain unaffected.",
    ),
    "warranty_general": (
        "Each party warrants that it has full power and authority to enter into this Agreement and that "
        "doing so will not breach any obligation it owes to a third party.",
    ),
    "warranty_exclusion": (
        "Except as expressly stated in this Agreement, all warranties, conditions and other terms implied "
        "by statute or common law are excluded to the fullest extent permitted by law.",
    ),
    "ip_background": (
        "Each party retains all Intellectual Property Rights it owned before the Effective Date or "
        "develops independently of this Agreement (its Background IP). Nothing in this Agreement "
        "transfers any Background IP.",
    ),
    "ip_trademarks": (
        "The {role} may use {cs}'s trade marks only to identify {goods} and only in the form approved by "
        "{cs}. All goodwill arising from that use accrues to {cs}.",
    ),
    "confidential_general": (
        "Each party shall keep confidential all Confidential Information of the other party, shall use "
        "it only to perform this Agreement, and shall disclose it only to those of its employees, "
        "Affiliates and advisers who need to know it.",
    ),
    "liability_exclusion": (
        "Neither party shall be liable for any loss of profit, loss of revenue, loss of goodwill or any "
        "indirect or consequential loss, however arising, even if it was advised of the possibility of "
        "such loss.",
    ),
    "liability_carveout": (
        "Nothing in this Agreement limits liability for death or personal injury caused by negligence, "
        "for fraud, or for any other liability that cannot be limited or excluded by law.",
    ),
    "insurance_general": (
        "Each policy shall name {cs} as an additional insured where the insurer permits, and the insured "
        "party shall give {cs} at least thirty days' notice of any cancellation or material change.",
    ),
    "audit_records": (
        "The {role} shall keep complete and accurate records relating to this Agreement for at least six "
        "years after the Contract Year to which they relate.",
    ),
    "audit_costs": (
        "Audits are at {cs}'s expense unless they reveal an underpayment or overcharge of more than five "
        "percent, in which case the {role} shall reimburse the reasonable cost of the audit.",
    ),
    "non_solicit": (
        "Neither party shall solicit for employment any employee of the other party who was involved in "
        "this Agreement, other than through a general advertisement not targeted at those employees.",
    ),
    "assignment_subcontract": (
        "The {role} may subcontract its obligations only with {cs}'s prior written approval and remains "
        "responsible for the acts and omissions of its subcontractors.",
    ),
    "force_majeure": (
        "Neither party is liable for any delay or failure to perform caused by events beyond its "
        "reasonable control, including fire, flood, epidemic, war, terrorism, strikes not limited to its "
        "own workforce and acts of government. The affected party shall notify the other party promptly "
        "and use reasonable efforts to mitigate the effect of the event.",
        "A party prevented from performing by a Force Majeure Event is excused for as long as the event "
        "lasts, provided that it informs the other party without delay and resumes performance as soon "
        "as practicable. A Force Majeure Event means an event beyond the reasonable control of the "
        "affected party, such as natural disaster, war, riot, pandemic or governmental action.",
    ),
    "force_majeure_end": (
        "If a Force Majeure Event continues for more than three consecutive months, either party may "
        "terminate this Agreement by written notice to the other party.",
    ),
    "disputes": (
        "The parties shall first attempt to settle any dispute through negotiation between senior "
        "executives. If the dispute is not settled within thirty days, it shall be referred to the courts "
        "having jurisdiction under the governing law, to whose exclusive jurisdiction both parties submit.",
        "Any dispute arising out of or in connection with this Agreement shall be finally resolved by "
        "arbitration before a sole arbitrator under the rules of the International Chamber of Commerce. "
        "The seat of arbitration shall be the capital of the governing law jurisdiction and the language "
        "shall be English.",
    ),
    "notices": (
        "Notices under this Agreement must be in writing and delivered by hand, by courier or by email "
        "with confirmation of receipt to the addresses below, or to any other address that a party "
        "notifies to the other. A notice is deemed received on delivery, or if delivered outside business "
        "hours, at nine in the morning on the next Business Day.",
    ),
    "notices_addresses": (
        "For {cs}: {company_address}, attention: General Counsel. For the {role}: {cp_address}, "
        "attention: {cp_signatory}, {cp_title}.",
    ),
    "entire_agreement": (
        "This Agreement, together with its Schedules, constitutes the entire agreement between the "
        "parties concerning its subject matter and supersedes all earlier proposals, negotiations and "
        "understandings, whether written or oral.",
    ),
    "variation": (
        "No variation of this Agreement is effective unless it is in writing, refers to this Agreement "
        "and is signed by authorised representatives of both parties.",
    ),
    "severability": (
        "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions "
        "shall remain in full force, and the parties shall replace the affected provision with a valid "
        "one that comes as close as possible to its commercial purpose.",
    ),
    "waiver": (
        "A failure or delay in exercising any right does not waive that right, and a single or partial "
        "exercise of a right does not prevent its further exercise.",
    ),
    "relationship": (
        "The parties are independent contractors. Nothing in this Agreement creates a partnership, joint "
        "venture or employment relationship, and neither party may bind the other.",
    ),
    "counterparts": (
        "This Agreement may be signed in any number of counterparts, each of which is an original and "
        "which together form one instrument. Electronic signatures are as valid as handwritten ones.",
    ),
    "third_parties": (
        "A person who is not a party to this Agreement has no right to enforce any of its terms.",
    ),
    "anti_bribery": (
        "Each party shall comply with all applicable anti-bribery, anti-corruption, sanctions and export "
        "control laws and shall promptly report to the other party any request for an improper payment.",
    ),
}
