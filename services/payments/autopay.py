"""Autopay: one enrolment per account; each new statement's amount due is scheduled for its
due date, and the payment run pays it."""
from datetime import date

from sqlalchemy import select

from services.contracts.errors import InvalidInput, NotFound
from services.payments import lifecycle, methods
from services.payments.models import Autopay, Payment
from services.runtime import clock


def get(session, account_number):
    """``{enabled, payment_method_id}`` or None when the account never enrolled."""
    row = session.get(Autopay, account_number)
    if row is None:
        return None
    return {"enabled": row.enabled, "payment_method_id": row.payment_method_id}


def enrol(session, account_number, request, user_id=None):
    """Turn autopay on (or off with ``enabled: false``) with a method of this account."""
    if not isinstance(request, dict) or not request.get("payment_method_id"):
        raise InvalidInput({"payment_method_id": ["Choose a payment method for autopay."]})
    enabled = request.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput({"enabled": ["Must be true or false."]})
    method = methods.find(session, account_number, request["payment_method_id"])
    row = session.get(Autopay, account_number)
    if row is None:
        row = Autopay(account_number=account_number)
        session.add(row)
    row.payment_method_id, row.enabled, row.user_id = method.id, enabled, user_id
    row.updated_at = clock.now()
    _follow_setting(session, row)
    return row


def cancel(session, account_number, user_id=None):
    row = session.get(Autopay, account_number)
    if row is None:
        raise NotFound("Autopay is not set up on this account.")
    row.enabled, row.user_id, row.updated_at = False, user_id, clock.now()
    _follow_setting(session, row)
    return row


def _follow_setting(session, row):
    """The autopay payment already scheduled for the open statement follows the setting: it
    is canceled when autopay goes off (a customer who turns it off is not drafted days later)
    and moves to the new method when the method changes."""
    for payment in session.execute(select(Payment).where(
            Payment.account_number == row.account_number, Payment.kind == "autopay",
            Payment.status == "scheduled")).scalars():
        if row.enabled:
            payment.payment_method_id = row.payment_method_id
        else:
            payment.status, payment.failure_reason = "canceled", "Autopay was turned off."
        payment.updated_at = row.updated_at


def changed_event(account_number, row):
    return {"account_number": account_number, "enabled": row.enabled,
            "payment_method_id": row.payment_method_id}


def schedule_for_statement(session, data):
    """On ``billing.statement_issued``: the autopay payment for that statement, or None when
    autopay is off, nothing is due, or it was already scheduled (unique per invoice)."""
    row = session.get(Autopay, data["account_number"])
    if row is None or not row.enabled or data["amount_due_cents"] <= 0:
        return None
    existing = session.execute(select(Payment.id).where(
        Payment.account_number == data["account_number"],
        Payment.invoice_number == data["invoice_number"], Payment.kind == "autopay")).first()
    if existing:
        return None
    method = methods.find(session, data["account_number"], row.payment_method_id)
    due = data["due_date"]
    due = date.fromisoformat(due) if isinstance(due, str) else due
    return lifecycle.new(session, data["account_number"], method, data["amount_due_cents"],
                        scheduled_for=due, kind="autopay", invoice_number=data["invoice_number"])
