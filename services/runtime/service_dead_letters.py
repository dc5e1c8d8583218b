"""The dead-letter entrypoints every service has: keep what its handlers parked, list, replay.

Mixed into each service class (like HealthMixin); needs its ``db`` (whose metadata declares
``dead_letters``, see dead_letters.py) and ``config``. The consumer takes each message off
``<service>.dead-letters`` (declared when the consumer starts, and by migrate) and acks it only
after the row is committed; a failure puts the message back after a pause, never drops it.
"""
import logging
from functools import partial

import eventlet
from amqp.exceptions import AMQPError, NotFound as QueueNotFound
from kombu.exceptions import KombuError
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer

from services.contracts import paging
from services.contracts.errors import Conflict, InvalidInput, NotFound, Unavailable
from services.runtime import amqp_uri, dead_letters
from services.runtime.entrypoints import rpc
from services.runtime.handlers import dead_letter_queue

log = logging.getLogger(__name__)
PAUSE_AFTER_FAILURE = 1.0  # a database away must not turn the requeue into a busy loop


class DeadLetterConsumer(Consumer):
    """Consumes the container's own ``<service>.dead-letters``; its worker gets the message's
    raw body (text), headers and content type, not a decoded body."""

    def __init__(self, **kwargs):
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        self.queue = dead_letter_queue(self.container.service_name)
        super().setup()

    def handle_message(self, body, message):
        raw = message.body.decode("utf-8", "replace") if isinstance(message.body, bytes) \
            else str(message.body)
        args = (raw, dict(message.headers or {}), message.content_type)
        try:
            self.container.spawn_worker(self, args, {},
                                        context_data=self.unpack_message_headers(message),
                                        handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)


dead_letter_consumer = DeadLetterConsumer.decorator


def _before(value):
    if value is None:
        return None
    try:
        parked_at, below = value
        if dead_letters._parked_at(parked_at) is None or isinstance(below, bool) \
                or not isinstance(below, int) or not 0 <= below <= paging.ROW_IDS:
            raise ValueError(parked_at)
        return [str(parked_at), below]
    except (TypeError, ValueError):
        raise paging.bad_cursor() from None


class DeadLettersMixin:

    def _dead_letters(self):
        return self.db.outbox.metadata.tables["dead_letters"]

    @dead_letter_consumer
    def keep_dead_letter(self, body, headers, content_type):
        """Stores one parked message (once, however often it is delivered). Emits nothing."""
        fields = dead_letters.from_message(body, headers, content_type)
        try:
            with self.db.transaction() as tx:
                outcome = dead_letters.record(tx.session, self._dead_letters(), fields)
        except Exception:
            eventlet.sleep(PAUSE_AFTER_FAILURE)
            raise
        log.info("dead letter from %s kept (%s)", fields["queue"], outcome,
                 extra={"parked_event_id": fields["event_id"]})

    @rpc(expected_exceptions=InvalidInput)
    def list_dead_letters(self, limit=20, before=None, include_replayed=False):
        """Parked events, newest first: ``{items: [{id, service, queue, event_type, event_id,
        error, attempts, parked_at, status, replayed_at, replay_count, body}], more}``.
        ``before`` = [parked_at, row id] pages on; replayed ones only with include_replayed.
        Raises InvalidInput (limit, cursor)."""
        limit = paging.checked_limit(limit)
        with self.db.transaction() as tx:
            return dead_letters.listing(tx.session, self._dead_letters(), self.name, limit,
                                        _before(before), bool(include_replayed))

    @rpc(expected_exceptions=(NotFound, Conflict, Unavailable))
    def replay_dead_letter(self, dead_letter_id):
        """Publishes the parked event again to the handler queue it came from, with its
        attempts starting again, and records the replay. Returns ``{id, replayed_at,
        replay_count}``. Raises NotFound (no such row), Conflict (that queue is gone),
        Unavailable (the broker did not confirm)."""
        if not isinstance(dead_letter_id, int) or not 0 < dead_letter_id < paging.ROW_IDS:
            raise NotFound("No such dead letter.")
        row_id = dead_letter_id
        table = self._dead_letters()
        with self.db.transaction() as tx:
            row = dead_letters.claim(tx.session, table, row_id)
            self._republish(row)
            replayed_at = dead_letters.mark_replayed(tx.session, table, row)
        log.info("dead letter %s replayed to %s", row.id, row.queue,
                 extra={"parked_event_id": row.event_id})
        return {"id": f"{self.name}.{row.id}", "replayed_at": replayed_at.isoformat(),
                "replay_count": row.replay_count + 1}

    def _republish(self, row):
        """Straight to the handler's own queue (the default exchange), confirmed by the
        broker before the replay is recorded; other consumers of the event see nothing."""
        try:
            with amqp_uri.connect(self.config["AMQP_URI"],
                                  transport_options={"confirm_publish": True}) as connection:
                try:
                    connection.channel().queue_declare(queue=row.queue, passive=True)
                except QueueNotFound:
                    raise Conflict(f"The queue {row.queue} no longer exists.") from None
                connection.Producer(connection.channel()).publish(
                    row.body.encode(), exchange="", routing_key=row.queue,
                    content_type=row.content_type or "application/json",
                    content_encoding="utf-8", headers=dead_letters.replay_headers(row),
                    delivery_mode=2, retry=True, retry_policy={"max_retries": 2})
        except (OSError, AMQPError, KombuError):
            log.warning("could not replay dead letter %s", row.id, exc_info=True)
            raise Unavailable("The message broker did not take the replay; try again.") from None
