"""A tiny hand-written portfolio for the knowledge-graph tests: three contracts and one amendment."""

from __future__ import annotations

from domainllm.corpus.documents import Document

OWNER = "Kestrel Fluidics, Inc."


def contract_text(doc_id: str, title: str, counterparty: str, law: str, pay: str, cap: str) -> str:
    """A contract body in the corpus's layout, with the clauses the tests read."""
    return f"""# {title}

Agreement No. {doc_id}

This Agreement is entered into by {OWNER} ("Kestrel") and {counterparty} (the "Supplier"). Dated as of 2 October 2021.

## 3. Prices and Payment

3.1 Prices are set out in Schedule 1 and are exclusive of value added tax and similar taxes.

3.2 Invoices are payable {pay} after receipt, in the currency stated in the invoice.

## 8. Confidentiality

8.2 The obligations in this Section survive for three (3) years after termination or expiry of this Agreement.

## 9. Limitation of Liability

9.2 Each party's aggregate liability arising out of this Agreement is limited to {cap}.

## 14. Governing Law

14.1 The laws of the State of {law} govern this Agreement and any non-contractual obligation arising out of it.

## Signatures

Signed for and on behalf of {OWNER} by Dana Whitcombe on the 30th day of September, 2021.
"""


AMENDMENT_TEXT = """# First Amendment to Supply Agreement No. SUP-00001

Amendment No. SUP-00001-A1

This First Amendment is made on June 3, 2022 between Kestrel Fluidics, Inc. ("Kestrel") and Halberd Logistics GmbH (the "Supplier").

## 3. Amendment

3.1 With effect from June 3, 2022 (the "Amendment Effective Date"), clause 8.2 of the Agreement is deleted and replaced in its entirety by the following: "The obligations in this Section survive for seven (7) years after termination or expiry of this Agreement."

## 10. Governing Law

10.1 This Amendment is governed by the same law as the Agreement.
"""


def document(doc_id: str, text: str, doc_type: str = "supply") -> Document:
    return Document(doc_id, doc_id, doc_type, (OWNER,), "2021-10-03", text)


def portfolio() -> list[Document]:
    """SUP-00001 (Halberd, Ohio, 90 days, US$1,000,000) with an amendment, SUP-00002 (Halberd, Texas,
    30 days, USD 2,000,000) and DIS-00003 (Corvane Motors AB, Ohio, sixty (60) days, US$5,000,000)."""
    return [
        document(
            "SUP-00001",
            contract_text(
                "SUP-00001",
                "Supply Agreement",
                "Halberd Logistics GmbH",
                "Ohio",
                "ninety days",
                "US$1,000,000",
            ),
        ),
        document("SUP-00001-A1", AMENDMENT_TEXT, "amendment"),
        document(
            "SUP-00002",
            contract_text(
                "SUP-00002", "Supply Agreement", "Halberd Logistics GmbH", "Texas", "30 days", "USD 2,000,000"
            ),
        ),
        document(
            "DIS-00003",
            contract_text(
                "DIS-00003",
                "Distribution Agreement",
                "Corvane Motors AB",
                "Ohio",
                "sixty (60) days",
                "US$5,000,000",
            ),
            "distribution",
        ),
    ]
