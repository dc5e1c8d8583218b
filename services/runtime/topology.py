"""Declaring each service's event queues before anything publishes.

RabbitMQ drops an event routed to no queue. nameko declares a handler's durable queue when
the service first starts, so on a fresh broker an event published before its consumer ever
ran would be lost. Bootstrap (and every service start) declares them all up front.
"""
import inspect

from kombu import Connection
from nameko.events import SERVICE_POOL, EventHandler
from nameko.standalone.events import get_event_exchange
from kombu import Queue

from services.runtime.handlers import dead_letter_queue


def handler_queues(service_cls, config):
    """The kombu Queues nameko will consume for ``service_cls``'s event handlers."""
    queues = []
    for method_name, method in inspect.getmembers(service_cls):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler) and entrypoint.handler_type is SERVICE_POOL:
                # the same name and arguments as nameko.events.EventHandler.setup
                queues.append(Queue(
                    f"evt-{entrypoint.source_service}-{entrypoint.event_type}--"
                    f"{service_cls.name}.{method_name}",
                    exchange=get_event_exchange(entrypoint.source_service, config),
                    routing_key=entrypoint.event_type, durable=True, auto_delete=False))
    return queues


def declare(service_cls, config):
    """Declare the event exchanges, handler queues and dead-letter queue of one service."""
    with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
        channel = connection.channel()
        get_event_exchange(service_cls.name, config)(channel).declare()
        for queue in handler_queues(service_cls, config) + [dead_letter_queue(service_cls.name)]:
            if queue.exchange.name:
                queue.exchange(channel).declare()
            queue(channel).declare()
        return handler_queues(service_cls, config)
