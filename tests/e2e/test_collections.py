"""Collections (issue 15, dunning) end to end through the gateway, on the real services, broker
and PostgreSQL: staff's collections runs remind at 1, 7 and 14 days past due (each reminder
mailed once however often a run runs) and suspend at 30 (billing.account_suspended, as the
network team reads it off billing's exchange); a suspended account can still sign in, read,
download and pay; a payment covering part of the past-due amount does not restore it, the
rest does at once (billing.account_restored); a bank payment returned after restoring
suspends it again; a bad run request is a 400 problem document that changes nothing."""
import pytest
from kombu import Connection

from tests.support.auth_helpers import bearer, mail_with, mails_to, new_user
from tests.support.containers import events_queue
from tests.support.payment_methods import BANK, CARD
from tests.support.api_client import (add_method, bill, overview, paid, payment_run,
                                      statements, summary)
from tests.support.system import eventually

STATEMENT = "2026-09-15"  # due 2026-10-06: well past on the services' clock


def collect(system, day, number):
    response = system.staff().post(system.url("/internal/v1/collection-runs"), json={
        "run_date": day, "account_numbers": [number]}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def billing_events(system, queue, number, kind):
    """The billing.<kind> events of ``number`` waiting on our own queue (as a team's)."""
    found = []
    with Connection(system.env["AMQP_URI"]) as conn:
        simple = conn.SimpleQueue(queue)
        while True:
            try:
                message = simple.get(timeout=1)
            except simple.Empty:
                break
            message.ack()
            body = message.payload
            if body["type"] == f"billing.{kind}" and body["data"]["account_number"] == number:
                found.append(body["data"])
        simple.close()
    return found


@pytest.fixture
def team_queues(system):
    """Two queues bound to billing's exchange as the network team's would be; deleted after."""
    queues = [events_queue(system.env["AMQP_URI"], "billing", kind)
              for kind in ("account_suspended", "account_restored")]
    yield queues
    with Connection(system.env["AMQP_URI"]) as conn:
        for queue in queues:
            queue(conn.channel()).delete()


def test_dunning_reminds_three_times_suspends_and_paying_restores_until_a_return(system,
                                                                                 team_queues):
    suspended_q, restored_q = team_queues
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    bill(system, number, STATEMENT)
    owed = summary(system, admin, number)["amount_due_cents"]

    assert collect(system, "2026-10-06", number)["reminders_sent"] == 0  # due that day
    for day in ("2026-10-07", "2026-10-13", "2026-10-20"):
        assert collect(system, day, number) == {"reminders_sent": 1, "suspended": 0,
                                                "restored": 0}
        assert collect(system, day, number)["reminders_sent"] == 0  # the same day again
    eventually(lambda: len([m for m in mails_to(system, owner["email"])
                            if m["Subject"].startswith("Past due:")]) == 3, timeout=20)
    assert summary(system, admin, number)["status"] == "active"
    assert collect(system, "2026-11-05", number) == {"reminders_sent": 0, "suspended": 1,
                                                     "restored": 0}
    assert collect(system, "2026-11-05", number)["suspended"] == 0
    mail_with(system, owner["email"], "is suspended for non-payment")
    [suspended] = eventually(lambda: billing_events(system, suspended_q, number,
                                                    "account_suspended"))
    assert suspended["cause"] == "past_due" and suspended["days_past_due"] == 30
    assert suspended["past_due_cents"] == owed
    assert len([m for m in mails_to(system, owner["email"])
                if m["Subject"].startswith("Past due:")]) == 3  # none since

    # suspended: still signs in, reads, downloads and pays
    now = summary(system, admin, number)
    assert now["status"] == "suspended" and now["past_due_cents"] == owed
    assert overview(system, number)["status"] == "suspended"
    invoice = now["invoice_number"]
    assert statements(system, admin, number)
    pdf = admin.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}/pdf"),
                    timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    card = add_method(system, admin, number, CARD)
    assert paid(system, admin, number, owed - 1000, card["id"])["status"] == "succeeded"
    eventually(lambda: summary(system, admin, number)["past_due_cents"] == 1000)
    assert summary(system, admin, number)["status"] == "suspended"  # part does not restore

    # the rest by a bank account whose debit settles, then comes back
    bouncing = add_method(system, admin, number, dict(BANK, account_number="000123450002"))
    debit = paid(system, admin, number, 1000, bouncing["id"])
    assert debit["status"] == "pending"
    assert payment_run(system, "2026-12-02")["settled"] >= 1
    eventually(lambda: summary(system, admin, number)["status"] == "active", timeout=20)
    [restored] = eventually(lambda: billing_events(system, restored_q, number,
                                                   "account_restored"))
    assert restored["payment_id"] == debit["id"] and restored["balance_cents"] == 0
    mail_with(system, owner["email"], "is restored")
    assert payment_run(system, "2026-12-03")["returned"] >= 1  # the bank returns it
    eventually(lambda: summary(system, admin, number)["status"] == "suspended", timeout=20)
    again = eventually(lambda: billing_events(system, suspended_q, number,
                                              "account_suspended"))
    assert [e["cause"] for e in again] == ["payment_returned"]
    assert again[0]["past_due_cents"] == 1000 + 2500  # and the returned-payment fee


def test_a_bad_collections_run_is_a_400_problem_and_a_customer_may_not_run_one(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    bill(system, number, STATEMENT)
    for body in ({}, {"run_date": "2026-02-30"}, {"run_date": "1999-12-31"},
                 {"run_date": "2026-11-05", "account_numbers": []},
                 {"run_date": "2026-11-05", "account_numbers": [number[:-1]]},
                 {"run_date": "2026-11-05", "account_numbers": number}):
        response = system.staff().post(system.url("/internal/v1/collection-runs"), json=body,
                                       timeout=10)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == 400
    refused = admin.post(system.url("/internal/v1/collection-runs"),
                         json={"run_date": "2026-11-05", "account_numbers": [number]},
                         timeout=10)
    assert refused.status_code == 403
    assert summary(system, admin, number)["status"] == "active"
    assert not [m for m in mails_to(system, owner["email"]) if "Past due" in m["Subject"]]
