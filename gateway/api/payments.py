"""Payment methods, payments and autopay.

Bodies are checked here for shape (so the OpenAPI document shows them) and passed to the
payments service as sent; the service is the one place for the rules (Luhn, ABA, expiry,
idempotency, the security code). A card's number and CVC pass through to the service, which
hands them to the processor adapter only.
"""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import payments
from services.contracts import paging
from services.contracts import payments as schemas

bp = ApiBlueprint("payments", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "pay"),
                  description="Payment methods, payments and autopay.")

IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": True,
                   "schema": {"type": "string", "maxLength": 255},
                   "description": "A unique key per payment (a UUID). The same key with the "
                                  "same body returns the first payment; with another body, 409."}
ACCOUNT = "/accounts/<string:account_number>"


def _user_id():
    return access.current_user()["user_id"]


@bp.get(f"{ACCOUNT}/payment-methods")
@bp.response(200, schemas.PaymentMethodList)
@bp.alt_response(404, description="No such account for you")
@bp.doc(operationId="listPaymentMethods")
@access.account_scope("view")
def list_methods(account_number):
    """The account's payment methods

    The account's cards and bank accounts (brand or bank, last four digits, expiry)."""
    return {"items": payments.list_payment_methods(account_number)}


@bp.post(f"{ACCOUNT}/payment-methods")
@bp.arguments(schemas.PaymentMethodRequest)
@bp.response(201, schemas.PaymentMethod)
@bp.alt_response(400, description="Invalid number, routing number, expiry or CVC")
@bp.alt_response(403, description="Your role may not pay")
@bp.alt_response(422, description="Declined by the processor")
@bp.alt_response(429, description="Too many cards or bank accounts tried on this account in the last hour; see Retry-After")
@bp.doc(operationId="addPaymentMethod")
def add_method(_validated, account_number):
    """Add a payment method

    Add a card (``type: card``) or US bank account (``type: bank_account``)."""
    return payments.add_payment_method(account_number, request.get_json(), actor())


@bp.delete(f"{ACCOUNT}/payment-methods/<string:method_id>")
@bp.response(204)
@bp.alt_response(404, description="No such payment method on this account")
@bp.alt_response(409, description="Autopay uses this method")
@bp.doc(operationId="removePaymentMethod")
def remove_method(account_number, method_id):
    """Remove a payment method

    Remove a payment method; its scheduled payments are canceled."""
    payments.remove_payment_method(account_number, method_id, actor())
    return ""


@bp.post(f"{ACCOUNT}/payments")
@bp.arguments(schemas.PaymentRequest)
@bp.response(201, schemas.Payment)
@bp.alt_response(400, description="Invalid fields, or no Idempotency-Key")
@bp.alt_response(403, description="Your role may not pay")
@bp.alt_response(404, description="No such payment method on this account")
@bp.alt_response(409, description="Idempotency-Key reused with another body")
@bp.alt_response(422, description="Wrong security code, or more than the account owes plus "
                                   "one month ahead (the largest of its last three statements)")
@bp.alt_response(429, description="Too many of the account's payments declined in the last hour; see Retry-After")
@bp.doc(operationId="createPayment", parameters=[IDEMPOTENCY_KEY])
def create_payment(_validated, account_number):
    """Make a payment

    Pay now, or on ``scheduled_for``. A decline is a 201 with ``status: failed`` and a
    ``failure_reason``. A payment may be at most what the account owes plus one month ahead
    (the largest amount due of its last three statements; none yet: only what it owes): more
    is a 422 and nothing is charged. A scheduled payment is checked again when it runs, and
    fails uncharged (``failure_reason`` says why) if the account then owes less."""
    return payments.create_payment(account_number, request.get_json(),
                                   request.headers.get("Idempotency-Key"), _user_id())


@bp.get(f"{ACCOUNT}/payments")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, schemas.PaymentList)
@bp.doc(operationId="listPayments")
@access.account_scope("view")
def list_payments(query, account_number):
    """The account's payments

    Payment history, newest first (``limit`` 1-100, ``cursor``)."""
    return payments.list_payments(account_number, query["limit"], query["cursor"])


@bp.get(f"{ACCOUNT}/payments/<string:payment_id>")
@bp.response(200, schemas.Payment)
@bp.alt_response(404, description="No such payment")
@bp.doc(operationId="getPayment")
@access.account_scope("view")
def get_payment(account_number, payment_id):
    """One payment

    One payment and its status."""
    return payments.get_payment(account_number, payment_id)


@bp.post(f"{ACCOUNT}/payments/<string:payment_id>/cancel")
@bp.response(200, schemas.Payment)
@bp.alt_response(404, description="No such payment")
@bp.alt_response(409, description="Not a scheduled payment")
@bp.doc(operationId="cancelPayment")
def cancel_payment(account_number, payment_id):
    """Cancel a scheduled payment

    Cancel a scheduled payment before it runs."""
    return payments.cancel_payment(account_number, payment_id)


@bp.get(f"{ACCOUNT}/autopay")
@bp.response(200, schemas.Autopay)
@bp.doc(operationId="getAutopay")
@access.account_scope("view")
def get_autopay(account_number):
    """The account's autopay

    Whether autopay is on, with which method, its limit per statement
    (`max_amount_cents`, null: none) and the next automatic payment waiting for its date
    (`next_draft`: date and amount, or null)."""
    return payments.autopay_or_off(account_number)


@bp.put(f"{ACCOUNT}/autopay")
@bp.arguments(schemas.AutopayRequest)
@bp.response(200, schemas.Autopay)
@bp.alt_response(404, description="No such payment method on this account")
@bp.doc(operationId="setAutopay")
def put_autopay(_validated, account_number):
    """Set up autopay

    Turn autopay on (or off) with a payment method: each new statement's amount due is
    paid on its due date. With `max_amount_cents`, a statement above it is not drafted: the
    account's admins and billing users are told at once and the bill stays due (a payment
    already scheduled above a new, lower limit is canceled). Left out, there is no limit.
    A notice goes out `AUTOPAY_NOTICE_DAYS` (3) days before each draft, with the amount,
    the date and the method."""
    return payments.set_autopay(account_number, request.get_json(), actor())


@bp.delete(f"{ACCOUNT}/autopay")
@bp.response(204)
@bp.alt_response(404, description="Autopay is not set up")
@bp.doc(operationId="cancelAutopay")
def delete_autopay(account_number):
    """Turn autopay off

    New statements are no longer paid automatically; the payment method stays on the
    account. A payment autopay already scheduled still runs unless canceled
    (`cancelPayment`)."""
    payments.cancel_autopay(account_number, actor())
    return ""
