"""A poison event in a real container on a real broker and database: parked after the bounded
attempts while the events around it are applied, listed, replayed once fixed, applied once."""
import eventlet
import pytest
from kombu import Connection
from nameko.dependency_providers import Config
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import MetaData

from services.contracts.errors import NotFound
from services.runtime import dead_letters, outbox
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.service_dead_letters import DeadLettersMixin
from services.runtime.handlers import dead_letter_queue, reliable_handler

metadata = MetaData()
outbox.add_tables(metadata)
dead_letters.add_table(metadata)
ATTEMPTS = 3
QUEUE = "evt-billing-account_opened--ledger.on_account_opened"


class Ledger(DeadLettersMixin):
    """Applies billing.account_opened once per event; cannot apply "Poison Co" while broken."""
    name = "ledger"
    db = Database(metadata)
    config = Config()
    log_context = LogContext()
    broken = {"on": True}
    handled = []   # every run of the handler, company names
    applied = []   # every effect committed, company names

    @reliable_handler("billing", "account_opened")
    def on_account_opened(self, event):
        company = event["data"]["company_name"]
        Ledger.handled.append(company)
        if Ledger.broken["on"] and company == "Poison Co":
            raise RuntimeError("cannot apply Poison Co yet")
        with self.db.apply_once(event, "on_account_opened") as tx:
            if tx is not None:
                Ledger.applied.append(company)


@pytest.fixture
def ledger(database, vhost, container_factory, tmp_path):
    Ledger.broken["on"] = True
    Ledger.handled.clear()
    Ledger.applied.clear()
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json", "DATA_DIR": str(tmp_path),
              "DATABASE_URL": database("payments"),  # any migrated schema with dead_letters
              "EVENT_MAX_ATTEMPTS": ATTEMPTS, "EVENT_RETRY_MAX_DELAY": 0.1}
    container = container_factory(Ledger, config)
    container.start()
    return container


def publish(amqp_uri, company):
    body = outbox.envelope("billing", "account_opened", {
        "account_number": "1" * 16, "company_name": company, "bill_cycle_day": 1,
        "contact_name": "c", "email": "c@c.example"})
    event_dispatcher({"AMQP_URI": amqp_uri})("billing", "account_opened", body)
    return body


def until(check, seconds=20):
    with eventlet.Timeout(seconds):
        while not check():
            eventlet.sleep(0.05)
    return check()


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as entrypoint:
        return entrypoint(*args, **kwargs)


def test_a_poison_event_is_parked_listed_and_replayed_once_fixed_while_the_rest_flow(
        ledger, vhost):
    a = publish(vhost[1], "A Co")
    poison = publish(vhost[1], "Poison Co")
    b = publish(vhost[1], "B Co")

    [parked] = until(lambda: call(ledger, "list_dead_letters")["items"])
    assert sorted(Ledger.applied) == ["A Co", "B Co"]
    assert Ledger.handled.count("Poison Co") == ATTEMPTS
    assert (parked["event_id"], parked["event_type"], parked["queue"]) == (
        poison["event_id"], "billing.account_opened", QUEUE)
    assert parked["attempts"] == ATTEMPTS and "cannot apply Poison Co" in parked["error"]
    assert parked["body"]["data"]["company_name"] == "Poison Co"
    assert parked["id"].startswith("ledger.") and parked["status"] == "parked"
    assert {a["event_id"], b["event_id"]}.isdisjoint({parked["event_id"]})

    Ledger.broken["on"] = False
    row = int(parked["id"].split(".")[1])
    replay = call(ledger, "replay_dead_letter", row)
    assert replay["replay_count"] == 1
    until(lambda: "Poison Co" in Ledger.applied)
    assert call(ledger, "list_dead_letters")["items"] == []
    [replayed] = call(ledger, "list_dead_letters", include_replayed=True)["items"]
    assert (replayed["status"], replayed["replay_count"]) == ("replayed", 1)

    runs = Ledger.handled.count("Poison Co")
    assert call(ledger, "replay_dead_letter", row)["replay_count"] == 2
    until(lambda: Ledger.handled.count("Poison Co") > runs)
    assert sorted(Ledger.applied) == ["A Co", "B Co", "Poison Co"]  # no second effect

    with pytest.raises(NotFound):
        call(ledger, "replay_dead_letter", row + 1000)


def test_a_parked_message_delivered_twice_is_kept_once(ledger, vhost):
    body = outbox.envelope("billing", "account_opened", {
        "account_number": "2" * 16, "company_name": "Twice Co", "bill_cycle_day": 1,
        "contact_name": "c", "email": "c@c.example"})
    headers = {"x-bizportal-queue": QUEUE, "x-bizportal-attempts": ATTEMPTS,
               "x-bizportal-error": "RuntimeError: twice",
               "x-bizportal-parked-at": "2026-11-24T12:00:00+00:00"}
    later = (dict(body, event_id="later"),
             dict(headers, **{"x-bizportal-parked-at": "2026-11-24T12:05:00+00:00"}))
    kept = []

    def all_three_kept(worker_ctx, result, exc_info):
        kept.extend([] if exc_info else [1])  # a clash on the row is put back and kept later
        return len(kept) == 3

    queue = dead_letter_queue("ledger")
    with entrypoint_waiter(ledger, "keep_dead_letter", callback=all_three_kept, timeout=20):
        with Connection(vhost[1]) as connection:
            producer = connection.Producer()
            for message, message_headers in ((body, headers), (body, headers), later):
                producer.publish(message, exchange="", routing_key=queue.name,
                                 serializer="json", headers=message_headers, declare=[queue])
    items = call(ledger, "list_dead_letters")["items"]
    assert [i["event_id"] for i in items] == ["later", body["event_id"]]
    assert items[1]["error"] == "RuntimeError: twice"
