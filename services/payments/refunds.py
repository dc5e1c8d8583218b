"""Refunds: staff give back all or part of a succeeded payment, exactly once under faults.

Two short transactions with the processor call between them, as a charge has
(payment_requests.py):

1. the refund row is written ``pending`` with its Idempotency-Key (unique per account: a
   concurrent request with the same key waits on the index, then replays the winner) and the
   amount is reserved on the payment by one conditional UPDATE (``refunded_cents + amount <=
   amount_cents`` on a succeeded payment), so concurrent refunds of one payment can never
   give back more than it took, on PostgreSQL or SQLite;
2. the processor is asked under ``refund:<refund id>``, a key fixed before the call, so a
   retry after a crash asks again with the same key and the processor answers the first
   refund instead of paying twice;
3. the outcome is recorded once (a conditional UPDATE claims the pending row): a success emits
   ``payments.payment_refunded`` (billing puts it back on the ledger, notifications mails the
   receipt); a refusal gives the reserved amount back.

A refund whose request died between 1 and 3 stays ``pending``: the same key retried after
INTERRUPTED_AFTER resumes it, and the payment run (``recover``) after IN_FLIGHT_GRACE.
"""
import time
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services import contracts
from services.contracts import payments as contract
from services.contracts.errors import Conflict, Refused
from services.contracts.money import usd
from services.payments import idempotency, lifecycle, methods
from services.payments.models import Payment, Refund
from services.payments.processor import ProcessorUnavailable
from services.payments.recovery import IN_FLIGHT_GRACE, INTERRUPTED_AFTER
from services.runtime import clock
from services.runtime import idempotency as rule

STILL_RUNNING = ("A refund with this Idempotency-Key is still being processed. "
                 "Retry in a moment.")


def processor_key(refund_id):
    """The processor's idempotency key of a refund: fixed when the row is written."""
    return f"refund:{refund_id}"


def refund_payment(db, processor, account_number, payment_id, request, key,
                   wait=idempotency.WAIT_SECONDS):
    """Returns the refund (public dict; ``failed`` when the processor refused it, ``pending``
    when it could not say). The same key and body return the first refund. Raises
    InvalidInput, NotFound (no such payment on this account), Conflict (key reused with
    another body, or its first request still running), Refused (the payment is not a
    succeeded one, a bank debit the bank may still return, or less is left of it)."""
    key = idempotency.check_key(key)
    data = contracts.load(contract.RefundRequest, request)
    fp = idempotency.fingerprint({"payment_id": str(payment_id), **data})
    first = _replay(db, processor, account_number, key, fp, wait)
    if first is not None:
        return first
    try:
        with db.transaction() as tx:
            payment = lifecycle.find(tx.session, account_number, payment_id)
            method = methods.find_any(tx.session, payment.payment_method_id)
            refund = new(tx.session, payment, data, key, fp)  # the key first: see above
            reserve(tx.session, payment, method, data["amount_cents"])
            refund_id = refund.id
    except IntegrityError:
        # a concurrent request with this key won the insert: answer with its refund
        return _replay(db, processor, account_number, key, fp, wait)
    return finish(db, processor, refund_id)


def new(session, payment, data, key, fp):
    moment = clock.now()
    refund = Refund(id=str(uuid.uuid4()), payment_id=payment.id,
                    account_number=payment.account_number, amount_cents=data["amount_cents"],
                    currency=payment.currency, reason=data["reason"], status="pending",
                    idempotency_key=key, fingerprint=fp, created_at=moment, updated_at=moment)
    session.add(refund)
    session.flush()
    return refund


def reserve(session, payment, method, amount_cents):
    """Hold ``amount_cents`` of the payment for this refund, or refuse. One conditional
    UPDATE: the database serialises it on the payment's row, so the check and the reservation
    cannot be split by a concurrent refund."""
    if payment.status != "succeeded":
        raise Refused(f"Only a succeeded payment can be refunded; this one is {payment.status}.")
    if method.type == "bank_account" and not payment.return_checked:
        # the bank may still send the debit back: a refund now could give the money twice
        raise Refused("The bank can still return this payment; refund it after the next "
                      "payment run has checked for a return.")
    reserved = session.execute(update(Payment).where(
        Payment.id == payment.id, Payment.status == "succeeded",
        Payment.refunded_cents + amount_cents <= Payment.amount_cents).values(
        refunded_cents=Payment.refunded_cents + amount_cents,
        updated_at=clock.now())).rowcount == 1
    if not reserved:
        session.refresh(payment)
        left = payment.amount_cents - payment.refunded_cents
        raise Refused(f"At most {usd(left)} is left to refund on this payment.")


