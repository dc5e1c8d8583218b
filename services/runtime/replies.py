"""RPC replies that survive a broker restart.

nameko sends a reply with a few quick retries; if the broker is still away after them (a
restart takes seconds), the publish error escapes the worker and nameko stops the whole
container: one lost reply took the service down for good (found by the chaos run). A reply
that cannot be sent is lost either way, since the caller's reply queue goes with the broker:
the caller times out (503 with Retry-After) and retries. So the error is logged and the worker
finishes normally; the request is acknowledged as nameko would.
"""
import logging

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
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


def install():
    """Use the tolerant reply in every Rpc entrypoint of this process (idempotent)."""
    nameko_rpc.Responder.send_response = send_response
