"""payments on ``billing.account_closed`` (issue 15), in a nameko container on a real broker and
database (SQLite and PostgreSQL) with the real sandbox processor: autopay goes off, the
scheduled payments are canceled, and the credit balance billing asks for is refunded to the
newest refundable payments exactly once, however often the event is delivered."""
import uuid
from datetime import date

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_methods import CARD
from tests.support.payments_service import ACCOUNT, SOON, call, events, query, start_payments

assert start_payments  # the fixture, used by name


def closed(refund_cents, closure_id=None):
    return outbox.envelope("billing", "account_closed", {
        "account_number": ACCOUNT, "closure_id": closure_id or str(uuid.uuid4()),
        "effective_date": date(2026, 12, 17), "reason": "Moving", "final_invoice_number": "1",
        "balance_cents": -refund_cents, "amount_due_cents": 0, "refund_cents": refund_cents,
        "credit_left_cents": 0, "currency": "USD", "read_only_until": date(2028, 6, 17)})


def test_a_closure_cancels_autopay_and_scheduled_payments_and_refunds_once(
        start_payments, vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)["id"]
    older = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 3000, "payment_method_id": method}, "p-1", user_id="u")
    newer = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 1000, "payment_method_id": method}, "p-2", user_id="u")
    scheduled = call(container, "create_payment", ACCOUNT,
                     {"amount_cents": 700, "payment_method_id": method,
                      "scheduled_for": SOON}, "p-3", user_id="u")
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": method, "enabled": True})
    assert call(container, "get_refundable", ACCOUNT)["refundable_cents"] == 4000

    event = closed(1800)
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    for _ in range(3):  # redeliveries give nothing back twice
        with entrypoint_waiter(container, "on_account_closed", timeout=15):
            dispatch("billing", "account_closed", event)

    refunds = query(container, "SELECT payment_id, amount_cents, status FROM refunds "
                               "ORDER BY amount_cents DESC")
    # the newest payment first, all of it; the rest from the one before
    assert refunds == [(newer["id"], 1000, "succeeded"), (older["id"], 800, "succeeded")]
    given = events(container, "payment_refunded")
    assert sorted(e["amount_cents"] for e in given) == [800, 1000]
    status = dict(query(container, "SELECT id, status FROM payments"))
    assert status[scheduled["id"]] == "canceled"
    assert call(container, "get_autopay", ACCOUNT)["enabled"] is False
    canceled = events(container, "payment_canceled")
    assert [(c["payment_id"], c["cause"]) for c in canceled] == [(scheduled["id"],
                                                                  "account_closed")]
    assert [e["enabled"] for e in events(container, "autopay_changed")][-1] is False
    assert call(container, "get_refundable", ACCOUNT)["refundable_cents"] == 2200


def test_without_a_refundable_payment_a_closure_refunds_nothing(start_payments, vhost):
    container = start_payments()
    assert call(container, "get_refundable", ACCOUNT)["refundable_cents"] == 0
    with entrypoint_waiter(container, "on_account_closed", timeout=15):
        event_dispatcher({"AMQP_URI": vhost[1]})("billing", "account_closed", closed(0))
    assert query(container, "SELECT count(*) FROM refunds") == [(0,)]
