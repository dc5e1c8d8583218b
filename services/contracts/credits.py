"""Credits staff give an account (POST /internal/v1/accounts/{n}/credits, billing's
issue_credit): the request the gateway validates and documents and the credit note billing
answers. The money is one ledger entry (kind ``credit``); the note says why."""
from marshmallow import Schema, fields, validate

from services.contracts import validators
from services.contracts.formats import DATE, DATE_TIME

MAX_CREDIT_CENTS = 10_000_000  # $100,000: more is a typo, or a matter for a refund
REASON_CHARS = 100  # the ledger line reads "Credit: <reason>" in its 120 characters
INVOICE_FORM = "[0-9]{6,24}"


class CreditRequest(Schema):
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(1, MAX_CREDIT_CENTS), metadata={
                                      "description": "what the account is credited, 1 to "
                                                     f"{MAX_CREDIT_CENTS:,} cents"})
    reason = fields.String(required=True, validate=validators.text(1, REASON_CHARS), metadata={
        "description": "why, as the customer reads it on the activity and the statement"})
    invoice_number = fields.String(load_default=None, allow_none=True, validate=validators.Pattern(
        validators.whole(INVOICE_FORM), error="Not an invoice number."), metadata={
        "description": "the statement the credit is against: one of this account's"})


class CreditNote(Schema):
    credit_id = fields.String(required=True)
    account_number = fields.String(required=True)
    amount_cents = fields.Integer(required=True, metadata={"description": "credited (positive)"})
    currency = fields.String(required=True)
    reason = fields.String(required=True)
    invoice_number = fields.String(allow_none=True)
    dispute_id = fields.String(allow_none=True, metadata={
        "description": "the dispute this credit resolved, when it did"})
    entry_date = fields.String(required=True, metadata=DATE)
    issued_at = fields.String(required=True, metadata=DATE_TIME)
    balance_cents = fields.Integer(required=True, metadata={
        "description": "the account's ledger balance right after it; negative = credit"})
