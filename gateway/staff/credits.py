"""Staff: crediting an account (a ledger entry of kind credit, with its reason)."""
from flask import request

from gateway.actors import origin
from gateway.clients import billing
from gateway.staff import bp
from services.contracts.credits import CreditNote, CreditRequest

IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": True,
                   "schema": {"type": "string", "maxLength": 255},
                   "description": "A unique key per credit (a UUID). The same key with the "
                                  "same body returns the first credit; with another body, 409."}


@bp.post("/accounts/<account_number>/credits")
@bp.arguments(CreditRequest)
@bp.response(201, CreditNote)
@bp.alt_response(400, description="Invalid fields (an amount outside 1 to 10,000,000 cents, "
                                  "no reason), or no Idempotency-Key")
@bp.alt_response(404, description="Unknown account")
@bp.alt_response(409, description="Idempotency-Key reused with another body")
@bp.alt_response(422, description="The invoice number is not one of this account's statements")
@bp.doc(operationId="issueCredit", parameters=[IDEMPOTENCY_KEY])
def issue_credit(_validated, account_number):
    """Credit an account

    Credit the account ``amount_cents`` for ``reason`` (optionally against one of its
    statements, ``invoice_number``): one ledger entry of kind ``credit``, shown with its
    reason in the account's activity and under Adjustments on its next statement. Retrying
    with the same Idempotency-Key and body credits nothing more and answers the first credit
    note. Emits ``billing.credit_issued``."""
    return billing.issue_credit(account_number, request.get_json(),
                                request.headers.get("Idempotency-Key"), origin())
