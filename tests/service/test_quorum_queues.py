"""Every queue the four services declare, read back from the broker's management API: durable
ones are quorum queues with the arguments of services/runtime/queues.py, reply queues are
non-durable classic ones (services', the gateway's, the CLIs'), and an event that fails goes
round its quorum retry queue and is parked on the quorum dead-letter queue."""
import json
import time

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import event_dispatcher, get_event_exchange
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import MetaData

from gateway.rpc import RpcClient
from services.contracts.names import SERVICES
from services.runtime import clock
from services.runtime import outbox, queues, topology
from services.runtime.entrypoints import cluster_rpc_proxy
from services.runtime.handlers import reliable_handler
from services.runtime.database import make_engine
from services.runtime.registry import service_class
from services.runtime.relay import OutboxRelay


def broker_queues(broker, vhost):
    return {q["name"]: q for q in broker._api("GET", f"queues/{vhost}").json()}


def expected_arguments(queue):
    return {k: v for k, v in queue.queue_arguments.items()}


def test_every_durable_queue_of_the_running_services_is_a_quorum_queue_as_declared(
        start_service, vhost, broker):
    name, uri = vhost
    expected = {}
    for service in SERVICES:
        cls = service_class(service)
        config = {"AMQP_URI": uri}
        topology.declare(cls, config, migrate_existing=False)  # as run.py does before starting
        expected.update({q.name: q for q in topology.service_queues(cls, config)})
        start_service(cls)
    with cluster_rpc_proxy({"AMQP_URI": uri, "SERIALIZER": "json"}, timeout=10) as cluster:
        assert cluster.billing.health()["service"] == "billing"
        declared = broker_queues(broker, name)

    durable = {n: q for n, q in declared.items() if q["durable"]}
    assert set(durable) == set(expected)
    for queue_name, queue in durable.items():
        assert queue["type"] == "quorum", queue_name
        assert queue["arguments"] == expected_arguments(expected[queue_name]), queue_name
        assert not queue["auto_delete"] and not queue["exclusive"]
    retry = durable["evt-billing-statement_issued--payments.on_statement_issued.retry"]
    assert retry["arguments"] == {
        "x-queue-type": "quorum", "x-overflow": "reject-publish",
        "x-dead-letter-strategy": "at-least-once", "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "evt-billing-statement_issued--payments.on_statement_issued"}

    transient = {n: q for n, q in declared.items() if not q["durable"]}
    # one reply queue per service (its TimedRpcProxies share it) and the standalone client's
    assert {n.split("-")[1] for n in transient} == set(SERVICES) | {"standalone_rpc_proxy"}
    for queue_name, queue in transient.items():
        assert queue_name.startswith("rpc.reply-")
        assert queue["type"] == "classic"
        assert queue["arguments"] == {"x-queue-type": "classic", "x-expires": 300000}


def test_the_gateway_client_replies_on_a_non_durable_queue(start_service, vhost, broker):
    name, uri = vhost
    start_service(service_class("payments"))
    client = RpcClient(uri, timeout=10)
    assert client.call("payments", "health")["service"] == "payments"
    replies = [q for q in broker_queues(broker, name).values()
               if q["name"].startswith("rpc.reply-standalone_rpc_proxy-")]
    assert len(replies) == 1
    assert replies[0]["durable"] is False and replies[0]["type"] == "classic"
    client._discard()


def opened(key):
    return outbox.envelope("billing", "account_opened", {
        "account_number": key, "company_name": "Flaky Co", "bill_cycle_day": 1,
        "contact_name": "F", "email": "f@flaky.example"})


class Flaky:
    """Fails each event as often as its data says, then applies it."""
    name = "flaky"
    failures = {}
    applied = []

    @reliable_handler("billing", "account_opened")
    def on_account_opened(self, event):
        key = event["data"]["account_number"]
        if Flaky.failures.get(key, 0) > 0:
            Flaky.failures[key] -= 1
            raise RuntimeError(f"not yet: {key}")
        Flaky.applied.append(key)


def test_a_failed_event_goes_round_its_quorum_retry_queue_and_is_parked_on_quorum_dead_letters(
        container_factory, vhost, broker):
    name, uri = vhost
    Flaky.failures = {"retried": 1, "poison": 99}
    Flaky.applied = []
    config = {"AMQP_URI": uri, "SERIALIZER": "json", "EVENT_MAX_ATTEMPTS": 2,
              "EVENT_RETRY_MAX_DELAY": 0.2}
    topology.declare(Flaky, config, migrate_existing=False)
    container = container_factory(Flaky, config)
    container.start()
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(container, "on_account_opened",
                           callback=lambda worker_ctx, result, exc_info: exc_info is None):
        dispatch("billing", "account_opened", opened("retried"))
    assert Flaky.applied == ["retried"]  # the second try, dead-lettered back from .retry

    dispatch("billing", "account_opened", opened("poison"))
    with Connection(uri) as connection:
        parked = connection.SimpleQueue(queues.dead_letter_queue("flaky"))
        message = parked.get(timeout=10)
        assert message.headers["x-bizportal-attempts"] == 2
        assert '"poison"' in message.body
        message.ack()
        parked.close()
    declared = broker_queues(broker, name)
    handler_queue = "evt-billing-account_opened--flaky.on_account_opened"
    for queue_name in (handler_queue, handler_queue + ".retry", "flaky.dead-letters"):
        assert declared[queue_name]["type"] == "quorum"
    assert Flaky.applied == ["retried"]


@pytest.mark.parametrize("uri_form", ["unreachable first", "several"])
def test_a_service_and_its_clients_work_when_the_first_broker_of_amqp_uri_is_unreachable(
        start_service, database, vhost, uri_form):
    name, uri = vhost
    # a name that does not resolve, and port 1 on loopback, which refuses at once; the bad
    # host is this test's own: kombu pools connections by the first broker of the URI only
    bad = f"amqp://bad-host-{name.replace('_', '-')}:1"
    failover = f"{bad};amqp://guest:guest@127.0.0.1:1/;{uri}" \
        if uri_form == "several" else f"{bad};{uri}"
    cls = service_class("payments")
    started = time.monotonic()
    topology.declare(cls, {"AMQP_URI": failover}, migrate_existing=False)
    start_service(cls, AMQP_URI=failover)
    assert RpcClient(failover, timeout=10).call("payments", "health")["service"] == "payments"
    with cluster_rpc_proxy({"AMQP_URI": failover, "SERIALIZER": "json"}, timeout=10) as cluster:
        assert cluster.payments.health()["service"] == "payments"
    assert _relayed_through(failover, database("identity"), uri) == 1
    assert time.monotonic() - started < 30


def _relayed_through(failover, database_url, uri):
    """How many events an outbox relay on ``failover`` published (read back on ``uri``)."""
    metadata = MetaData()
    outbox.add_tables(metadata)
    table = metadata.tables["outbox"]
    engine = make_engine(database_url)
    body = opened("relayed")
    with engine.begin() as conn:
        conn.execute(table.insert().values(event_id=body["event_id"], event_type=body["type"],
                                           body=json.dumps(body), created_at=clock.now(),
                                           attempts=0))
    with Connection(uri) as connection:
        queue = Queue("tests.relayed", exchange=get_event_exchange("billing", {}),
                      routing_key="account_opened", exclusive=True)
        listening = connection.SimpleQueue(queue)
        relay = OutboxRelay(engine, table, "billing", {"AMQP_URI": failover})
        published = relay.drain()
        relay._close()
        assert json.loads(listening.get(timeout=5).body)["event_id"] == body["event_id"]
        listening.close()
    engine.dispose()
    return published
