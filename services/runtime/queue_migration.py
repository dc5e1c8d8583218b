"""Moving a queue to the arguments this version declares, without losing a message:
drain, redeclare, resume.

A broker that ran an older version holds classic queues under the names now declared as quorum
queues, and RabbitMQ never changes a queue's type or arguments (a declare with others is
refused: PRECONDITION_FAILED). ``ensure`` moves such a queue over:

1. refuse while anything consumes it (an old process would keep taking from it);
2. declare ``<name>.migrating`` with the new arguments and the same binding, unbind the old
   queue: from now on new messages wait in the holding queue;
3. move every message of the old queue there (each acked only once the broker confirmed its
   copy), delete the old queue;
4. declare the queue anew, unbind the holding queue, move its messages back, delete it.

A process dying anywhere leaves each message in one of the two queues (at worst in both, so
delivered twice: consumers are idempotent); migrate run again finds the holding queue and
finishes step 4. Replicas starting together take turns (``one_at_a_time``).
"""
import logging
import time
from contextlib import contextmanager

from amqp import Message
from amqp.exceptions import NotFound, PreconditionFailed, ResourceLocked
from kombu import Queue

from services.runtime.queues import CLASSIC

log = logging.getLogger(__name__)

HOLDING = "{}.migrating"
DELETE_TRIES = 5  # a message that came in after the last get: drain again
LOCK_WAIT = 120   # seconds a migrate waits for another replica's to finish


class QueueInUse(RuntimeError):
    """The queue to migrate still has consumers (the message says what to do)."""


@contextmanager
def one_at_a_time(connection, service):
    """Hold the service's migration lock: an exclusive queue, which only one connection can
    have and which the broker drops with the connection of a migrate that died."""
    name = f"bizportal.queue-migration.{service}"
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        channel = connection.channel()
        try:
            channel.queue_declare(name, exclusive=True, auto_delete=True, arguments=CLASSIC)
            break
        except ResourceLocked:
            _close(channel)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        yield
    finally:
        try:
            channel.queue_delete(name)
        except Exception:  # the connection is going anyway, and the queue with it
            pass
        _close(channel)


def declare(connection, queue):
    """Declare and bind ``queue`` on a channel of its own (a refusal closes the channel)."""
    channel = connection.channel()
    try:
        queue(channel).declare()
    finally:
        _close(channel)


def ensure(connection, queue, guards=()):
    """Declare ``queue``; move an existing one with other arguments over. Returns "declared"
    or "migrated"; raises QueueInUse when it or a queue named in ``guards`` (the rest of its
    service's: a retry queue has no consumer of its own, but its handler's process publishes
    to it) still has consumers."""
    try:
        declare(connection, queue)
    except PreconditionFailed:
        _refuse_while_consumed(connection, [queue.name, *guards])
        _drain_into_holding(connection, queue)
        declare(connection, queue)
    else:
        if _counts(connection, HOLDING.format(queue.name)) is None:
            return "declared"
    _resume_from_holding(connection, queue)
    return "migrated"


def holding_queue(queue):
    name = HOLDING.format(queue.name)
    bound = bool(queue.exchange and queue.exchange.name)
    return Queue(name, exchange=queue.exchange, routing_key=queue.routing_key if bound else name,
                 durable=True, auto_delete=False, queue_arguments=dict(queue.queue_arguments or {}))


def _refuse_while_consumed(connection, names):
    for name in names:
        counts = _counts(connection, name)
        if counts and counts[1]:
            raise QueueInUse(
                f"the queue {names[0]} must change its arguments (classic to quorum), but "
                f"{counts[1]} consumer(s) still use {name}: stop every process of that "
                "service, then run `python -m services.runtime.migrate` again (docs/queues.md)")


def _drain_into_holding(connection, queue):
    holding = holding_queue(queue)
    declare(connection, holding)
    if holding.exchange and holding.exchange.name:
        _unbind(connection, queue.name, holding)
    moved = _move_and_delete(connection, queue.name, holding.name)
    log.warning("queue %s: %d message(s) held in %s while it is declared anew", queue.name,
                moved, holding.name)


def _resume_from_holding(connection, queue):
    holding = holding_queue(queue)
    if holding.exchange and holding.exchange.name:
        _unbind(connection, holding.name, holding)
    moved = _move_and_delete(connection, holding.name, queue.name)
    log.warning("queue %s declared with its new arguments; %d message(s) moved back", queue.name,
                moved)


def _unbind(connection, name, like):
    channel = connection.channel()
    try:
        channel.queue_unbind(name, like.exchange.name, like.routing_key)
    except NotFound:  # a replica's migrate running at the same time got there first
        pass
    finally:
        _close(channel)


def _move_and_delete(connection, source, target):
    """Move all of ``source`` to ``target``, then delete ``source`` once it is seen empty
    (quorum queues refuse delete-if-empty, and nothing routes to it any more)."""
    moved = 0
    for _ in range(DELETE_TRIES):
        channel = connection.channel()
        try:
            moved += _move(channel, source, target)
        finally:
            _close(channel)
        counts = _counts(connection, source)
        if counts is None:
            return moved
        if counts[0] == 0:
            channel = connection.channel()
            try:
                channel.queue_delete(source)
            except NotFound:
                pass
            finally:
                _close(channel)
            return moved
    raise RuntimeError(f"messages keep arriving in {source}: is a process still publishing?")


def _move(channel, source, target):
    """Every message of ``source`` into ``target`` (default exchange), each acked only after
    the broker confirmed its copy."""
    moved = 0
    while True:
        try:
            message = channel.basic_get(source, no_ack=False)
        except NotFound:  # deleted by a replica's migrate that finished first
            return moved
        if message is None:
            return moved
        channel.basic_publish_confirm(Message(message.body, **message.properties),
                                      exchange="", routing_key=target)
        channel.basic_ack(message.delivery_tag)
        moved += 1


def _counts(connection, name):
    """(messages, consumers) of the queue ``name``, or None when there is no such queue."""
    channel = connection.channel()
    try:
        _, messages, consumers = channel.queue_declare(name, passive=True)
        return messages, consumers
    except NotFound:
        return None
    finally:
        _close(channel)


def _close(channel):
    try:
        channel.close()
    except Exception:  # already closed by the broker's refusal
        pass
