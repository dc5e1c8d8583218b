"""Making a payment from a customer's request: idempotency, security code, charge, record.

Three short transactions, so that no database transaction is held open while the processor
is called: (1) claim the Idempotency-Key together with the new payment row, (2) charge,
(3) record the outcome, its event and the key's response. A crash between (1) and (3) leaves a
``pending`` payment with no processor reference, which the next payment run charges again
under the same processor idempotency key (runs.recover_in_flight), so it is never unknown.
"""
from sqlalchemy.exc import IntegrityError

from services.payments import idempotency, methods, payments
from services.payments.models import Payment


def make_payment(db, processor, account_number, request, key, *, user_id=None,
                 check_security_code=None, today=None):
    """Returns the payment (public dict). Raises InvalidInput, NotFound (method), Conflict
    (key reused with another body, or still in flight), Refused (security code)."""
    today = today or payments.today_utc()
    key = idempotency.check_key(key)
    data = payments.load_request(request, today)
    fp = idempotency.fingerprint(payments.fingerprint_fields(data))
    first = idempotency.replay(db, account_number, key, fp)
    if first is not None:
        return first
    if check_security_code is not None:
        check_security_code(user_id, data.get("security_code"))
    try:
        with db.transaction() as tx:
            method = methods.find(tx.session, account_number, data["payment_method_id"])
            payment = payments.new(tx.session, account_number, method, data["amount_cents"],
                                   user_id=user_id, scheduled_for=data["scheduled_for"])
            idempotency.claim(tx.session, account_number, key, fp, payment.id)
            if payment.status == "scheduled":
                tx.emit("payment_scheduled", payments.scheduled_event(payment))
                result = payments.public(payment, method)
                idempotency.record(tx.session, account_number, key, result)
                return result
    except IntegrityError:
        # a concurrent request with this key won the insert: answer with its payment
        return idempotency.replay(db, account_number, key, fp)
    outcome = payments.charge(processor, payment, method)
    with db.transaction() as tx:
        payment = tx.session.get(Payment, payment.id)
        payments.apply_charge(tx, payment, method, outcome, today)
        result = payments.public(payment, method)
        idempotency.record(tx.session, account_number, key, result)
    return result
