"""The cluster harness (tests/chaos/cluster.py) on this machine: three private RabbitMQ nodes.

Short proofs for `make test`; the whole system on the cluster under load is `make chaos`.
Skipped, with the reason, only where rabbitmq-server is not installed.
"""
import shutil
import threading
import time

import pytest
from amqp.exceptions import MessageNacked
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError

from tests.chaos.cluster import private_cluster

pytestmark = pytest.mark.skipif(shutil.which("rabbitmq-server") is None,
                                reason="rabbitmq-server is not installed on this machine")
MESSAGES = 1000


def publish_until_confirmed(publish, body, tries=50):
    """A nack (the queue between leaders, a node going) means "not taken": send it again, as
    the outbox relay does; ``ensure`` already covers a lost connection."""
    for _ in range(tries):
        try:
            return publish(body, routing_key="proof", exchange="", delivery_mode=2)
        except OperationalError as error:
            if not isinstance(error.__cause__, MessageNacked):
                raise
            time.sleep(0.1)
    raise AssertionError(f"{body} was refused {tries} times")


def test_a_quorum_queue_keeps_every_confirmed_message_when_its_leaders_node_is_killed():
    with private_cluster() as (cluster, _):
        queue = Queue("proof", exchange=Exchange(""), routing_key="proof", durable=True,
                      queue_arguments={"x-queue-type": "quorum"})
        with Connection(cluster.amqp_uri, connect_timeout=3) as connection:
            queue(connection.channel()).declare()
        leader = cluster.busiest_leader()
        confirmed = []

        def publish_all():
            options = {"confirm_publish": True}
            with Connection(cluster.amqp_uri, connect_timeout=3,
                            transport_options=options) as connection:
                producer = connection.Producer()
                publish = connection.ensure(producer, producer.publish, max_retries=30,
                                            interval_start=0.1, interval_step=0.2)
                for i in range(MESSAGES):
                    publish_until_confirmed(publish, {"i": i})
                    confirmed.append(i)
                    time.sleep(0.003)

        publisher = threading.Thread(target=publish_all)
        publisher.start()
        while len(confirmed) < MESSAGES // 4:
            time.sleep(0.05)
        leader.kill()
        publisher.join(timeout=120)
        assert len(confirmed) == MESSAGES, "the publisher did not fail over to a live node"
        received = set()
        with Connection(cluster.amqp_uri, connect_timeout=3) as connection:
            channel = connection.channel()
            while (message := queue(channel).get(no_ack=True)) is not None:
                received.add(message.payload["i"])
        assert set(confirmed) - received == set()
        assert leader.node not in cluster.running_nodes()
