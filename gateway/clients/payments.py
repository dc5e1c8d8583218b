"""Payments' RPCs as the gateway uses them: payment methods, payments, autopay and the staff's
payment runs. ``actor`` is services.contracts.actor's ``{user_id, ip, user_agent}``
(gateway.actors), which payments puts on its events for identity's audit trail."""
from gateway.rpc import call

RUN_TIMEOUT = 120  # every payment due on the date, charged one after the other

AUTOPAY_OFF = {"enabled": False, "payment_method_id": None, "max_amount_cents": None,
               "next_draft": None}


def list_payment_methods(account_number):
    return call("payments", "list_payment_methods", account_number)


def add_payment_method(account_number, body, actor):
    return call("payments", "add_payment_method", account_number, body, actor=actor)


def remove_payment_method(account_number, method_id, actor):
    return call("payments", "remove_payment_method", account_number, method_id, actor=actor)


def create_payment(account_number, body, idempotency_key, user_id):
    """The payment; a decline is a payment with status ``failed``."""
    return call("payments", "create_payment", account_number, body, idempotency_key,
                user_id=user_id)


def list_payments(account_number, limit, cursor=None):
    """``{items, next_cursor}``, newest first."""
    return call("payments", "list_payments", account_number, limit, cursor)


def get_payment(account_number, payment_id):
    return call("payments", "get_payment", account_number, payment_id)


def cancel_payment(account_number, payment_id):
    return call("payments", "cancel_payment", account_number, payment_id)


def refund_payment(account_number, payment_id, body, idempotency_key):
    """The refund; a processor's refusal is a refund with status ``failed``."""
    return call("payments", "refund_payment", account_number, payment_id, body,
                idempotency_key)


def get_autopay(account_number):
    """``{enabled, payment_method_id, max_amount_cents, next_draft}``, or None when autopay
    was never set up."""
    return call("payments", "get_autopay", account_number)


def autopay_or_off(account_number):
    """The account's autopay as shown to the customer: never set up reads as off."""
    return get_autopay(account_number) or dict(AUTOPAY_OFF)


def set_autopay(account_number, body, actor):
    return call("payments", "set_autopay", account_number, body, actor=actor)


def cancel_autopay(account_number, actor):
    return call("payments", "cancel_autopay", account_number, actor=actor)


def run_payments(run_date):
    """``run_date`` an ISO date; the counts of what ran."""
    return call("payments", "run_payments", run_date, timeout=RUN_TIMEOUT)
