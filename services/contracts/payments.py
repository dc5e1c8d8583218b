"""Payload schemas of the payments service's RPCs, shared with the gateway's API docs.

Shape checks only (digits, ranges, required fields); the rules that need a library or today's
date (Luhn, ABA checksum, expiry in the future, how far ahead a payment may be scheduled) live
in services/payments/methods.py and lifecycle.py, the one place each.
"""
from marshmallow import Schema, fields, validate

from services.contracts import validators
from services.contracts.formats import DATE, DATE_TIME, Day, Timestamp

MAX_AMOUNT_CENTS = 10_000_000  # $100,000.00: above this a business pays by wire, not online
DIGITS = r"^[0-9 -]+$"


class CardRequest(Schema):
    type = fields.String(required=True, validate=validate.Equal("card"))
    card_number = fields.String(required=True, validate=[
        validate.Length(12, 23),
        validators.Pattern(DIGITS, error="A card number is digits only.")],
        metadata={"description": "Sent to the processor only; never stored or echoed."})
    exp_month = fields.Integer(required=True, validate=validate.Range(1, 12))
    exp_year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    cvc = fields.String(required=True, validate=validators.Pattern(
        r"^[0-9]{3,4}$", error="A CVC is 3 or 4 digits."))
    name = fields.String(required=True, validate=validators.text(1, 100))
    postal_code = fields.String(required=True, validate=validators.Pattern(
        r"^[0-9]{5}(-[0-9]{4})?$", error="A ZIP code is 5 digits (or ZIP+4)."))


class BankAccountRequest(Schema):
    type = fields.String(required=True, validate=validate.Equal("bank_account"))
    routing_number = fields.String(required=True, validate=validators.Pattern(
        r"^[0-9]{9}$", error="A routing number is 9 digits."))
    account_number = fields.String(required=True, validate=validators.Pattern(
        r"^[0-9]{4,17}$", error="A bank account number is 4 to 17 digits."))
    account_type = fields.String(required=True, validate=validate.OneOf(["checking", "savings"]))
    name = fields.String(required=True, validate=validators.text(1, 100))


class PaymentMethodRequest(Schema):
    """Either a card or a bank account; the ``type`` field says which (see the two shapes)."""
    type = fields.String(required=True, validate=validate.OneOf(["card", "bank_account"]))
    card_number = fields.String()
    exp_month = fields.Integer()
    exp_year = fields.Integer()
    cvc = fields.String()
    name = fields.String()
    postal_code = fields.String()
    routing_number = fields.String()
    account_number = fields.String()
    account_type = fields.String()


class PaymentMethod(Schema):
    id = fields.String()
    type = fields.String()
    brand = fields.String(allow_none=True)
    bank_name = fields.String(allow_none=True)
    last4 = fields.String()
    exp_month = fields.Integer(allow_none=True)
    exp_year = fields.Integer(allow_none=True)
    account_type = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    created_at = Timestamp(metadata=DATE_TIME)


class PaymentMethodList(Schema):
    items = fields.List(fields.Nested(PaymentMethod))


class PaymentRequest(Schema):
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(1, MAX_AMOUNT_CENTS))
    payment_method_id = fields.String(required=True, validate=validate.Length(1, 36))
    scheduled_for = fields.Date(load_default=None, allow_none=True)
    security_code = fields.String(load_default=None, allow_none=True, validate=validators.Pattern(
        validators.whole(validators.SECURITY_CODE_FORM), error="The security code is 4 digits."),
        load_only=True)


class Payment(Schema):
    id = fields.String()
    status = fields.String(metadata={
        "description": "pending|succeeded|failed|scheduled|canceled|returned"})
    amount_cents = fields.Integer()
    currency = fields.String()
    scheduled_for = Day(allow_none=True, metadata=DATE)
    failure_reason = fields.String(allow_none=True)
    payment_method_id = fields.String()
    method_type = fields.String(allow_none=True)
    last4 = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "one_time|scheduled|autopay"})
    invoice_number = fields.String(allow_none=True)
    created_at = Timestamp(metadata=DATE_TIME)
    paid_at = Timestamp(allow_none=True, metadata=DATE_TIME)
    refunded_cents = fields.Integer(metadata={
        "description": "What refunds gave back of this payment (a refund being processed "
                       "included); at most amount_cents"})


class PaymentList(Schema):
    items = fields.List(fields.Nested(Payment))
    next_cursor = fields.String(allow_none=True)


class RefundRequest(Schema):
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(1, MAX_AMOUNT_CENTS))
    reason = fields.String(required=True, validate=validators.text(1, 200), metadata={
        "description": "Why the money goes back; the customer's refund receipt quotes it"})


class Refund(Schema):
    id = fields.String()
    payment_id = fields.String()
    status = fields.String(metadata={"description": "pending|succeeded|failed"})
    amount_cents = fields.Integer()
    currency = fields.String()
    reason = fields.String()
    failure_reason = fields.String(allow_none=True)
    payment_refunded_cents = fields.Integer(metadata={
        "description": "What refunds have now given back of the payment in all"})
    created_at = Timestamp(metadata=DATE_TIME)


def above_autopay_limit(amount_cents, max_amount_cents):
    """Autopay's guardrail, the one rule: nothing above its limit is drafted (None: no
    limit). Payments decides the draft with it; notifications, whether to say autopay pays."""
    return max_amount_cents is not None and amount_cents > max_amount_cents


class AutopayRequest(Schema):
    payment_method_id = fields.String(required=True, validate=validate.Length(1, 36))
    enabled = validators.Boolean(load_default=True)
    max_amount_cents = fields.Integer(
        load_default=None, allow_none=True, strict=True,
        validate=validate.Range(1, MAX_AMOUNT_CENTS), metadata={
            "description": "The most autopay drafts for one statement; left out or null: no "
                           "limit. A statement above it is not drafted: the account's admins "
                           "and billing users are told at once and the bill stays due"})


class AutopayDraft(Schema):
    payment_id = fields.String()
    scheduled_for = fields.String(metadata=DATE)
    amount_cents = fields.Integer(metadata={
        "description": "what autopay will draft for the statement; less if part of it is "
                       "paid by hand or disputed before that day"})
    invoice_number = fields.String(allow_none=True)


class Autopay(Schema):
    enabled = fields.Boolean()
    payment_method_id = fields.String(allow_none=True)
    max_amount_cents = fields.Integer(allow_none=True, metadata={
        "description": "autopay's limit per statement, or null for none"})
    next_draft = fields.Nested(AutopayDraft, allow_none=True, metadata={
        "description": "the next automatic payment waiting for its date, or null"})


class PaymentRunRequest(Schema):
    run_date = fields.Date(required=True, validate=validators.run_date)


class PaymentRunResult(Schema):
    payments_attempted = fields.Integer()
    settled = fields.Integer()
    returned = fields.Integer()
    autopay_notices = fields.Integer(metadata={
        "description": "pre-draft notices sent: autopay drafts of the next "
                       "AUTOPAY_NOTICE_DAYS days, each announced once"})
