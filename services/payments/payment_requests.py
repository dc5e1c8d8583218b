"""Making a payment from a customer's request: idempotency, security code, charge, record.

Three short transactions, so that no database transaction is held open while the processor
is called: (1) claim the Idempotency-Key together with the new payment row, (2) charge,
(3) record the outcome, its event and the key's response. A crash between (1) and (3) leaves a
``pending`` payment with no processor reference; the client's retry with the same key (once
the first attempt is clearly dead, ``lifecycle.interrupted``) or else the next payment run
(runs.recover_in_flight) charges it again under the same processor idempotency key, so it is
never unknown and never charged twice.
"""
from sqlalchemy.exc import IntegrityError

from services.contracts.errors import Conflict
from services.payments import carding, idempotency, lifecycle, limits, methods
from services.payments.models import Payment
from services.runtime import clock


def make_payment(db, processor, account_number, request, key, *, user_id=None,
                 check_security_code=None, payment_allowance=None, today=None):
    """Returns the payment (public dict). Raises InvalidInput, NotFound (method), Conflict
    (key reused with another body, or still in flight), Refused (security code, or more than
    ``payment_allowance(account_number)``, billing's answer, allows: nothing is written or
    charged), Unavailable (billing did not answer)."""
    today = today or clock.today()
    key = idempotency.check_key(key)
    data = lifecycle.load_request(request, today)
    fp = idempotency.fingerprint(lifecycle.fingerprint_fields(data))
    first = idempotency.replay(db, account_number, key, fp, stale=lifecycle.interrupted)
    if isinstance(first, idempotency.Interrupted):
        return resume(db, processor, first.payment_id, today)
    if first is not None:
        return first
    with db.transaction() as tx:  # no card testing: declines are limited (carding.py)
        carding.check_declines(tx.session, account_number)
    if check_security_code is not None:
        check_security_code(user_id, data.get("security_code"))
    # asked before the transaction: no RPC while it is open
    allowance = payment_allowance(account_number) if payment_allowance is not None else None
    try:
        with db.transaction() as tx:
            method = methods.find(tx.session, account_number, data["payment_method_id"])
            if allowance is not None:
                limits.lock_account(tx.session, account_number)
                limits.check(tx.session, account_number, data["amount_cents"], allowance)
            payment = lifecycle.new(tx.session, account_number, method, data["amount_cents"],
                                   user_id=user_id, scheduled_for=data["scheduled_for"])
            idempotency.claim(tx.session, account_number, key, fp, payment.id)
            if payment.status == "scheduled":
                tx.emit("payment_scheduled", lifecycle.scheduled_event(payment))
                result = lifecycle.public(payment, method)
                idempotency.record(tx.session, account_number, key, result)
                return result
    except IntegrityError:
        # a concurrent request with this key won the insert: answer with its payment
        return idempotency.replay(db, account_number, key, fp)
    outcome = lifecycle.charge(processor, payment, method)
    if outcome.status == "unknown":
        # the processor may have charged: the payment stays pending with its key in flight,
        # finished under the same processor key by this key's retry or the next payment run
        return lifecycle.public(payment, method)
    with db.transaction() as tx:
        payment = lifecycle.record_charge(tx, payment.id, payment.attempts, method, outcome, today)
        result = lifecycle.public(payment, method)
        idempotency.record(tx.session, account_number, key, result)
    return result


def resume(db, processor, payment_id, today):
    """The retry of a request whose first attempt died between claiming its key and recording
    the charge (the payments process was killed): charge again under the same processor key,
    which returns the first charge if there was one, and record the outcome once. Raises
    Conflict when the processor cannot say (the key stays in flight; retry later)."""
    with db.transaction() as tx:
        payment = tx.session.get(Payment, payment_id)
        method = methods.find_any(tx.session, payment.payment_method_id)
        tx.session.expunge_all()
    result = finish_charge(db, processor, payment, method, today)
    if result is None:
        raise Conflict("A request with this Idempotency-Key is still being processed. "
                       "Retry in a moment.")
    return result


def finish_charge(db, processor, payment, method, today):
    """Charge an interrupted ``payment`` again under its processor key (which returns the
    first charge if there was one), record the outcome once and answer its Idempotency-Key
    with it. Returns the payment (public dict), or None when the processor still cannot say."""
    outcome = lifecycle.charge(processor, payment, method)
    if outcome.status == "unknown":
        return None
    with db.transaction() as tx:
        recorded = lifecycle.record_charge(tx, payment.id, payment.attempts, method, outcome,
                                          today)
        result = lifecycle.public(recorded, method)
        idempotency.record_for_payment(tx.session, payment.id, result)
    return result
