"""Collections (issue 15, dunning) in billing's container on a real broker and database, SQLite
and PostgreSQL: reminders at 1, 7 and 14 days past due, each once however often the run runs;
suspension at SUSPEND_AFTER_DAYS; a payment that covers the past-due amount restores the
account at once, one that covers part does not; a returned payment suspends it again; the
same event delivered twice changes nothing."""
import json
import uuid
from datetime import datetime, timezone

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.billing.service import BillingService
from tests.support.billing_accounts import OPEN
from services.contracts.errors import InvalidInput
from tests.support.containers import execute, hook, rows

STATEMENT = "2026-09-01"  # due 2026-09-22: long past on the services' own clock


def events(container, kind):
    return [json.loads(body)["data"] for (body,) in rows(
        container, "SELECT body FROM outbox WHERE event_type = :t ORDER BY created_at",
        t=f"billing.{kind}")]


def run(container, day, number):
    return hook(container, "run_collections", {"run_date": day, "account_numbers": [number]})


def deliver(container, vhost, name, data, event_id=None):
    envelope = {"event_id": event_id or str(uuid.uuid4()), "type": f"payments.{name}",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
                "version": 1, "request_id": None, "data": data}
    with entrypoint_waiter(container, f"on_{name}"):
        event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})(
            "payments", name, envelope)
    return envelope["event_id"]


def pay(container, vhost, number, cents, payment_id=None, event_id=None):
    payment_id = payment_id or str(uuid.uuid4())
    deliver(container, vhost, "payment_succeeded", {
        "account_number": number, "payment_id": payment_id, "amount_cents": cents,
        "currency": "USD", "method_type": "bank_account", "last4": "6789"}, event_id)
    return payment_id


def status(container, number):
    return hook(container, "get_account_summary", number)["status"]


def billed(start_service, **config):
    container = start_service(BillingService, **config)
    number = hook(container, "open_account", OPEN)["account_number"]
    hook(container, "issue_statements", {"statement_date": STATEMENT,
                                         "account_numbers": [number]})
    return container, number


def test_reminders_go_at_1_7_and_14_days_each_once_and_day_30_suspends(start_service):
    container, number = billed(start_service)
    assert run(container, "2026-09-22", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 0}  # due today: not late
    assert run(container, "2026-09-23", number)["reminders_sent"] == 1
    assert run(container, "2026-09-23", number)["reminders_sent"] == 0  # the same day again
    assert run(container, "2026-09-26", number)["reminders_sent"] == 0
    assert run(container, "2026-10-01", number)["reminders_sent"] == 1  # day 9: day 7's, late
    assert run(container, "2026-10-02", number)["reminders_sent"] == 0
    assert run(container, "2026-10-06", number)["reminders_sent"] == 1
    assert run(container, "2026-10-21", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 0}  # day 29
    assert status(container, number) == "active"
    assert run(container, "2026-10-22", number) == {"reminders_sent": 0, "suspended": 1,
                                                   "restored": 0}
    assert run(container, "2026-10-22", number)["suspended"] == 0
    assert run(container, "2026-11-30", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 0}  # suspended: no reminder
    overdue = events(container, "payment_overdue")
    assert [(e["stage"], e["days_past_due"]) for e in overdue] == [(1, 1), (7, 9), (14, 14)]
    owed = hook(container, "list_statements", number)["items"][0]
    assert {e["due_date"] for e in overdue} == {"2026-09-22"}
    assert {e["invoice_number"] for e in overdue} == {owed["invoice_number"]}
    assert {e["suspend_on"] for e in overdue} == {"2026-10-22"}
    assert [e["past_due_cents"] for e in overdue] == [owed["amount_due_cents"]] * 3
    [suspended] = events(container, "account_suspended")
    assert suspended == {"account_number": number, "past_due_cents": owed["amount_due_cents"],
                         "days_past_due": 30, "invoice_number": owed["invoice_number"],
                         "suspended_on": "2026-10-22", "currency": "USD", "cause": "past_due"}
    assert status(container, number) == "suspended"
    overview = hook(container, "get_account_overview", number)
    assert overview["status"] == "suspended"


def test_part_of_the_past_due_amount_does_not_restore_the_rest_does_at_once(start_service,
                                                                          vhost):
    container, number = billed(start_service)
    run(container, "2026-10-22", number)
    owed = hook(container, "get_account_summary", number)["past_due_cents"]
    assert status(container, number) == "suspended"
    pay(container, vhost, number, owed - 1)
    assert status(container, number) == "suspended"  # one cent short
    assert events(container, "account_restored") == []
    payment_id = pay(container, vhost, number, 1)
    assert status(container, number) == "active"
    [restored] = events(container, "account_restored")
    assert restored["payment_id"] == payment_id and restored["balance_cents"] == 0
    assert restored["account_number"] == number
    # the same payment delivered again (a redelivery, a new event id) restores nothing twice
    pay(container, vhost, number, 1, payment_id=payment_id)
    assert len(events(container, "account_restored")) == 1
    assert run(container, "2026-10-23", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 0}


