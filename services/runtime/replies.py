"""RPC replies and acknowledgements that survive a broker restart.

nameko sends a reply with a few quick retries; if the broker is still away after them (a
restart takes seconds), the publish error escapes the worker and nameko stops the whole
container: one lost reply took the service down for good (found by the chaos run). A reply
that cannot be sent is lost either way, since the caller's reply queue goes with the broker:
the caller times out (503 with Retry-After) and retries. So the error is logged and the worker
finishes normally; the request is acknowledged as nameko would.

The same holds for an acknowledgement (or a requeue) on a connection the broker just reset:
nameko ignores only amqp's own ConnectionError there, and a socket error stopped the
container the same way. The broker gives an unacknowledged message back when the connection
drops, so the message is delivered again; every handler is idempotent.
"""
import logging

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko import messaging as nameko_messaging
from nameko import rpc as nameko_rpc

log = logging.getLogger(__name__)

_send_response = nameko_rpc.Responder.send_response


def send_response(self, result, exc_info):
    try:
        return _send_response(self, result, exc_info)
    except (OSError, AMQPError, KombuError) as exc:
        log.warning("RPC reply lost, the broker is unreachable (%s): the caller will time out "
                    "and retry", type(exc).__name__)
        return result, exc_info


def _tolerant(settle):
    def settle_message(self, message):
        try:
            return settle(self, message)
        except (OSError, AMQPError, KombuError) as exc:
            log.warning("%s on a broken broker connection (%s): the broker delivers the "
                        "message again", settle.__name__, type(exc).__name__)
    settle_message.__name__ = settle.__name__
    settle_message.tolerant = True
    return settle_message


def install():
    """Use the tolerant reply, ack and requeue in every entrypoint of this process
    (idempotent)."""
    nameko_rpc.Responder.send_response = send_response
    consumer = nameko_messaging.QueueConsumer
    for name in ("ack_message", "requeue_message"):
        if not getattr(getattr(consumer, name), "tolerant", False):
            setattr(consumer, name, _tolerant(getattr(consumer, name)))
