"""Declaring each service's queues before anything publishes.

RabbitMQ drops an event routed to no queue. nameko declares a handler's queue when the service
first starts, so on a fresh broker an event published before its consumer ever ran would be
lost. migrate (and every service start) declares them all up front: the RPC queue, each event
handler's queue and retry queue, the dead-letter queue, with the arguments of queues.py.

A queue left by an older version with other arguments (a classic queue from before quorum
queues) is moved over by migrate (queue_migration.py); a service start only names the command.
"""
import inspect

from amqp.exceptions import PreconditionFailed
from nameko.standalone.events import get_event_exchange

from services.runtime import amqp_uri, queue_migration, queues
from services.runtime.entrypoints import QuorumRpc
from services.runtime.handlers import ReliableEventHandler


class QueueMismatch(RuntimeError):
    """A queue exists with other arguments than this version declares (the message says
    what to run)."""


def handler_queues(service_cls, config):
    """The kombu Queues nameko will consume for ``service_cls``'s event handlers."""
    return [queues.event_queue(ep.source_service, ep.event_type, service_cls.name, name, config)
            for name, ep in _entrypoints(service_cls) if isinstance(ep, ReliableEventHandler)]


def service_queues(service_cls, config):
    """Every durable queue of one service, as its entrypoints declare them."""
    listed = []
    if any(isinstance(ep, QuorumRpc) for _, ep in _entrypoints(service_cls)):
        listed.append(queues.rpc_queue(service_cls.name, config))
    for queue in handler_queues(service_cls, config):
        listed += [queue, queues.retry_queue(queue.name)]
    return listed + [queues.dead_letter_queue(service_cls.name)]


def _entrypoints(service_cls):
    for method_name, method in inspect.getmembers(service_cls):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            yield method_name, entrypoint


def declare(service_cls, config, migrate_existing=True):
    """Declare the event exchange and every queue of one service; returns the handler queues.

    A queue of the same name with other arguments is migrated (drained into its new form,
    nothing lost) when ``migrate_existing``, else QueueMismatch says to run migrate.
    """
    with amqp_uri.connect(config["AMQP_URI"]) as connection:
        get_event_exchange(service_cls.name, config)(connection.channel()).declare()
        listed = service_queues(service_cls, config)
        if migrate_existing:
            with queue_migration.one_at_a_time(connection, service_cls.name):
                for queue in listed:
                    queue_migration.ensure(connection, queue, [q.name for q in listed])
            return handler_queues(service_cls, config)
        for queue in listed:
            try:
                queue_migration.declare(connection, queue)
            except PreconditionFailed as exc:
                raise QueueMismatch(
                    f"the queue {queue.name} exists with other arguments than this version "
                    f"declares ({exc.reply_text}): stop every {service_cls.name} process, then "
                    f"run `python -m services.runtime.migrate {service_cls.name}`, which moves "
                    "its messages over (docs/queues.md)") from None
    return handler_queues(service_cls, config)
