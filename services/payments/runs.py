"""The payment run: what the daily timer and POST /internal/v1/payment-runs do.

Exactly once with several replicas: each due payment is claimed by a conditional UPDATE
(``status`` from ``scheduled`` to ``pending`` where it is still ``scheduled``); only the
replica whose UPDATE changed the row charges it. Candidates are read with FOR UPDATE SKIP
LOCKED on PostgreSQL so replicas do not queue behind each other's rows.
"""
import logging

from sqlalchemy import select, update

from services.payments import (autopay, autopay_notices, idempotency, lifecycle, limits,
                               offboarding, payment_requests, refunds)
from services.payments.models import Payment, PaymentMethod
from services.payments.recovery import IN_FLIGHT_GRACE
from services.runtime import clock

log = logging.getLogger(__name__)

BATCH = 200


def due_payments(session, run_date, after=""):
    """The next batch of due payments as (id, kind, account_number, user_id), in id order
    after ``after`` (so that a payment left scheduled in this run is not taken again by it)."""
    query = select(Payment.id, Payment.kind, Payment.account_number, Payment.user_id).where(
        Payment.status == "scheduled", Payment.scheduled_for <= run_date,
        Payment.id > after).order_by(Payment.id).limit(BATCH)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).all()


def claim(session, payment_id):
    """True when this caller moved the payment from scheduled to pending (it owns the run)."""
    result = session.execute(update(Payment).where(
        Payment.id == payment_id, Payment.status == "scheduled").values(
        status="pending", updated_at=clock.now()))
    return result.rowcount == 1


CHECKED = ("autopay", "scheduled")  # kinds whose amount billing's answer bounds at charge time


def allowance_for(payment_allowance, row):
    """``(wait, allowance)``: billing's payment allowance for an autopay or scheduled payment,
    or wait=True when billing does not answer (ask again next run); allowance=None for other
    payments or when no ``payment_allowance`` was given."""
    if row.kind not in CHECKED or payment_allowance is None:
        return False, None
    try:
        return False, payment_allowance(row.account_number)
    except Exception as exc:  # billing away: charging blind could take too much, or twice
        log.warning("%s payment %s waits for the next run: no allowance from billing (%s)",
                    row.kind, row.id, type(exc).__name__)
        return True, None


def _charge_one(db, processor, row, run_date, payment_allowance=None, still_a_user=None):
    # the questions to billing and identity come before the claim: no RPC inside it
    wait, allowance = allowance_for(payment_allowance, row)
    wait_for_identity, payer_gone = offboarding.payer_gone(still_a_user, row)
    if wait or wait_for_identity:
        return False
    with db.transaction() as tx:
        if allowance is not None:
            limits.lock_account(tx.session, row.account_number)
        if not claim(tx.session, row.id):
            return False
        payment = tx.session.get(Payment, row.id)
        method = tx.session.get(PaymentMethod, payment.payment_method_id)
        if payer_gone:
            offboarding.cancel(tx, payment)
            return False
        on_its_way = 0 if allowance is None else limits.in_flight(
            tx.session, payment.account_number, allowance, exclude=payment.id)
        if allowance is not None and payment.kind == "autopay":
            due = limits.still_due(allowance, on_its_way)
            if due <= 0:
                # autopay pays what is still due: a customer who paid by hand is not charged
                payment.status = "canceled"
                payment.failure_reason = "Nothing was due on the due date: no payment was needed."
                return False
            payment.amount_cents = min(payment.amount_cents, due)
        elif allowance is not None:
            # a scheduled payment is checked again: the account may owe less than when it was set
            reason = limits.refusal(payment.amount_cents,
                                    limits.most_allowed(allowance, on_its_way))
            if reason:
                lifecycle.refuse(tx, payment, reason)
                return False
        if payment.kind == "autopay":
            # the cap again, on what would really be drafted (it may have been lowered)
            cap = autopay.cap_of(tx.session, payment.account_number)
            if autopay.over_cap(payment.amount_cents, cap):
                tx.emit("autopay_skipped", autopay.skip(payment, cap))
                return False
    outcome = lifecycle.charge(processor, payment, method)
    if outcome.status == "unknown":
        return True  # left pending: recover_in_flight asks again under the same key
    with db.transaction() as tx:
        lifecycle.record_charge(tx, row.id, payment.attempts, method, outcome, run_date)
    return True


