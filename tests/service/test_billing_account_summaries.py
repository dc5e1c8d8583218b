"""billing: what several accounts owe and by when, answered in one RPC (the gateway's account
list), in a container on SQLite and PostgreSQL."""
import uuid
from datetime import datetime, timezone

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from tests.support.billing_accounts import OPEN, billing  # noqa: F401 (billing: fixture)
from tests.support.containers import hook

UNKNOWN = "4000000000000002"


def _pay(container, vhost, number, cents):
    envelope = {"event_id": str(uuid.uuid4()), "type": "payments.payment_succeeded",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
                "version": 1, "request_id": None,
                "data": {"account_number": number, "payment_id": str(uuid.uuid4()),
                         "amount_cents": cents, "currency": "USD", "method_type": "card",
                         "last4": "4242"}}
    with entrypoint_waiter(container, "on_payment_succeeded"):
        event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})(
            "payments", "payment_succeeded", envelope)


def test_one_call_gives_each_accounts_amount_due_and_due_date_as_its_summary_does(billing,
                                                                                 vhost):
    container, billed = billing
    second = hook(container, "open_account", {**OPEN, "company_name": "Second Site"})[
        "account_number"]
    never_billed = hook(container, "open_account", {**OPEN, "company_name": "New Site"})[
        "account_number"]
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [billed, second]})
    hook(container, "issue_statements", {"statement_date": "2026-12-01",
                                         "account_numbers": [billed]})
    _pay(container, vhost, second, 1234)

    batch = hook(container, "get_account_summaries", [billed, second, never_billed, UNKNOWN])

    assert set(batch) == {billed, second, never_billed}  # the unknown one is left out
    for number in (billed, second, never_billed):
        one = hook(container, "get_account_summary", number)
        assert batch[number] == {key: one[key] for key in (
            "account_number", "company_name", "amount_due_cents", "currency", "due_date")}
    assert batch[billed]["due_date"] == "2026-12-22"  # the newest statement's
    assert batch[second]["due_date"] == "2026-11-22"
    assert batch[second]["company_name"] == "Second Site"
    assert batch[never_billed]["amount_due_cents"] == 0
    assert batch[never_billed]["due_date"] is None


def test_an_account_in_credit_owes_nothing_and_an_empty_list_is_an_empty_answer(billing,
                                                                                vhost):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    due = hook(container, "get_account_summary", number)["amount_due_cents"]
    _pay(container, vhost, number, due + 500)
    assert hook(container, "get_account_summaries", [number])[number]["amount_due_cents"] == 0
    assert hook(container, "get_account_summaries", []) == {}
    assert hook(container, "get_account_summaries", [UNKNOWN]) == {}
