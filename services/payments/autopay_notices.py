"""The pre-draft notice: ``AUTOPAY_NOTICE_DAYS`` (default 3) days before autopay drafts a
statement, ``payments.autopay_draft_announced`` tells what will be taken, when and from
which method (its last four digits only); notifications mails the account's payers.

Part of the payment run (runs.py: the hourly timer and POST /internal/v1/payment-runs), so
it needs no timer of its own. Exactly once per draft with any number of replicas and runs:
the notice is claimed by a conditional UPDATE (``notice_sent_on`` from null to the run date)
in the same transaction as its event (the outbox); only the replica whose UPDATE changed the
row emits it. A retried draft (retries.py) is the same payment: it is not announced again.
The amount is what the draft would take today: the scheduled amount, less what billing says
is no longer due (a payment by hand, an open dispute held out).
"""
from datetime import timedelta

from sqlalchemy import select, update

from services.payments import autopay, limits
from services.payments.models import Payment, PaymentMethod

DEFAULT_NOTICE_DAYS = 3


def due(session, run_date, notice_days, after=""):
    """Autopay payments drafted within ``notice_days`` of ``run_date`` and not announced yet,
    as rows of (id, kind, account_number, user_id), in id order after ``after``."""
    return session.execute(select(
        Payment.id, Payment.kind, Payment.account_number, Payment.user_id).where(
        Payment.kind == "autopay", Payment.status == "scheduled",
        Payment.notice_sent_on.is_(None),
        Payment.scheduled_for <= run_date + timedelta(days=notice_days),
        Payment.id > after).order_by(Payment.id).limit(200)).all()


def claim(session, payment_id, run_date):
    """True when this caller marked the payment announced (it sends the notice)."""
    return session.execute(update(Payment).where(
        Payment.id == payment_id, Payment.status == "scheduled",
        Payment.notice_sent_on.is_(None)).values(notice_sent_on=run_date)).rowcount == 1


def announce(db, run_date, notice_days, allowance_of):
    """Emits the pre-draft notice of every autopay payment due to be drafted within
    ``notice_days``; ``allowance_of(row)`` is runs.allowance_for's ``(wait, allowance)``
    (wait: billing did not answer, ask again next run). Returns how many were announced."""
    announced, after = 0, ""
    while True:
        with db.transaction() as tx:
            rows = due(tx.session, run_date, notice_days, after)
        if not rows:
            return announced
        after = rows[-1].id
        for row in rows:
            wait, allowance = allowance_of(row)  # before the claim: no RPC inside it
            if not wait and _announce_one(db, row, run_date, notice_days, allowance):
                announced += 1


def _announce_one(db, row, run_date, notice_days, allowance):
    with db.transaction() as tx:
        if not claim(tx.session, row.id, run_date):
            return False
        payment = tx.session.get(Payment, row.id)
        amount = payment.amount_cents
        if allowance is not None:
            amount = min(amount, limits.still_due(allowance, limits.in_flight(
                tx.session, payment.account_number, allowance, exclude=payment.id)))
        if amount <= 0 or autopay.over_cap(amount, autopay.cap_of(tx.session,
                                                                   payment.account_number)):
            return False  # nothing will be drafted (the draft day cancels or skips it)
        method = tx.session.get(PaymentMethod, payment.payment_method_id)
        tx.emit("autopay_draft_announced", {
            "account_number": payment.account_number, "payment_id": payment.id,
            "invoice_number": payment.invoice_number, "amount_cents": amount,
            "currency": payment.currency, "scheduled_for": payment.scheduled_for,
            "method_type": method.type, "last4": method.last4,
            "notice_days": notice_days})
        return True