def test_a_returned_payment_after_restoring_suspends_again_at_once(start_service, vhost):
    container, number = billed(start_service)
    run(container, "2026-10-22", number)
    owed = hook(container, "get_account_summary", number)["past_due_cents"]
    payment_id = pay(container, vhost, number, owed)
    assert status(container, number) == "active"
    returned = {"account_number": number, "payment_id": payment_id, "amount_cents": owed,
                "reason": "insufficient funds"}
    event_id = deliver(container, vhost, "payment_returned", returned)
    assert status(container, number) == "suspended"
    again = events(container, "account_suspended")
    assert [e["cause"] for e in again] == ["past_due", "payment_returned"]
    assert again[-1]["past_due_cents"] == owed + 2500  # and the returned-payment fee
    deliver(container, vhost, "payment_returned", returned, event_id)  # redelivered
    assert len(events(container, "account_suspended")) == 2
    summary = hook(container, "get_account_summary", number)
    pay(container, vhost, number, summary["past_due_cents"])
    assert status(container, number) == "active"


def test_a_run_restores_an_account_that_owes_nothing_past_due_and_closed_ones_are_left(
        start_service):
    container, number = billed(start_service)
    run(container, "2026-10-22", number)
    # the next statement is issued and the account is credited outside a payment (a staff
    # credit, for instance): only a run sees it
    execute(container, "INSERT INTO ledger_entries (account_id, entry_date, kind, description, "
            "amount_cents, reference, posted_at) SELECT id, '2026-10-25', 'credit', 'Goodwill', "
            "-(SELECT sum(amount_cents) FROM ledger_entries e WHERE e.account_id = accounts.id),"
            " 'goodwill-1', '2026-10-25T00:00:00+00:00' FROM accounts WHERE account_number = :n",
            n=number)
    assert run(container, "2026-10-26", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 1}
    [restored] = events(container, "account_restored")
    assert restored["payment_id"] is None and restored["restored_on"] == "2026-10-26"
    execute(container, "UPDATE accounts SET status = 'closed' WHERE account_number = :n",
            n=number)
    execute(container, "DELETE FROM ledger_entries WHERE reference = 'goodwill-1'")
    assert run(container, "2026-11-30", number) == {"reminders_sent": 0, "suspended": 0,
                                                   "restored": 0}


def test_suspend_after_days_comes_from_the_configuration(start_service):
    container, number = billed(start_service, SUSPEND_AFTER_DAYS=45)
    assert run(container, "2026-10-22", number)["suspended"] == 0
    assert run(container, "2026-11-06", number)["suspended"] == 1


def test_a_bad_run_request_is_refused_and_changes_nothing(start_service):
    container, number = billed(start_service)
    for bad in ({}, {"run_date": "2026-13-01"}, {"run_date": "1999-12-31"},
                {"run_date": "2026-10-22", "account_numbers": []},
                {"run_date": "2026-10-22", "account_numbers": ["12"]}):
        with pytest.raises(InvalidInput):
            hook(container, "run_collections", bad)
    assert status(container, number) == "active" and events(container, "payment_overdue") == []


def test_an_autopay_still_being_retried_does_not_count_as_unpaid_until_its_last_try(
        start_service, vhost):
    container, number = billed(start_service)
    failed = {"account_number": number, "payment_id": str(uuid.uuid4()), "amount_cents": 100,
              "reason": "Your card has insufficient funds.", "user_id": None,
              "will_retry": True}
    for retry_on in ("2026-09-23", "2026-09-25", "2026-09-27"):  # 1, 3 and 5 days after
        event_id = deliver(container, vhost, "payment_failed", dict(failed, retry_on=retry_on))
    deliver(container, vhost, "payment_failed", dict(failed, retry_on="2026-09-25"), event_id)
    deliver(container, vhost, "payment_failed", dict(failed, will_retry=False, retry_on=None))
    for day in ("2026-09-23", "2026-09-25", "2026-09-27"):
        assert run(container, day, number)["reminders_sent"] == 0
    assert run(container, "2026-09-28", number)["reminders_sent"] == 1  # day 6: day 1's
    assert [e["stage"] for e in events(container, "payment_overdue")] == [1]


def test_a_staff_credit_that_covers_the_past_due_amount_restores_at_once_part_does_not(
        start_service):
    container, number = billed(start_service)
    run(container, "2026-10-22", number)
    owed = hook(container, "get_account_summary", number)["past_due_cents"]
    hook(container, "issue_credit", number, {"amount_cents": owed - 1, "reason": "Outage"},
         str(uuid.uuid4()))
    assert status(container, number) == "suspended" and events(container, "account_restored") == []
    hook(container, "issue_credit", number, {"amount_cents": 1, "reason": "Goodwill"},
         str(uuid.uuid4()))
    assert status(container, number) == "active"
    [restored] = events(container, "account_restored")
    assert restored["payment_id"] is None and restored["balance_cents"] == 0
