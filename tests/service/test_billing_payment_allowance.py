"""billing's answer to "the most a payment may be" (issue 11, point 13), in a container on a
real broker and database: the balance plus the largest amount due of the last three
statements; with no statement, the balance; an account in credit is already ahead."""
import uuid
from datetime import datetime, timezone

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from tests.support.billing_accounts import billing  # noqa: F401 (fixture)
from tests.support.containers import hook

assert billing  # the fixture, used by name


def paid(container, vhost, number, cents):
    payment_id = str(uuid.uuid4())
    envelope = {"event_id": str(uuid.uuid4()), "type": "payments.payment_succeeded",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
                "version": 1, "request_id": None,
                "data": {"account_number": number, "payment_id": payment_id,
                         "amount_cents": cents, "currency": "USD", "method_type": "card",
                         "last4": "4242"}}
    with entrypoint_waiter(container, "on_payment_succeeded"):
        event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})(
            "payments", "payment_succeeded", envelope)
    return payment_id


def test_the_allowance_is_the_balance_plus_the_largest_of_the_last_three_statements(billing,
                                                                                     vhost):
    container, number = billing
    assert hook(container, "get_payment_allowance", number) == {
        "account_number": number, "balance_cents": 0, "amount_due_cents": 0, "ahead_cents": 0,
        "max_payment_cents": 0, "currency": "USD", "disputed_cents": 0,
        "applied_payment_ids": []}  # no statement yet: nothing beyond it
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    first = hook(container, "list_statements", number)["items"][0]["amount_due_cents"]
    allowance = hook(container, "get_payment_allowance", number)
    assert allowance["amount_due_cents"] == first and allowance["ahead_cents"] == first
    assert allowance["max_payment_cents"] == 2 * first

    payment = paid(container, vhost, number, 2 * first)  # a month ahead: nothing more now
    allowance = hook(container, "get_payment_allowance", number, [payment, "not-yet-applied"])
    assert allowance["balance_cents"] == -first and allowance["max_payment_cents"] == 0
    assert allowance["applied_payment_ids"] == [payment]  # the balance credits it

    for month in ("12", "01", "02"):  # the largest of the last three counts
        year = "2027" if month != "12" else "2026"
        hook(container, "issue_statements", {"statement_date": f"{year}-{month}-01"})
    recent = [s["amount_due_cents"] for s in hook(container, "list_statements",
                                                  number)["items"][:3]]
    allowance = hook(container, "get_payment_allowance", number)
    assert allowance["ahead_cents"] == max(recent)
    assert allowance["max_payment_cents"] == max(0, allowance["balance_cents"] + max(recent))
