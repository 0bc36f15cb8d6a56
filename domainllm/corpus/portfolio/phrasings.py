"""Data card: how each clause category is worded: at least three phrasings per category.

A phrasing is a sentence template with exactly one ``{value}`` slot (where the fact's written
form goes) and named context slots: ``{cs}`` (Kestrel's short name), ``{cp}``/``{cps}`` (the
counterparty's full and short name), ``{role}``/``{crole}`` (the counterparty's and Kestrel's
role words), ``{goods}``, ``{role_noun}``, ``{share_noun}``, ``{share_base}``, ``{payer}``,
``{payee}`` and ``{law_prefix}``.
"""

from __future__ import annotations

PHRASINGS: dict[str, tuple[str, ...]] = {
    "parties": (
        'This Agreement is entered into by {company} ("{cs}") and {value} (the "{role}").',
        'The parties to this Agreement are {company} ("{cs}"), on the one hand, and {value} '
        '(the "{role}"), on the other hand.',
        'BETWEEN {company}, a Delaware corporation ("{cs}"), AND {value}, a company organised under '
        'the laws of {home} (the "{role}").',
    ),
    "agreement_date": (
        "This Agreement is made and signed on {value}.",
        "Dated as of {value}.",
        "The parties have executed this Agreement on {value}, the date written at the head of this page.",
    ),
    "effective_date": (
        'This Agreement shall take effect on {value} (the "Effective Date").',
        "The obligations of the parties commence on {value}, which is the Effective Date.",
        "Notwithstanding the date of signature, the Effective Date of this Agreement is {value}.",
    ),
    "expiration_date": (
        "Unless terminated earlier, the Initial Term shall run from the Effective Date until {value}.",
        "This Agreement shall expire on {value}, subject to any renewal under this Section.",
        "The Initial Term ends at midnight on {value} unless this Agreement is renewed or terminated sooner.",
    ),
    "renewal_term": (
        "Thereafter this Agreement renews automatically for successive renewal terms of {value} each.",
        "On expiry of the Initial Term, this Agreement shall be extended by further periods of {value} "
        "unless either party gives notice of non-renewal.",
        "Each renewal term shall last {value}, and the terms of this Agreement shall continue to apply "
        "during every renewal term.",
    ),
    "notice_period_to_terminate_renewal": (
        "Either party may prevent a renewal by written notice given at least {value} before the end of "
        "the then-current term.",
        "A notice of non-renewal is effective only if received no later than {value} prior to the "
        "expiry of the Initial Term or any renewal term.",
        "The {role} or {cs} may elect not to renew by notifying the other party {value} or more in "
        "advance of the scheduled expiry date.",
    ),
    "governing_law": (
        "This Agreement is governed by and shall be construed in accordance with the laws of "
        "{law_prefix}{value}, without regard to its conflict of laws rules.",
        "The laws of {law_prefix}{value} govern this Agreement and any non-contractual obligation "
        "arising out of it.",
        "All questions concerning the validity, interpretation and performance of this Agreement shall "
        "be determined under the law of {law_prefix}{value}.",
    ),
    "termination_for_convenience": (
        "{cs} may terminate this Agreement for convenience at any time by giving the {role} {value} "
        "prior written notice.",
        "Either party may end this Agreement without cause on not less than {value} written notice to "
        "the other party.",
        "Without prejudice to its other rights, {cs} may terminate this Agreement for any reason or no "
        "reason upon {value} notice in writing.",
    ),
    "termination_for_breach": (
        "Either party may terminate this Agreement if the other party commits a material breach and "
        "fails to remedy it within {value} after receiving written notice of the breach.",
        "If a party is in material breach, the other party may give notice requiring the breach to be "
        "cured; if it is not cured within {value}, the notifying party may terminate with immediate "
        "effect.",
        "A material breach that remains uncured {value} after written notice entitles the "
        "non-breaching party to terminate this Agreement.",
    ),
    "exclusivity": (
        "{cs} appoints the {role} as its exclusive {role_noun} for {goods} in {value}, and shall not "
        "appoint any other {role_noun} there during the Term.",
        "During the Term the {role} shall be the sole and exclusive {role_noun} of {cs} for {goods} "
        "within the Territory, namely {value}.",
        "The Territory is {value}; within the Territory, {cs} grants the {role} exclusive rights as "
        "{role_noun} for {goods}.",
    ),
    "non_compete": (
        "During the Term and for {value} thereafter, the {role} shall not manufacture, market or sell "
        "any product that competes with {goods}.",
        "The {role} undertakes that it will not engage in any business competing with {cs} in respect "
        "of {goods} while this Agreement is in force and for a period of {value} after it ends.",
        "For {value} following termination or expiry, the {role} shall refrain from acting for any "
        "competitor of {cs} in relation to {goods}.",
    ),
    "minimum_commitment": (
        "In each Contract Year the {payer} shall purchase {goods} with an aggregate value of not less "
        "than {value}.",
        "The minimum annual purchase commitment is {value}, measured at invoiced prices for each "
        "Contract Year.",
        "If purchases in any Contract Year fall below {value}, the {payer} shall pay the shortfall to "
        "the other party within the payment period.",
    ),
    "cap_on_liability": (
        "The total liability of either party under or in connection with this Agreement shall not "
        "exceed {value} in the aggregate.",
        "Each party's aggregate liability arising out of this Agreement, whether in contract, tort or "
        "otherwise, is limited to {value}.",
        "In no event shall either party be liable to the other for more than {value} in total, save for "
        "liability that cannot be limited by law.",
    ),
    "audit_rights": (
        "{cs} may, on {value} written notice, audit the books and records of the {role} relating to "
        "this Agreement once in any calendar year.",
        "Upon at least {value} prior notice, the {role} shall give {cs}'s auditors access to its "
        "premises and records to verify compliance with this Agreement.",
        "{cs} shall have the right to inspect the relevant records of the {role}, provided that it gives "
        "{value} advance notice of each inspection.",
    ),
    "insurance": (
        "The {role} shall maintain product and general liability insurance with a limit of not less "
        "than {value} per occurrence.",
        "Throughout the Term the {role} shall keep in force insurance cover of at least {value} with a "
        "reputable insurer and shall produce the certificate on request.",
        "The {role} shall insure its liabilities under this Agreement for a minimum sum of {value} for "
        "any one claim.",
    ),
    "ip_ownership_assignment": (
        "All intellectual property rights in any Work Product or Improvement shall vest in and be "
        "owned by {value}.",
        "Each party hereby assigns to {value} all right, title and interest in the Developed IP, and "
        "the other party shall sign any document needed to perfect that assignment.",
        "Ownership of all Improvements, inventions and deliverables created under this Agreement "
        "belongs exclusively to {value}.",
    ),
    "license_grant": (
        "The {role} grants {cs} a non-exclusive, non-transferable licence to use the Licensed "
        "Technology solely in the field of {value}.",
        "Subject to this Agreement, {cs} may practise the Licensed Technology within the Field of Use, "
        "which is limited to {value}.",
        "The licence granted under this Section is restricted to products intended for {value} and "
        "confers no rights outside that field.",
    ),
    "anti_assignment": (
        "Neither party may assign this Agreement without the other party's consent, except to an "
        "Affiliate upon {value} prior written notice.",
        "A party may transfer its rights under this Agreement to an Affiliate by giving {value} notice; "
        "any other assignment requires the prior written consent of the other party.",
        "Save for an assignment to an Affiliate notified {value} in advance, any purported assignment "
        "without consent shall be void.",
    ),
    "change_of_control": (
        "If any person acquires more than {value} of the voting shares of the {role}, {cs} may "
        "terminate this Agreement on written notice.",
        "A Change of Control occurs when a third party obtains control of {value} or more of the "
        "voting rights in a party, and entitles the other party to terminate.",
        "The {role} shall notify {cs} of any transaction by which a person comes to hold over {value} "
        "of its share capital, and {cs} may then end this Agreement.",
    ),
    "warranty_duration": (
        "The {role} warrants that {goods} will be free from defects in design, materials and "
        "workmanship for {value} from delivery.",
        "The warranty period is {value} from the date of acceptance.",
        "Any defect notified within {value} after delivery shall be remedied by the {role} free of charge.",
    ),
    "payment_terms": (
        "The {payer} shall pay each undisputed invoice within {value} of the invoice date.",
        "Invoices are payable {value} after receipt, in the currency stated in the invoice.",
        "Payment shall be made by bank transfer no later than {value} from the date of a correct invoice.",
    ),
    "confidentiality_period": (
        "The obligations in this Section survive for {value} after termination or expiry of this Agreement.",
        "Each party shall keep the other party's Confidential Information secret for a period of "
        "{value} from the date of disclosure.",
        "The duty of confidentiality shall continue for {value} following the end of this Agreement.",
    ),
    "revenue_profit_sharing": (
        "The {payer} shall pay the {payee} a {share_noun} of {value} of {share_base}.",
        "In consideration of the rights granted, the {payee} is entitled to {value} of {share_base} "
        "as its {share_noun}.",
        "The {share_noun} payable to the {payee} is fixed at {value} of {share_base}, calculated quarterly.",
    ),
}
