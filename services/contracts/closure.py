"""Closing an account (POST /internal/v1/accounts/{n}/closure, billing's close_account): the
request the gateway validates and documents, and the closure billing answers."""
import calendar
from datetime import date

from marshmallow import Schema, fields

from services.contracts import validators
from services.contracts.formats import DATE, DATE_TIME

REASON_CHARS = 200
READ_ONLY_MONTHS = 18  # users may still sign in, read statements and pay for this long


def read_only_until(effective_date, months=READ_ONLY_MONTHS):
    """The last day a closed account's users may read and pay: ``months`` after the day its
    services ended (the same day of the month, or that month's last)."""
    month = effective_date.month - 1 + months
    year, month = effective_date.year + month // 12, month % 12 + 1
    return date(year, month, min(effective_date.day, calendar.monthrange(year, month)[1]))


class ClosureRequest(Schema):
    effective_date = fields.Date(required=True, validate=validators.run_date, metadata={
        "description": "the day services end (not billed from then on): after the last "
                       "statement's date, up to the next one's"})
    reason = fields.String(required=True, validate=validators.text(1, REASON_CHARS), metadata={
        "description": "why the account is closed (staff's record; not printed)"})


class ClosureRefund(Schema):
    due_cents = fields.Integer(required=True, metadata={
        "description": "the credit balance left after the final statement (0: none)"})
    refund_cents = fields.Integer(required=True, metadata={
        "description": "of it, what payments refunds to the newest refundable payments"})
    credit_left_cents = fields.Integer(required=True, metadata={
        "description": "of it, what no refundable payment can take: left as a credit"})
    note = fields.String(required=True, metadata={"description": "what happens to it, in words"})


class Closure(Schema):
    closure_id = fields.String(required=True)
    account_number = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "closed"})
    effective_date = fields.String(required=True, metadata=DATE)
    reason = fields.String(required=True)
    final_invoice_number = fields.String(required=True, metadata={
        "description": "the final statement, issued at once (its PDF says Final statement)"})
    final_statement_date = fields.String(required=True, metadata=DATE)
    balance_cents = fields.Integer(required=True, metadata={
        "description": "the ledger balance after the final statement; negative = credit"})
    amount_due_cents = fields.Integer(required=True, metadata={
        "description": "what is left to pay (0 when in credit)"})
    currency = fields.String(required=True)
    refund = fields.Nested(ClosureRefund, required=True)
    read_only_until = fields.String(required=True, metadata=dict(DATE, description=(
        f"users may sign in, read statements and pay until then ({READ_ONLY_MONTHS} months)")))
    closed_at = fields.String(required=True, metadata=DATE_TIME)


class AccountClosure(Schema):
    """A closed account's closure as the summary, the portal and the staff overview show it."""
    effective_date = fields.String(required=True, metadata=dict(DATE, description=(
        "the day its services ended")))
    closed_on = fields.String(required=True, metadata=DATE)
    final_invoice_number = fields.String(allow_none=True, metadata={
        "description": "the final statement"})
    read_only_until = fields.String(required=True, metadata=DATE)
    read_only_ended = fields.Boolean(required=True, metadata={
        "description": "true after read_only_until: statements are no longer shown"})
