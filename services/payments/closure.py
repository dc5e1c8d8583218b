"""A closed account (``billing.account_closed``) stops paying by itself and gets its credit
balance back.

In the event's own ``apply_once`` transaction: autopay is turned off, every scheduled
payment (autopay's too) is canceled with ``payments.payment_canceled`` (cause
``account_closed``), and the refund billing asked for (``refund_cents``) is planned: pending
refund rows on the newest refundable payments, each reserved on its payment as a staff refund
is (refunds.py), under the key ``closure:<closure id>:<payment id>``. The rows are written
once whatever the redeliveries, so the money goes back at most once; then each pending one is
finished with the processor (a redelivery or the payment run's ``refunds.recover`` finishes
one cut short). Payments already being charged are left to finish: billing's ledger takes
them as any payment, and a payment of a closed account is capped at what is left to pay.
"""
from sqlalchemy import select

from services.payments import autopay as autopay_rules
from services.payments import idempotency, offboarding, refunds
from services.payments.models import Autopay, Payment, PaymentMethod, Refund
from services.runtime import clock

CANCELED = "Canceled: the account was closed."
REFUND_REASON = "Credit balance refunded: the account was closed."


def refundable(session, account_number):
    """``[(payment, method, cents left)]``: the account's succeeded payments a refund can go
    to now, newest first (a bank debit only once its return check has passed)."""
    rows = session.execute(select(Payment, PaymentMethod).join(
        PaymentMethod, PaymentMethod.id == Payment.payment_method_id).where(
        Payment.account_number == account_number, Payment.status == "succeeded",
        Payment.refunded_cents < Payment.amount_cents)
        .order_by(Payment.paid_at.desc(), Payment.created_at.desc())).all()
    return [(p, m, p.amount_cents - p.refunded_cents) for p, m in rows
            if m.type == "card" or p.return_checked]


def refundable_cents(session, account_number):
    return sum(left for _, _, left in refundable(session, account_number))


def wind_down(tx, data):
    """Cancel autopay and scheduled payments and plan the refund of ``data`` (the event's)."""
    session, number, now = tx.session, data["account_number"], clock.now()
    for payment in session.execute(select(Payment).where(
            Payment.account_number == number, Payment.status == "scheduled")).scalars():
        offboarding.cancel(tx, payment, cause="account_closed", reason=CANCELED)
    autopay = session.get(Autopay, number)
    if autopay is not None and autopay.enabled:
        autopay.enabled, autopay.user_id, autopay.updated_at = False, None, now
        tx.emit("autopay_changed", autopay_rules.changed_event(number, autopay))
    left = int(data.get("refund_cents") or 0)
    for payment, method, room in refundable(session, number):
        if left <= 0:
            break
        amount = min(left, room)
        request = {"amount_cents": amount, "reason": REFUND_REASON}
        key = f"closure:{data['closure_id']}:{payment.id}"
        refunds.new(session, payment, request, key,
                    idempotency.fingerprint({"payment_id": payment.id, **request}))
        refunds.reserve(session, payment, method, amount)
        left -= amount


def pending_refunds(session, data):
    """The closure's refunds still waiting for the processor."""
    return session.execute(select(Refund.id).where(
        Refund.account_number == data["account_number"], Refund.status == "pending",
        Refund.idempotency_key.like(f"closure:{data['closure_id']}:%"))
        .order_by(Refund.created_at)).scalars().all()
