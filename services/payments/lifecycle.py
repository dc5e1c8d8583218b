"""Payments: one-time, scheduled and automatic; their states and the events each change emits.

States: scheduled -> pending (being charged; a bank debit stays pending until a payment run
settles it) -> succeeded | failed; scheduled -> canceled; a settled bank debit -> returned.
Every change and its event are written in one transaction (the outbox).
"""
import uuid
from datetime import timedelta

from marshmallow import EXCLUDE
from sqlalchemy import and_, or_, select, update

from services import contracts
from services.contracts import paging
from services.contracts import payments as contract
from services.contracts.errors import Conflict, InvalidInput, NotFound
from services.payments.models import Payment, PaymentMethod
from services.payments.processor import Charge, ProcessorUnavailable
from services.payments.recovery import INTERRUPTED_AFTER
from services.payments.retries import next_autopay_try
from services.runtime import clock

CURRENCY = "USD"
SCHEDULE_DAYS = 60       # how far ahead a payment may be scheduled
UNKNOWN = Charge(status="unknown")  # the processor could not be reached



def load_request(request, today):
    """Validate a payment request; returns the clean dict (``scheduled_for`` None = now)."""
    data = contracts.load(contract.PaymentRequest, request, unknown=EXCLUDE)
    when = data.get("scheduled_for")
    if when is not None:
        if when < today:
            raise InvalidInput({"scheduled_for": ["Choose today or a later date."]})
        if when > today + timedelta(days=SCHEDULE_DAYS):
            raise InvalidInput({"scheduled_for": [
                f"A payment can be scheduled at most {SCHEDULE_DAYS} days ahead."]})
        if when == today:
            data["scheduled_for"] = None
    return data


def fingerprint_fields(data):
    """What makes two requests "the same body" for an Idempotency-Key (no security code)."""
    return {"amount_cents": data["amount_cents"], "payment_method_id": data["payment_method_id"],
            "scheduled_for": data["scheduled_for"].isoformat() if data["scheduled_for"] else None}


def new(session, account_number, method, amount_cents, *, user_id=None, scheduled_for=None,
        kind=None, invoice_number=None):
    """A payment row: ``scheduled`` when dated, else ``pending`` until charged."""
    moment = clock.now()
    payment = Payment(
        id=str(uuid.uuid4()), account_number=account_number, payment_method_id=method.id,
        user_id=user_id, kind=kind or ("scheduled" if scheduled_for else "one_time"),
        invoice_number=invoice_number, amount_cents=amount_cents, currency=CURRENCY,
        status="scheduled" if scheduled_for else "pending", scheduled_for=scheduled_for,
        attempts=0, created_at=moment, updated_at=moment, return_checked=False,
        refunded_cents=0)
    session.add(payment)
    session.flush()
    return payment


def charge(processor, payment, method):
    """Ask the processor. When it cannot be reached the outcome is ``unknown`` (it may have
    charged before the line dropped): the caller records nothing, the payment stays
    ``pending`` and is asked again under the same processor key (see ``interrupted``)."""
    try:
        return processor.charge(token=method.processor_token, amount_cents=payment.amount_cents,
                                currency=payment.currency,
                                idempotency_key=f"{payment.id}:{payment.attempts}")
    except ProcessorUnavailable:
        return UNKNOWN


def interrupted(session, payment_id):
    """True when the payment's charge was started and its request died before recording the
    outcome (pending, no processor reference, untouched for INTERRUPTED_AFTER). Resuming a
    charge that is in fact still running is harmless: the processor answers the same key with
    the same charge and record_charge records it once."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.status != "pending" or payment.processor_ref is not None:
        return False
    return clock.now() - clock.as_utc(payment.updated_at) > INTERRUPTED_AFTER


def record_charge(tx, payment_id, attempts, method, result, today):
    """Record the outcome of charge number ``attempts`` once: the first writer claims the row
    (a conditional UPDATE, so a concurrent recovery of the same charge waits and then finds
    it taken) and applies it; anyone else gets the payment as it now is."""
    claimed = tx.session.execute(update(Payment).where(
        Payment.id == payment_id, Payment.attempts == attempts,
        Payment.status == "pending").values(updated_at=clock.now())).rowcount == 1
    payment = tx.session.get(Payment, payment_id)
    if claimed:
        apply_charge(tx, payment, method, result, today)
    return payment


def apply_charge(tx, payment, method, result, today):
    """Record a charge's outcome on ``payment`` and emit what happened."""
    payment.attempts += 1
    payment.updated_at = clock.now()
    payment.processor_ref = result.reference
    if result.status == "succeeded":
        succeed(tx, payment, method)
    elif result.status == "pending":
        payment.status = "pending"
    else:
        payment.failure_code = result.failure_code
        payment.failure_reason = result.failure_reason
        retry_on = next_autopay_try(payment.attempts, today) \
            if payment.kind == "autopay" else None
        will_retry = retry_on is not None
        if will_retry:  # back in the queue for that day's run (retries.py)
            payment.status = "scheduled"
            payment.scheduled_for = retry_on
        else:
            payment.status = "failed"
        tx.emit("payment_failed", {
            "account_number": payment.account_number, "payment_id": payment.id,
            "amount_cents": payment.amount_cents, "reason": result.failure_reason,
            "retry_on": retry_on,
            "user_id": payment.user_id, "will_retry": will_retry})


