"""billing in a container on a real broker and database (SQLite and PostgreSQL): a refund
(``payments.payment_refunded``) goes back on the ledger once, however it is redelivered, and
shows on the activity, the balance and the next statement."""
import uuid
from datetime import datetime, timezone

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from tests.support.billing_accounts import billing  # noqa: F401 (the fixture)
from tests.support.containers import hook


def envelope(kind, data, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "type": f"payments.{kind}",
            "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
            "version": 1, "request_id": None, "data": data}


def test_a_refund_puts_its_amount_back_on_the_balance_once(billing, vhost):  # noqa: F811
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    due = hook(container, "get_account_summary", number)["amount_due_cents"]
    dispatch = event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})
    paid = {"account_number": number, "payment_id": "pay-r", "amount_cents": 5000,
            "currency": "USD", "method_type": "card", "last4": "4242"}
    with entrypoint_waiter(container, "on_payment_succeeded"):
        dispatch("payments", "payment_succeeded", envelope("payment_succeeded", paid))
    refunded = dict(paid, refund_id="refund-1", amount_cents=2000, refunded_cents=2000,
                    reason="Charged twice", user_id=None)
    first = envelope("payment_refunded", refunded)
    # the same event redelivered, and the same refund published again under a new event id
    for event in (first, first, envelope("payment_refunded", refunded)):
        with entrypoint_waiter(container, "on_payment_refunded"):
            dispatch("payments", "payment_refunded", event)
    summary = hook(container, "get_account_summary", number)
    assert summary["amount_due_cents"] == due - 5000 + 2000
    assert summary["last_payment"]["amount_cents"] == 5000  # a refund is not a payment
    activity = hook(container, "get_activity", number)["items"]
    assert [a["kind"] for a in activity[:2]] == ["refund", "payment"]
    assert activity[0]["amount_cents"] == 2000
    assert activity[0]["description"] == "Refund to your card ending 4242"
    assert activity[0]["balance_cents"] == due - 3000
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    newest = hook(container, "list_statements", number)["items"][0]
    assert (newest["payments_cents"], newest["adjustments_cents"]) == (5000, 2000)
    assert newest["amount_due_cents"] == due - 3000 + newest["new_charges_cents"]
