"""Staff: refunding all or part of a customer's payment."""
from flask import request

from gateway.api.payments import IDEMPOTENCY_KEY
from gateway.clients import payments
from gateway.staff import bp
from services.contracts.payments import Refund, RefundRequest

REFUND_KEY = dict(IDEMPOTENCY_KEY, description=(
    "A unique key per refund (a UUID). The same key with the same body returns the first "
    "refund and gives nothing back twice; with another body, 409."))


@bp.post("/accounts/<account_number>/payments/<payment_id>/refunds")
@bp.arguments(RefundRequest)
@bp.response(201, Refund)
@bp.alt_response(400, description="Invalid fields, or no Idempotency-Key")
@bp.alt_response(404, description="No such payment on this account")
@bp.alt_response(409, description="Idempotency-Key reused with another body, or its first "
                                  "request still being processed")
@bp.alt_response(422, description="Not a succeeded payment, a bank payment the bank may still "
                                  "return, or more than is left of it to refund")
@bp.doc(operationId="refundPayment", parameters=[REFUND_KEY])
def refund_payment(_validated, account_number, payment_id):
    """Refund a payment

    Give back ``amount_cents`` of a succeeded payment (all of it or part; several refunds may
    follow each other up to what it took) through the payment processor, exactly once per
    ``Idempotency-Key``. The refund goes back on the account's balance (activity kind
    ``refund``), the payer and the account's admins and billing users are mailed a receipt,
    and ``payments.payment_refunded`` is emitted. ``status`` is ``succeeded``, ``failed``
    (the processor refused; ``failure_reason`` says why and nothing moved) or ``pending``
    (the processor could not say: retry the same key, or the next payment run finishes it).
    A bank payment is refundable once a payment run has checked that the bank did not
    return it."""
    return payments.refund_payment(account_number, payment_id, request.get_json(),
                                   request.headers.get("Idempotency-Key"))
