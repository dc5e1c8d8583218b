"""A poison event in the running system: a billing.statement_issued without an account number,
published onto billing's real exchange, on which payments' and notifications' real handlers
fail. Each parks it after the bounded attempts; staff see it through the API and replay it;
a good statement published right after it is applied as usual."""
import subprocess
import sys
import time
import uuid

import requests
from nameko.standalone.events import event_dispatcher

from services.runtime import clock
from tests.support.api_client import bill
from tests.support.auth_helpers import login, new_user
from tests.support.system import ROOT, eventually

DEAD_LETTERS = "/internal/v1/dead-letters"


def poison(system):
    """A statement_issued envelope whose data lacks what every consumer needs."""
    body = {"event_id": str(uuid.uuid4()), "type": "billing.statement_issued",
            "occurred_at": clock.now().isoformat(), "source": "billing", "version": 1,
            "request_id": None, "data": {"invoice_number": f"POISON-{uuid.uuid4().hex[:8]}",
                                         "invoice_delivery": "paperless"}}
    event_dispatcher({"AMQP_URI": system.env["AMQP_URI"]})("billing", "statement_issued", body)
    return body


def parked(system, event_id, service=None, include_replayed=False):
    """The dead letters of that event, by service, found by paging through the list."""
    found, cursor = {}, None
    while True:
        params = {"limit": 100, "include_replayed": str(include_replayed).lower()}
        params.update({"service": service} if service else {})
        params.update({"cursor": cursor} if cursor else {})
        response = system.staff().get(system.url(DEAD_LETTERS), params=params, timeout=15)
        assert response.status_code == 200, response.text
        page = response.json()
        found.update({i["service"]: i for i in page["items"] if i["event_id"] == event_id})
        cursor = page["next_cursor"]
        if not cursor:
            return found


def paperless_customer(system):
    user = new_user(system)
    session = requests.Session()
    session.headers["Authorization"] = \
        f"Bearer {login(system, user['username']).json()['access_token']}"
    number = user["account_number"]
    delivery = session.put(system.url(f"/api/v1/accounts/{number}/invoice-delivery"),
                           json={"method": "paperless"}, timeout=10)
    assert delivery.status_code == 200, delivery.text
    return number, session


def test_a_poison_event_is_parked_listed_and_replayed_and_the_stream_flows_on(system):
    number, session = paperless_customer(system)
    started = time.monotonic()
    bad = poison(system)
    bill(system, number, "2026-11-15")

    def bill_ready_notice():
        items = session.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
        return [n for n in items if n["category"] == "bill_ready"]
    assert eventually(bill_ready_notice, timeout=60)  # the good statement is not held up

    def both_parked():
        found = parked(system, bad["event_id"])
        return found if {"payments", "notifications"} <= set(found) else None
    found = eventually(both_parked, timeout=90)
    print(f"\npoison parked by payments and notifications {time.monotonic() - started:.1f} s "
          f"after it was published")
    attempts = int(system.env["EVENT_MAX_ATTEMPTS"])
    for service, item in found.items():
        assert item["id"].startswith(f"{service}.") and item["status"] == "parked"
        assert item["event_type"] == "billing.statement_issued"
        assert item["queue"] == f"evt-billing-statement_issued--{service}.on_statement_issued"
        assert item["attempts"] == attempts and "account_number" in item["error"]
        assert item["body"]["data"] == bad["data"] and item["replay_count"] == 0
    assert set(parked(system, bad["event_id"], service="payments")) == {"payments"}

    first = found["notifications"]
    replay = system.staff().post(system.url(f"{DEAD_LETTERS}/{first['id']}/replay"), timeout=15)
    assert replay.status_code == 202, replay.text
    assert replay.json()["id"] == first["id"] and replay.json()["replayed_at"]

    def parked_again():
        """Replayed into its handler queue, it fails the same way and is parked once more."""
        item = parked(system, bad["event_id"], service="notifications").get("notifications")
        return item if item and item["parked_at"] > first["parked_at"] else None
    again = eventually(parked_again, timeout=60)
    assert (again["id"], again["replay_count"], again["attempts"]) == (first["id"], 1, attempts)
    # payments' copy was not replayed with it: a replay goes to one handler queue only
    assert parked(system, bad["event_id"], service="payments")["payments"]["replay_count"] == 0

    for unknown in ("notifications.999999999", "nobody.1", "garbage"):
        missing = system.staff().post(system.url(f"{DEAD_LETTERS}/{unknown}/replay"), timeout=15)
        assert missing.status_code == 404, (unknown, missing.text)
        assert missing.headers["Content-Type"] == "application/problem+json"

    # ops without the gateway: the CLI lists payments' copy and replays it
    payments_copy = found["payments"]["id"]
    listed = cli(system, "list", "--service", "payments")
    assert listed.returncode == 0 and payments_copy in listed.stdout, listed
    replayed = cli(system, "replay", payments_copy)
    assert replayed.returncode == 0 and f"{payments_copy} replayed" in replayed.stdout, replayed
    assert cli(system, "replay", "payments.999999999").returncode == 1
    assert parked(system, bad["event_id"], service="payments",
                  include_replayed=True)["payments"]["replay_count"] == 1


def cli(system, *args):
    return subprocess.run([sys.executable, "-m", "services.runtime.dead_letters_cli", *args],
                          cwd=ROOT, env=system.env, capture_output=True, text=True, timeout=60)
