"""A broker that ran the classic-queue version, moved over by the command ops run:
``python -m services.runtime.migrate billing``, on a private vhost of the real broker. Every
message waiting in the old classic queues is still there, in quorum queues with the arguments
the entrypoints declare; an old process still consuming stops the move; a move that died
half-way is finished by the next run."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

from kombu import Connection, Exchange, Producer, Queue
from nameko.rpc import get_rpc_exchange

from services.runtime import topology
from services.runtime.registry import service_class

ROOT = Path(__file__).resolve().parents[2]
EVENT_QUEUE = "evt-payments-payment_succeeded--billing.on_payment_succeeded"
# each publish waits for the broker's confirm: a quorum queue takes a message only once its
# log has it, so a get right after an unconfirmed publish may not see it yet
CONFIRMED = {"confirm_publish": True}


def old_classic_queues():
    """billing's queues as the version before quorum queues declared them."""
    default = Exchange("")
    return [
        Queue("rpc-billing", exchange=get_rpc_exchange({}), routing_key="billing.*", durable=True),
        Queue(EVENT_QUEUE, exchange=Exchange("payments.events", type="topic", durable=True),
              routing_key="payment_succeeded", durable=True, auto_delete=False),
        Queue(EVENT_QUEUE + ".retry", exchange=default, routing_key=EVENT_QUEUE + ".retry",
              durable=True, queue_arguments={"x-dead-letter-exchange": "",
                                             "x-dead-letter-routing-key": EVENT_QUEUE}),
        Queue("billing.dead-letters", exchange=default, routing_key="billing.dead-letters",
              durable=True),
    ]


