"""Each service's event stream: ``<service>.events.stream``, a RabbitMQ stream queue bound with
``#`` to the ``<service>.events`` exchange, so every event the service publishes is also kept
in an append-only log that any number of readers replay from an offset of their own
(docs/streams.md). Declared by ``python -m services.runtime.migrate``.

Retention is by age and by size (EVENT_STREAM_MAX_AGE, EVENT_STREAM_MAX_BYTES), fixed when the
stream is created: RabbitMQ refuses to redeclare a queue with other arguments, so a later
change of those settings is reported, not applied (delete the stream to re-create it).
"""
import logging

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

log = logging.getLogger(__name__)

# RabbitMQ's own default segment size; retention drops whole closed segments only
MAX_SEGMENT_BYTES = 500_000_000


def stream_name(service):
    return f"{service}.events.stream"


def arguments(max_age, max_bytes):
    """The queue arguments of an event stream with this retention."""
    return {
        "x-queue-type": "stream",
        "x-max-age": max_age,
        "x-max-length-bytes": max_bytes,
        # ten segments per retained size, so the size limit holds to about a tenth (one
        # 500 MB segment would never be dropped under a 100 MB limit)
        "x-stream-max-segment-size-bytes": max(1, min(MAX_SEGMENT_BYTES, max_bytes // 10)),
    }


def stream_queue(service, config, max_age, max_bytes):
    """The kombu Queue of ``service``'s stream, bound to its event exchange."""
    return Queue(stream_name(service), exchange=get_event_exchange(service, config),
                 routing_key="#", durable=True, auto_delete=False, exclusive=False,
                 queue_arguments=arguments(max_age, max_bytes))


def declare(service, config, settings):
    """Declare ``service``'s event exchange and its stream, bound to it. Returns False when
    the stream already existed with another retention (which it keeps), else True."""
    wanted = stream_queue(service, config, settings.event_stream_max_age,
                          settings.event_stream_max_bytes)
    with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
        channel = connection.channel()
        wanted.exchange(channel).declare()
        try:
            wanted(channel).declare()
            return True
        except PreconditionFailed as exc:  # the broker closed the channel: bind on a new one
            log.warning("%s keeps its retention (%s); delete the stream to apply the new one",
                        wanted.name, exc.reply_text)
        existing = Queue(wanted.name, exchange=wanted.exchange, routing_key="#", no_declare=True)
        bound = existing(connection.channel())
        bound.queue_declare(passive=True)
        bound.bind_to(wanted.exchange.name, routing_key="#")
        return False
