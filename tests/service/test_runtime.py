"""The shared plumbing under load of real use: the outbox relay, reliable handlers, the
database dependency's cooperation with eventlet, and request ids across RPC and events."""
import json

import eventlet
import pytest
from kombu import Connection
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import MetaData, text

from services.runtime import clock
from services.runtime import handlers, outbox
from services.runtime.context import LogContext
from services.runtime.database import Database, make_engine
from services.runtime.relay import OutboxRelay
from tests.support.containers import events_queue, take

metadata = MetaData()
outbox.add_tables(metadata)


def _create_tables(url):
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


class Probe:
    """A stand-in service that owns only an outbox; named billing so its events are billing's."""
    name = "billing"
    db = Database(metadata)
    log_context = LogContext()

    @rpc
    def emit_opened(self, number):
        with self.db.transaction() as tx:
            tx.emit("account_opened", {"account_number": number, "company_name": "Probe Co",
                                       "bill_cycle_day": 1, "contact_name": "P",
                                       "email": "p@probe.example"})

    @rpc
    def wait_for_lock(self, key):
        with self.db.transaction() as tx:
            tx.session.execute(text("SET LOCAL statement_timeout = 8000"))
            tx.session.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            tx.session.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return "locked"

    @rpc
    def quick(self):
        with self.db.transaction() as tx:
            return tx.session.execute(text("SELECT 1")).scalar()


@pytest.fixture
def probe(database, vhost, container_factory, tmp_path):
    url = database("identity")  # any migrated schema with an outbox will do
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json", "DATABASE_URL": url,
              "DATA_DIR": str(tmp_path)}
    container = container_factory(Probe, config)
    container.start()
    return container


def test_an_event_carries_the_request_id_of_the_rpc_that_caused_it(probe, vhost):
    queue = events_queue(vhost[1], "billing", "account_opened")
    with ClusterRpcProxy({"AMQP_URI": vhost[1]}, context_data={"request_id": "req-42"},
                         timeout=10) as cluster:
        cluster.billing.emit_opened("0000000000000000")
    event = take(vhost[1], queue)
    assert event["request_id"] == "req-42"
    assert event["source"] == "billing" and event["version"] == 1


def test_two_relays_on_one_outbox_publish_each_event_exactly_once(database, vhost):
    if database.kind != "postgresql":
        pytest.skip("replicas share PostgreSQL (SKIP LOCKED); SQLite is the one-process default")
    url = database("identity")
    queue = events_queue(vhost[1], "billing", "account_opened")
    engine = make_engine(url)
    with engine.begin() as conn:
        for i in range(300):
            body = outbox.envelope("billing", "account_opened", {
                "account_number": f"{i:016d}", "company_name": "C", "bill_cycle_day": 1,
                "contact_name": "c", "email": "c@c.example"})
            conn.execute(metadata.tables["outbox"].insert().values(
                event_id=body["event_id"], event_type=body["type"], body=json.dumps(body),
                created_at=clock.now(), attempts=0))
    config = {"AMQP_URI": vhost[1]}
    relays = [OutboxRelay(engine, metadata.tables["outbox"], "billing", config) for _ in range(2)]
    published = []
    threads = [eventlet.spawn(lambda r=r: published.append(r.drain())) for r in relays]
    for thread in threads:
        thread.wait()
    assert sum(published) == 300
    seen = []
    with Connection(vhost[1]) as conn:
        simple = conn.SimpleQueue(queue)
        while True:
            try:
                message = simple.get(timeout=1)
            except simple.Empty:
                break
            seen.append(json.loads(message.body)["event_id"])
            message.ack()
    assert len(seen) == len(set(seen)) == 300
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar() == 0
    engine.dispose()


def test_two_slow_queries_in_one_service_overlap(probe, database, postgres):
    """A query blocked on a lock must not stall the service: another worker's query runs
    meanwhile. (A blocking driver would freeze the hub until the statement timeout.)"""
    if database.kind != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite is the single-process default")
    key = 424242
    holder = make_engine(probe.config["DATABASE_URL"]).connect()
    holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
    order = []

    def slow():
        with entrypoint_hook(probe, "wait_for_lock") as wait_for_lock:
            order.append(("slow", wait_for_lock(key)))

    waiting = eventlet.spawn(slow)
    eventlet.sleep(0.3)  # let the slow worker reach the lock
    with entrypoint_hook(probe, "quick") as quick:
        order.append(("quick", quick()))
    holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    waiting.wait()
    holder.close()
    assert order == [("quick", 1), ("slow", "locked")]


class Flaky:
    """Consumes billing.account_opened; fails as often as told before it succeeds."""
    name = "flaky"
    fail_times = {"n": 0}
    calls = []

    @handlers.reliable_handler("billing", "account_opened")
    def on_account_opened(self, event):
        Flaky.calls.append(event["event_id"])
        if len(Flaky.calls) <= Flaky.fail_times["n"]:
            raise RuntimeError("downstream is away")


def _publish_opened(amqp_uri):
    body = outbox.envelope("billing", "account_opened", {
        "account_number": "1" * 16, "company_name": "C", "bill_cycle_day": 1,
        "contact_name": "c", "email": "c@c.example"})
    from nameko.standalone.events import event_dispatcher
    event_dispatcher({"AMQP_URI": amqp_uri})("billing", "account_opened", body)
    return body


def test_a_failing_handler_is_retried_until_it_succeeds(vhost, container_factory, monkeypatch):
    monkeypatch.setattr(handlers, "retry_delay", lambda attempts, max_delay: 0.2)
    Flaky.calls.clear()
    Flaky.fail_times["n"] = 2
    container = container_factory(Flaky, {"AMQP_URI": vhost[1], "SERIALIZER": "json"})
    container.start()
    body = _publish_opened(vhost[1])
    deadline = eventlet.Timeout(15)
    try:
        while len(Flaky.calls) < 3:
            eventlet.sleep(0.05)
    finally:
        deadline.cancel()
    assert Flaky.calls == [body["event_id"]] * 3


def test_a_handler_that_keeps_failing_parks_its_event(vhost, container_factory, monkeypatch,
                                                      broker):
    monkeypatch.setattr(handlers, "retry_delay", lambda attempts, max_delay: 0.1)
    Flaky.calls.clear()
    Flaky.fail_times["n"] = 100
    container = container_factory(Flaky, {"AMQP_URI": vhost[1], "SERIALIZER": "json"})
    container.start()
    body = _publish_opened(vhost[1])
    with Connection(vhost[1]) as conn:
        parked = conn.SimpleQueue(handlers.dead_letter_queue("flaky"))
        message = parked.get(timeout=20)
        message.ack()
        parked.close()
    assert json.loads(message.body)["event_id"] == body["event_id"]
    assert message.headers[handlers.ATTEMPTS_HEADER] == handlers.MAX_ATTEMPTS
    assert message.headers["x-bizportal-queue"] == "evt-billing-account_opened--flaky.on_account_opened"
    assert "downstream is away" in message.headers["x-bizportal-error"]
    assert len(Flaky.calls) == handlers.MAX_ATTEMPTS