def succeed(tx, payment, method):
    payment.status = "succeeded"
    payment.paid_at = clock.now()
    payment.failure_code = payment.failure_reason = None
    tx.emit("payment_succeeded", {
        "account_number": payment.account_number, "payment_id": payment.id,
        "amount_cents": payment.amount_cents, "currency": payment.currency,
        "method_type": method.type, "last4": method.last4, "user_id": payment.user_id})


def refuse(tx, payment, reason):
    """A scheduled payment that may not be charged (payments in proportion, limits.py): it
    fails uncharged, and its payer is told why."""
    payment.status = "failed"
    payment.failure_code = "out_of_proportion"
    payment.failure_reason = reason[:200]
    payment.updated_at = clock.now()
    tx.emit("payment_failed", {
        "account_number": payment.account_number, "payment_id": payment.id,
        "amount_cents": payment.amount_cents, "reason": payment.failure_reason,
        "user_id": payment.user_id, "will_retry": False})


def mark_returned(tx, payment, reason):
    payment.status = "returned"
    payment.failure_code = "returned"
    payment.failure_reason = reason
    payment.updated_at = clock.now()
    tx.emit("payment_returned", {
        "account_number": payment.account_number, "payment_id": payment.id,
        "amount_cents": payment.amount_cents, "reason": reason, "user_id": payment.user_id})


def scheduled_event(payment):
    return {"account_number": payment.account_number, "payment_id": payment.id,
            "amount_cents": payment.amount_cents, "scheduled_for": payment.scheduled_for,
            "user_id": payment.user_id}


def find(session, account_number, payment_id):
    payment = session.get(Payment, payment_id) if isinstance(payment_id, str) else None
    if payment is None or payment.account_number != account_number:
        raise NotFound("No such payment on this account.")
    return payment


def cancel(session, account_number, payment_id):
    """Cancel a scheduled payment; Conflict once it ran (or was canceled)."""
    payment = find(session, account_number, payment_id)
    if payment.status != "scheduled":
        raise Conflict(f"Only a scheduled payment can be canceled; this one is {payment.status}.")
    payment.status = "canceled"
    payment.updated_at = clock.now()
    return payment


def cancel_for_method(session, account_number, method_id):
    """A removed method cannot pay: its scheduled payments are canceled."""
    scheduled = session.execute(select(Payment).where(
        Payment.account_number == account_number, Payment.payment_method_id == method_id,
        Payment.status == "scheduled")).scalars().all()
    for payment in scheduled:
        payment.status = "canceled"
        payment.failure_reason = "The payment method was removed."
        payment.updated_at = clock.now()
    return scheduled


# the last payment of a page: (created_at, id); the list is newest first, then by id
CURSOR = paging.Cursor("payments", paging.MOMENT, paging.text(36))


def listing(session, account_number, limit=None, cursor=None):
    """``{items, next_cursor}``, newest first (keyset: a payment made while paging is not
    seen twice). Raises InvalidInput (``limit``, ``cursor``: contracts.paging)."""
    limit = paging.checked_limit(limit)
    query = select(Payment, PaymentMethod).join(
        PaymentMethod, PaymentMethod.id == Payment.payment_method_id).where(
        Payment.account_number == account_number)
    if cursor:
        created_at, payment_id = CURSOR.decode(cursor)
        query = query.where(or_(Payment.created_at < created_at, and_(
            Payment.created_at == created_at, Payment.id > payment_id)))
    rows = session.execute(query.order_by(Payment.created_at.desc(), Payment.id)
                           .limit(limit + 1)).all()
    page = rows[:limit]
    return {"items": [public(p, m) for p, m in page],
            "next_cursor": CURSOR.encode(page[-1][0].created_at, page[-1][0].id)
            if len(rows) > limit else None}


def public(payment, method=None):
    return contracts.dump(contract.Payment, payment, method_type=method.type if method else None,
                          last4=method.last4 if method else None)



