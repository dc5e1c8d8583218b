"""Capturing every event the services publish, for the secret scan (tests/support/secret_scan.py).

A durable queue bound with ``#`` to each ``<service>.events`` topic exchange receives a copy
of every event, whoever else consumes it. It is declared *before* any service starts (the
exchanges too, with nameko's own declaration, so that binding works on a fresh vhost and the
services' later declarations match), and drained at the end, when the scan runs.

    capture = EventCapture(amqp_uri)
    capture.declare()            # before the services start
    ...                          # traffic
    events = capture.drain()     # all so far: CapturedEvent(exchange, routing_key, body, headers)

Works on any AMQP URI (a test vhost, or the chaos run's private broker). Nameko publishes
events persistently, so a broker restart (the chaos run) loses nothing from the durable queue.
"""
import json
from dataclasses import dataclass, field

from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from services.contracts.names import SERVICES

QUEUE = "tests.secret-scan.events"


@dataclass(frozen=True)
class CapturedEvent:
    exchange: str
    routing_key: str
    body: str            # the message body as published (JSON text)
    headers: dict = field(default_factory=dict)

    def payload(self):
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self):
        """Everything a secret could hide in: the body and the headers."""
        return self.body + "\n" + json.dumps(self.headers, default=str, sort_keys=True)


class EventCapture:
    def __init__(self, amqp_uri, services=SERVICES, queue=QUEUE):
        self.amqp_uri = amqp_uri
        self.services = tuple(services)
        self.queue_name = queue
        self.events = []  # everything drained so far, in arrival order

    def _queues(self):
        # the same exchange (name, type topic, durable) nameko declares for its dispatchers
        return [Queue(self.queue_name, exchange=get_event_exchange(service, {}), routing_key="#",
                      durable=True, auto_delete=False) for service in self.services]

    def declare(self):
        """Declares each service's event exchange and the capture queue bound to all of them."""
        with Connection(self.amqp_uri, connect_timeout=10) as connection:
            channel = connection.channel()
            for queue in self._queues():
                queue.exchange(channel).declare()
                queue(channel).declare()  # declares the queue and this exchange's binding
        return self

    def drain(self, max_messages=None):
        """Takes every message now in the queue (acked); returns all events captured so far."""
        taken = 0
        with Connection(self.amqp_uri, connect_timeout=10) as connection:
            bound = Queue(self.queue_name, durable=True, auto_delete=False, no_declare=True)(
                connection.channel())
            while max_messages is None or taken < max_messages:
                message = bound.get(no_ack=False, accept=["json", "application/json"])
                if message is None:
                    break
                info = message.delivery_info or {}
                self.events.append(CapturedEvent(
                    exchange=info.get("exchange", ""), routing_key=info.get("routing_key", ""),
                    body=_text(message.body), headers=dict(message.headers or {})))
                message.ack()
                taken += 1
        return list(self.events)

    def delete(self):
        """Removes the capture queue (a vhost that is deleted anyway needs no call)."""
        with Connection(self.amqp_uri, connect_timeout=10) as connection:
            Queue(self.queue_name, no_declare=True)(connection.channel()).delete()


def _text(body):
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body if isinstance(body, str) else json.dumps(body, default=str)