def finish(db, processor, refund_id):
    """Ask the processor for a pending refund under its fixed key and record the answer once.
    Returns the refund (public dict), still ``pending`` when the processor could not say."""
    with db.transaction() as tx:
        refund = tx.session.get(Refund, refund_id)
        payment = tx.session.get(Payment, refund.payment_id)
        if refund.status != "pending":
            return public(refund, payment)
        reference, amount = payment.processor_ref, refund.amount_cents
    try:
        outcome = processor.refund(reference=reference, amount_cents=amount,
                                   idempotency_key=processor_key(refund_id))
    except ProcessorUnavailable:
        outcome = None
    with db.transaction() as tx:
        if outcome is not None:
            record(tx, refund_id, outcome)
        refund = tx.session.get(Refund, refund_id)
        return public(refund, tx.session.get(Payment, refund.payment_id))


def record(tx, refund_id, outcome):
    """Record the processor's answer once: the first writer claims the pending row (a
    concurrent recovery of the same refund then finds it taken and changes nothing)."""
    claimed = tx.session.execute(update(Refund).where(
        Refund.id == refund_id, Refund.status == "pending").values(
        status=outcome.status if outcome.status == "succeeded" else "failed",
        processor_ref=outcome.reference, updated_at=clock.now(),
        failure_reason=None if outcome.status == "succeeded"
        else (outcome.failure_reason or "The processor refused the refund.")[:200])
    ).rowcount == 1
    if not claimed:
        return
    refund = tx.session.get(Refund, refund_id)
    tx.session.refresh(refund)
    payment = tx.session.get(Payment, refund.payment_id)
    if refund.status != "succeeded":  # nothing went back: the reservation is released
        tx.session.execute(update(Payment).where(Payment.id == payment.id).values(
            refunded_cents=Payment.refunded_cents - refund.amount_cents))
        return
    tx.session.refresh(payment)
    method = methods.find_any(tx.session, payment.payment_method_id)
    tx.emit("payment_refunded", {
        "account_number": payment.account_number, "payment_id": payment.id,
        "refund_id": refund.id, "amount_cents": refund.amount_cents,
        "currency": refund.currency, "refunded_cents": payment.refunded_cents,
        "method_type": method.type, "last4": method.last4, "reason": refund.reason,
        "user_id": payment.user_id})


def _replay(db, processor, account_number, key, fp, wait):
    """The key's refund as it now is, None when the key is new. A pending one is waited for
    ``wait`` seconds, resumed once it is clearly abandoned (INTERRUPTED_AFTER), else
    Conflict "still being processed"."""
    deadline = time.monotonic() + wait
    while True:
        with db.transaction() as tx:
            refund = tx.session.execute(select(Refund).where(
                Refund.account_number == account_number,
                Refund.idempotency_key == key)).scalar()
            if refund is None:
                return None
            rule.check_same_request(refund.fingerprint, fp, "refund")
            if refund.status != "pending":
                return public(refund, tx.session.get(Payment, refund.payment_id))
            abandoned = clock.now() - clock.as_utc(refund.updated_at) > INTERRUPTED_AFTER
            refund_id = refund.id
        if abandoned:
            return finish(db, processor, refund_id)
        if time.monotonic() > deadline:
            raise Conflict(STILL_RUNNING)
        time.sleep(0.05)  # eventlet-patched: yields to the request holding the key


def recover(db, processor):
    """Refunds cut short by a crash (pending, older than IN_FLIGHT_GRACE) are asked again under
    their own processor key: never left unknown. Each is claimed by moving its ``updated_at``,
    so replicas running this together ask once. Returns how many were finished."""
    cutoff = clock.now() - IN_FLIGHT_GRACE
    with db.transaction() as tx:
        ids = tx.session.execute(select(Refund.id).where(
            Refund.status == "pending", Refund.updated_at < cutoff)).scalars().all()
    done = 0
    for refund_id in ids:
        with db.transaction() as tx:
            owned = tx.session.execute(update(Refund).where(
                Refund.id == refund_id, Refund.status == "pending",
                Refund.updated_at < cutoff).values(updated_at=clock.now())).rowcount == 1
        if owned and finish(db, processor, refund_id)["status"] != "pending":
            done += 1
    return done


def public(refund, payment):
    return contracts.dump(contract.Refund, refund,
                          payment_refunded_cents=payment.refunded_cents)
