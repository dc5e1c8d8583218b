"""Autopay: one enrolment per account; each new statement's amount due is scheduled for its
due date, and the payment run pays it.

Guardrails: an optional ``max_amount_cents`` caps what autopay drafts for one statement. A
statement above it is not drafted: the admins are told at once (``autopay_skipped``) and the
bill stays due, for the customer to pay by hand (collections treat it as any unpaid bill).
The cap is checked when the statement is issued, when the cap is lowered under a payment
already scheduled, and on the draft day against what would really be drafted (disputed
amounts held out, runs.py). A card that will have expired by the draft date is warned about
when the statement is issued (``autopay_card_expiring``); the pre-draft notice is
autopay_notices.py's.
"""
from datetime import date

from sqlalchemy import select

from services.contracts import cards
from services.contracts.errors import InvalidInput, NotFound
from services.contracts.payments import MAX_AMOUNT_CENTS, above_autopay_limit
from services.payments import lifecycle, methods
from services.payments.models import Autopay, Payment, PaymentMethod
from services.runtime import clock

OVER_CAP = "over_cap"


def get(session, account_number):
    """``{enabled, payment_method_id, max_amount_cents, next_draft}`` or None when the
    account never enrolled; ``next_draft`` is ``{payment_id, scheduled_for, amount_cents,
    invoice_number}`` of the autopay payment waiting for its day, or None."""
    row = session.get(Autopay, account_number)
    if row is None:
        return None
    waiting = session.execute(select(Payment).where(
        Payment.account_number == account_number, Payment.kind == "autopay",
        Payment.status == "scheduled").order_by(Payment.scheduled_for, Payment.id)
    ).scalars().first()
    return {"enabled": row.enabled, "payment_method_id": row.payment_method_id,
            "max_amount_cents": row.max_amount_cents,
            "next_draft": None if waiting is None else {
                "payment_id": waiting.id, "scheduled_for": waiting.scheduled_for.isoformat(),
                "amount_cents": waiting.amount_cents,
                "invoice_number": waiting.invoice_number}}


def _cap(request):
    """The request's ``max_amount_cents``: None (no cap) or whole cents within what one
    payment may be."""
    cap = request.get("max_amount_cents")
    if cap is None:
        return None
    if type(cap) is not int or not 1 <= cap <= MAX_AMOUNT_CENTS:
        raise InvalidInput({"max_amount_cents": [
            f"Enter whole cents from 1 to {MAX_AMOUNT_CENTS}, or leave it out for no limit."]})
    return cap


def enrol(session, account_number, request, user_id=None):
    """Turn autopay on (or off with ``enabled: false``) with a method of this account, and
    with ``max_amount_cents`` as its cap (left out: no cap). Returns ``(row, skipped)``:
    ``skipped`` the ``autopay_skipped`` events of scheduled payments the new cap is under."""
    if not isinstance(request, dict) or not request.get("payment_method_id"):
        raise InvalidInput({"payment_method_id": ["Choose a payment method for autopay."]})
    enabled = request.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput({"enabled": ["Must be true or false."]})
    cap = _cap(request)
    method = methods.find(session, account_number, request["payment_method_id"])
    row = session.get(Autopay, account_number)
    if row is None:
        row = Autopay(account_number=account_number)
        session.add(row)
    row.payment_method_id, row.enabled, row.user_id = method.id, enabled, user_id
    row.max_amount_cents = cap
    row.updated_at = clock.now()
    return row, _follow_setting(session, row)


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
    or when the new cap is under it, and moves to the new method when the method changes.
    Returns the ``autopay_skipped`` events of those the cap stopped."""
    skipped = []
    for payment in session.execute(select(Payment).where(
            Payment.account_number == row.account_number, Payment.kind == "autopay",
            Payment.status == "scheduled")).scalars():
        if row.enabled and over_cap(payment.amount_cents, row.max_amount_cents):
            skipped.append(skip(payment, row.max_amount_cents))
        elif row.enabled:
            payment.payment_method_id = row.payment_method_id
        else:
            payment.status, payment.failure_reason = "canceled", "Autopay was turned off."
        payment.updated_at = row.updated_at
    return skipped


def over_cap(amount_cents, cap):
    """The guardrail: autopay drafts nothing above its cap (None: no cap)."""
    return above_autopay_limit(amount_cents, cap)


def skipped_event(account_number, invoice_number, amount_cents, cap, due_date):
    return {"account_number": account_number, "invoice_number": invoice_number,
            "amount_cents": amount_cents, "max_amount_cents": cap, "reason": OVER_CAP,
            "due_date": due_date}


def skip(payment, cap):
    """Cancels a scheduled autopay payment the cap is under; returns its skipped event."""
    payment.status = "canceled"
    payment.failure_reason = "Above the autopay limit: pay this statement by hand."
    payment.updated_at = clock.now()
    return skipped_event(payment.account_number, payment.invoice_number,
                         payment.amount_cents, cap, payment.scheduled_for)


def changed_event(account_number, row):
    return {"account_number": account_number, "enabled": row.enabled,
            "payment_method_id": row.payment_method_id,
            "max_amount_cents": row.max_amount_cents}


def cap_of(session, account_number):
    row = session.get(Autopay, account_number)
    return row.max_amount_cents if row is not None else None


def on_statement(session, data):
    """On ``billing.statement_issued``: ``[(event name, data)]`` to emit. The autopay payment
    for that statement (``payment_scheduled``) and, when its card will have expired by the
    draft date, ``autopay_card_expiring``; or ``autopay_skipped`` when the amount due is above
    the cap; nothing when autopay is off, nothing is due, or this invoice was already seen
    (one autopay payment per invoice, skipped or not)."""
    row = session.get(Autopay, data["account_number"])
    if row is None or not row.enabled or data["amount_due_cents"] <= 0:
        return []
    existing = session.execute(select(Payment.id).where(
        Payment.account_number == data["account_number"],
        Payment.invoice_number == data["invoice_number"], Payment.kind == "autopay")).first()
    if existing:
        return []
    method = methods.find(session, data["account_number"], row.payment_method_id)
    due = data["due_date"]
    due = date.fromisoformat(due) if isinstance(due, str) else due
    payment = lifecycle.new(session, data["account_number"], method, data["amount_due_cents"],
                            scheduled_for=due, kind="autopay",
                            invoice_number=data["invoice_number"])
    if over_cap(payment.amount_cents, row.max_amount_cents):
        # kept as a canceled row: a redelivered statement_issued finds it and skips again
        return [("autopay_skipped", skip(payment, row.max_amount_cents))]
    emitted = [("payment_scheduled", lifecycle.scheduled_event(payment))]
    if cards.lapses_before(method.exp_month, method.exp_year, due):
        emitted.append(("autopay_card_expiring", card_expiring_event(payment, method)))
    return emitted


def card_expiring_event(payment, method: PaymentMethod):
    return {"account_number": payment.account_number, "payment_id": payment.id,
            "invoice_number": payment.invoice_number, "payment_method_id": method.id,
            "last4": method.last4, "exp_month": method.exp_month,
            "exp_year": method.exp_year, "scheduled_for": payment.scheduled_for}
