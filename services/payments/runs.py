"""The payment run: what the daily timer and POST /internal/v1/payment-runs do.

Exactly once with several replicas: each due payment is claimed by a conditional UPDATE
(``status`` from ``scheduled`` to ``pending`` where it is still ``scheduled``); only the
replica whose UPDATE changed the row charges it. Candidates are read with FOR UPDATE SKIP
LOCKED on PostgreSQL so replicas do not queue behind each other's rows.
"""
from datetime import timedelta

from sqlalchemy import select, update

from services.payments import idempotency, payments
from services.payments.models import Payment, PaymentMethod

BATCH = 200
IN_FLIGHT_GRACE = timedelta(minutes=5)


def due_ids(session, run_date):
    query = select(Payment.id).where(Payment.status == "scheduled",
                                     Payment.scheduled_for <= run_date).limit(BATCH)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [row[0] for row in session.execute(query)]


def claim(session, payment_id):
    """True when this caller moved the payment from scheduled to pending (it owns the run)."""
    result = session.execute(update(Payment).where(
        Payment.id == payment_id, Payment.status == "scheduled").values(
        status="pending", updated_at=payments.now()))
    return result.rowcount == 1


def _charge_one(db, processor, payment_id, run_date):
    with db.transaction() as tx:
        if not claim(tx.session, payment_id):
            return False
        payment = tx.session.get(Payment, payment_id)
        method = tx.session.get(PaymentMethod, payment.payment_method_id)
    outcome = payments.charge(processor, payment, method)
    with db.transaction() as tx:
        payment = tx.session.get(Payment, payment_id)
        payments.apply_charge(tx, payment, method, outcome, run_date)
    return True


def run(db, processor, run_date):
    """Charge every scheduled payment due on or before ``run_date``, settle pending bank
    debits, record returns of earlier settlements, finish interrupted charges.
    Returns ``{payments_attempted, settled, returned}``."""
    started = payments.now()
    attempted = 0
    while True:
        with db.transaction() as tx:
            ids = due_ids(tx.session, run_date)
        if not ids:
            break
        claimed = [pid for pid in ids if _charge_one(db, processor, pid, run_date)]
        attempted += len(claimed)
        if len(ids) < BATCH:
            break
    attempted += recover_in_flight(db, processor, run_date)
    returned = check_returns(db, processor, run_date)
    settled = settle_bank_debits(db, processor, run_date, started)
    with db.transaction() as tx:
        idempotency.purge(tx.session)
    return {"payments_attempted": attempted, "settled": settled, "returned": returned}


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
            payments.succeed(tx, payment, method)
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
                payments.mark_returned(tx, payment, outcome.reason)
                returned += 1
    return returned


def recover_in_flight(db, processor, run_date):
    """Charges interrupted by a crash (pending, no processor reference, older than a grace
    period) are charged again with the same processor idempotency key: never left unknown."""
    cutoff = payments.now() - IN_FLIGHT_GRACE
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
                updated_at=payments.now())).rowcount == 1
            if not owned:
                continue
            payment = tx.session.get(Payment, payment_id)
            method = tx.session.get(PaymentMethod, payment.payment_method_id)
        outcome = payments.charge(processor, payment, method)
        with db.transaction() as tx:
            payment = tx.session.get(Payment, payment_id)
            payments.apply_charge(tx, payment, method, outcome, run_date)
            idempotency.record_for_payment(tx.session, payment_id,
                                           payments.public(payment, method))
        done += 1
    return done
