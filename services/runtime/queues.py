"""The one definition of every queue the system declares, with its type and arguments.

Every durable queue is a quorum queue (replicated across the broker cluster's nodes, so a
node's death loses neither the queue nor its messages): each service's RPC queue, every event
handler's queue and its retry queue, each service's dead-letter queue. migrate declares them
first and nameko's entrypoints (services/runtime/entrypoints.py) declare the same ones, since a
queue declared again with other arguments is refused with PRECONDITION_FAILED.

Reply queues are the opposite: classic and non-durable. A durable classic queue lives on one
node; once that node is down, every re-declare elsewhere fails with 404 "home node is down",
and a nameko service re-declares all its queues on reconnect, so one reply queue stopped the
whole service until that node returned. A non-durable queue goes with its node and is made
again at once on another. They are never quorum either: a reply queue is short-lived and
per process, and a replicated one would double each RPC's latency; they name their type, so a
vhost's default queue type (``--default-queue-type quorum``) never applies to them.

What quorum queues lack on RabbitMQ 3.10, and what the code uses instead: no priorities (none
used), no exclusive, auto-delete or non-durable quorum queue (only reply and revocation-feed
queues are such, and they stay classic), per-message TTL and dead-lettering are supported
(the retry queues), with at-least-once dead-lettering where a message must not be lost.
"""
from kombu import Exchange, Queue
from nameko.rpc import RPC_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TTL, get_rpc_exchange
from nameko.standalone.events import get_event_exchange

QUORUM = {"x-queue-type": "quorum"}
# said outright, so that a vhost whose default queue type is quorum cannot make it one
CLASSIC = {"x-queue-type": "classic"}
# a retry queue dead-letters each message back to its handler's queue when its delay is up:
# at-least-once keeps the message until the target queue confirms it (at-most-once, the
# default, drops it if the target is away), and needs reject-publish overflow
AT_LEAST_ONCE_DEAD_LETTERING = {"x-overflow": "reject-publish",
                                "x-dead-letter-strategy": "at-least-once"}
DEFAULT_EXCHANGE = Exchange("")


def quorum(name, exchange=DEFAULT_EXCHANGE, routing_key=None, **arguments):
    """A durable quorum queue; on the default exchange (routed by its name) unless told."""
    return Queue(name, exchange=exchange, routing_key=name if routing_key is None else routing_key,
                 durable=True, auto_delete=False, exclusive=False,
                 queue_arguments={**QUORUM, **arguments})


def rpc_queue(service, config):
    """``rpc-<service>``: the requests for every @rpc method of one service."""
    return quorum(RPC_QUEUE_TEMPLATE.format(service), exchange=get_rpc_exchange(config),
                  routing_key=f"{service}.*")


def event_queue(source_service, event_type, service, method_name, config):
    """A service-pool handler's queue, named as nameko names it."""
    return quorum(f"evt-{source_service}-{event_type}--{service}.{method_name}",
                  exchange=get_event_exchange(source_service, config), routing_key=event_type)


def retry_queue(queue_name):
    """``<queue>.retry``: holds a failed event for its delay (per-message TTL), then
    dead-letters it back to ``queue_name``."""
    return quorum(f"{queue_name}.retry", **AT_LEAST_ONCE_DEAD_LETTERING, **{
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})


def dead_letter_queue(service):
    """``<service>.dead-letters``: events whose handler kept failing, for ops."""
    return quorum(f"{service}.dead-letters")


def reply_queue(name, routing_key, config):
    """A process's RPC reply queue: classic, non-durable, gone 5 minutes after its consumer."""
    return Queue(name, exchange=get_rpc_exchange(config), routing_key=routing_key,
                 durable=False, auto_delete=False, exclusive=False,
                 queue_arguments={**CLASSIC, "x-expires": RPC_REPLY_QUEUE_TTL})