def run_migrate(uri, tmp_path):
    env = {**os.environ, "AMQP_URI": uri, "DATA_DIR": str(tmp_path),
           "BILLING_DATABASE_URL": f"sqlite:///{tmp_path}/billing.db",
           "SECRET_KEY": secrets.token_urlsafe(32)}
    return subprocess.run([sys.executable, "-m", "services.runtime.migrate", "billing"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def broker_queues(broker, vhost):
    return {q["name"]: q for q in broker._api("GET", f"queues/{vhost}").json()}


def bodies(connection, name):
    """Every message body of queue ``name``, taken off it."""
    channel = connection.channel()
    taken = []
    while (message := channel.basic_get(name, no_ack=True)) is not None:
        body = message.body  # py-amqp hands back text when the encoding is utf-8
        taken.append(body.decode() if isinstance(body, bytes) else body)
    channel.close()
    return taken


def test_migrate_moves_every_classic_queue_to_quorum_keeping_every_waiting_message(
        vhost, broker, tmp_path):
    name, uri = vhost
    with Connection(uri, transport_options=CONFIRMED) as connection:
        producer = Producer(connection.channel())
        for queue in old_classic_queues():
            queue(connection.channel()).declare()
            for n in range(3):
                producer.publish(f"{queue.name} #{n}", exchange=queue.exchange,
                                 routing_key=queue.routing_key.replace("*", "get_account"),
                                 delivery_mode=2, headers={"n": n},
                                 expiration=600 if queue.name.endswith(".retry") else None)
    assert {q["type"] for q in broker_queues(broker, name).values()} == {"classic"}

    result = run_migrate(uri, tmp_path)
    assert result.returncode == 0, result.stderr

    # the event streams migrate also declares are services/runtime/streams.py's
    declared = {n: q for n, q in broker_queues(broker, name).items() if q["type"] != "stream"}
    expected = {q.name: q for q in topology.service_queues(service_class("billing"), {})}
    assert set(declared) == set(expected)  # no holding queue left behind
    for queue_name, queue in declared.items():
        assert queue["type"] == "quorum", queue_name
        assert queue["arguments"] == dict(expected[queue_name].queue_arguments), queue_name
    with Connection(uri, transport_options=CONFIRMED) as connection:
        for queue in old_classic_queues():
            assert bodies(connection, queue.name) == [f"{queue.name} #{n}" for n in range(3)]
        # the bindings came along: a new request and a new event reach the new queues
        producer = Producer(connection.channel())
        producer.publish("new request", exchange=get_rpc_exchange({}),
                         routing_key="billing.get_account")
        producer.publish("new event", exchange="payments.events",
                         routing_key="payment_succeeded")
        assert bodies(connection, "rpc-billing") == ["new request"]
        assert bodies(connection, EVENT_QUEUE) == ["new event"]


def test_migrate_refuses_to_move_a_queue_an_old_process_still_consumes(vhost, broker, tmp_path):
    name, uri = vhost
    old_rpc = old_classic_queues()[0]
    with Connection(uri, transport_options=CONFIRMED) as old_process:
        channel = old_process.channel()
        old_rpc(channel).declare()
        Producer(channel).publish("waiting", exchange=old_rpc.exchange,
                                  routing_key="billing.get_account")
        channel.basic_qos(0, 0, False)
        channel.basic_consume("rpc-billing", callback=lambda message: None, no_ack=False)

        result = run_migrate(uri, tmp_path)

        assert result.returncode != 0
        assert "1 consumer(s) still use rpc-billing: stop every process of that service" \
            in result.stderr
        assert "python -m services.runtime.migrate" in result.stderr
        assert broker_queues(broker, name)["rpc-billing"]["type"] == "classic"
    with Connection(uri, transport_options=CONFIRMED) as connection:
        assert bodies(connection, "rpc-billing") == ["waiting"]


def test_migrate_run_again_finishes_a_move_that_died_half_way(vhost, broker, tmp_path):
    name, uri = vhost
    # a migration killed after step 3: the old queue deleted, its messages in the holding queue
    rpc_queue = topology.service_queues(service_class("billing"), {})[0]
    holding = Queue("rpc-billing.migrating", exchange=rpc_queue.exchange,
                    routing_key=rpc_queue.routing_key, durable=True,
                    queue_arguments=rpc_queue.queue_arguments)
    with Connection(uri, transport_options=CONFIRMED) as connection:
        holding(connection.channel()).declare()
        Producer(connection.channel()).publish("held", exchange=rpc_queue.exchange,
                                               routing_key="billing.get_account")

    result = run_migrate(uri, tmp_path)
    assert result.returncode == 0, result.stderr

    assert "rpc-billing.migrating" not in broker_queues(broker, name)
    with Connection(uri, transport_options=CONFIRMED) as connection:
        Producer(connection.channel()).publish("after", exchange=rpc_queue.exchange,
                                               routing_key="billing.get_account")
        assert bodies(connection, "rpc-billing") == ["held", "after"]  # each once


def test_two_replicas_migrating_at_once_take_turns_and_keep_each_message_once(
        vhost, broker, tmp_path):
    name, uri = vhost
    old_rpc = old_classic_queues()[0]
    with Connection(uri, transport_options=CONFIRMED) as connection:
        old_rpc(connection.channel()).declare()
        producer = Producer(connection.channel())
        for n in range(300):
            producer.publish(f"request {n}", exchange=old_rpc.exchange,
                             routing_key="billing.get_account")
    def replica(n):  # each its own SQLite file: only the broker is shared here
        env = {**os.environ, "AMQP_URI": uri, "DATA_DIR": str(tmp_path),
               "BILLING_DATABASE_URL": f"sqlite:///{tmp_path}/billing-{n}.db",
               "SECRET_KEY": secrets.token_urlsafe(32)}
        return subprocess.Popen([sys.executable, "-m", "services.runtime.migrate", "billing"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    replicas = [replica(n) for n in range(2)]
    outcomes = [(replica.wait(timeout=120), replica.stderr.read()) for replica in replicas]
    assert [code for code, _ in outcomes] == [0, 0], [err[-1500:] for _, err in outcomes]

    assert broker_queues(broker, name)["rpc-billing"]["type"] == "quorum"
    with Connection(uri, transport_options=CONFIRMED) as connection:
        assert bodies(connection, "rpc-billing") == [f"request {n}" for n in range(300)]


def test_a_service_started_on_a_classic_queue_exits_saying_to_run_migrate(vhost, tmp_path):
    name, uri = vhost
    with Connection(uri, transport_options=CONFIRMED) as connection:
        old_classic_queues()[0](connection.channel()).declare()
    env = {**os.environ, "AMQP_URI": uri, "DATA_DIR": str(tmp_path),
           "BILLING_DATABASE_URL": f"sqlite:///{tmp_path}/billing.db",
           "SECRET_KEY": secrets.token_urlsafe(32)}
    result = subprocess.run([sys.executable, "-m", "services.runtime.run", "billing"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "the queue rpc-billing exists with other arguments" in result.stderr
    assert "run `python -m services.runtime.migrate billing`" in result.stderr