def run(db, processor, run_date, payment_allowance=None, still_a_user=None,
        notice_days=autopay_notices.DEFAULT_NOTICE_DAYS):
    """Announce the autopay drafts of the next ``notice_days`` days (autopay_notices.py),
    charge every scheduled payment due on or before ``run_date``, settle pending bank
    debits, record returns of earlier settlements, finish interrupted charges.
    ``payment_allowance(account_number)`` (billing's) caps autopay payments at what is still
    due and refuses a scheduled payment larger than the account's allowance;
    ``still_a_user(account_number, user_id)`` (identity's) cancels a scheduled payment whose
    payer left the account.
    Returns ``{payments_attempted, settled, returned, autopay_notices}``."""
    started = clock.now()
    # the notice first: a draft due today whose notice never went out is still announced
    noticed = autopay_notices.announce(db, run_date, notice_days,
                                       lambda row: allowance_for(payment_allowance, row))
    attempted, after = 0, ""
    while True:
        with db.transaction() as tx:
            rows = due_payments(tx.session, run_date, after)
        if not rows:
            break
        after = rows[-1].id
        attempted += sum(1 for row in rows
                         if _charge_one(db, processor, row, run_date, payment_allowance,
                                        still_a_user))
    attempted += recover_in_flight(db, processor, run_date)
    refunds.recover(db, processor)  # refunds cut short by a crash, under their own keys
    returned = check_returns(db, processor, run_date)
    settled = settle_bank_debits(db, processor, run_date, started)
    with db.transaction() as tx:
        idempotency.purge(tx.session)
    return {"payments_attempted": attempted, "settled": settled, "returned": returned,
            "autopay_notices": noticed}


def settle_bank_debits(db, processor, run_date, started):
    """Pending bank debits charged before this run started clear now; each is claimed by
    setting ``settled_on`` where it is still null."""
    with db.transaction() as tx:
        ids = [row[0] for row in tx.session.execute(select(Payment.id).where(
            Payment.status == "pending", Payment.processor_ref.is_not(None),
            Payment.settled_on.is_(None), Payment.updated_at < started))]
    settled = 0
    for payment_id in ids:
        with db.transaction() as tx:
            owned = tx.session.execute(update(Payment).where(
                Payment.id == payment_id, Payment.status == "pending",
                Payment.settled_on.is_(None)).values(settled_on=run_date)).rowcount == 1
            if not owned:
                continue
            payment = tx.session.get(Payment, payment_id)
            method = tx.session.get(PaymentMethod, payment.payment_method_id)
            if processor.settle(reference=payment.processor_ref).status != "succeeded":
                payment.settled_on = None  # not cleared yet: the next run asks again
                continue
            lifecycle.succeed(tx, payment, method)
            settled += 1
    return settled


def check_returns(db, processor, run_date):
    """Bank debits settled on an earlier run: the bank may have sent them back since."""
    with db.transaction() as tx:
        ids = [row[0] for row in tx.session.execute(select(Payment.id).where(
            Payment.status == "succeeded", Payment.settled_on < run_date,
            Payment.return_checked.is_(False)))]
    returned = 0
    for payment_id in ids:
        with db.transaction() as tx:
            owned = tx.session.execute(update(Payment).where(
                Payment.id == payment_id, Payment.return_checked.is_(False)).values(
                return_checked=True)).rowcount == 1
            if not owned:
                continue
            payment = tx.session.get(Payment, payment_id)
            outcome = processor.check_return(reference=payment.processor_ref)
            if outcome.status == "returned":
                lifecycle.mark_returned(tx, payment, outcome.reason)
                returned += 1
    return returned


def recover_in_flight(db, processor, run_date):
    """Charges interrupted by a crash (pending, no processor reference, older than a grace
    period) are charged again with the same processor idempotency key: never left unknown."""
    cutoff = clock.now() - IN_FLIGHT_GRACE
    with db.transaction() as tx:
        ids = [row[0] for row in tx.session.execute(select(Payment.id).where(
            Payment.status == "pending", Payment.processor_ref.is_(None),
            Payment.updated_at < cutoff))]
    done = 0
    for payment_id in ids:
        with db.transaction() as tx:
            owned = tx.session.execute(update(Payment).where(
                Payment.id == payment_id, Payment.status == "pending",
                Payment.processor_ref.is_(None), Payment.updated_at < cutoff).values(
                updated_at=clock.now())).rowcount == 1
            if not owned:
                continue
            payment = tx.session.get(Payment, payment_id)
            method = tx.session.get(PaymentMethod, payment.payment_method_id)
        if payment_requests.finish_charge(db, processor, payment, method, run_date) is None:
            continue  # the first charge's fate is still unknown: ask again next run
        done += 1
    return done
