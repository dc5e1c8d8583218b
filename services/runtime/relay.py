"""The outbox relay: publishes a service's committed events, then marks them sent.

Runs as a managed greenthread in every replica. Each drain claims a batch of unsent rows
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas never publish the same row at once),
publishes each with publisher confirms, and marks the batch sent in the same transaction.
A crash between publish and commit publishes again later: consumers are idempotent.
"""
import logging

import eventlet
from eventlet.queue import Empty, LightQueue, Full
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select, update

from services.runtime import amqp_uri, heartbeats
from services.runtime import clock

log = logging.getLogger(__name__)

BATCH = 200
POLL_SECONDS = 1.0     # catches rows committed by other replicas or before a crash
MAX_BACKOFF = 15.0


class OutboxRelay:
    def __init__(self, engine, outbox, service, config):
        self.engine = engine
        self.outbox = outbox
        self.service = service
        self.amqp_uri = config["AMQP_URI"]
        # a confirm that never comes (a frozen node) fails the drain after this long
        self.confirm_timeout = config.get("HEARTBEAT") or heartbeats.DEFAULT_HEARTBEAT
        self.exchange = get_event_exchange(service, config)
        self._wakeups = LightQueue(maxsize=1)
        self._running = True
        self._connection = None
        self._failures = 0

    def wake(self):
        try:
            self._wakeups.put_nowait(True)
        except Full:
            pass  # a drain is already due

    def stop(self):
        self._running = False
        self.wake()

    def run(self):
        backoff = 0.5
        while self._running:
            try:
                self._wakeups.get(timeout=POLL_SECONDS)
            except Empty:
                pass
            if not self._running:
                break
            try:
                self.drain()
                backoff = 0.5
            except Exception as exc:  # broker or database away: keep rows, try again later
                log.warning("outbox relay could not publish: %s", type(exc).__name__)
                self._close(failed=True)
                self._failures += 1  # the next connection starts from the next broker
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        self._close()

    def drain(self):
        """Publish every unsent row; returns how many were published."""
        total = 0
        while True:
            published = self._drain_batch()
            total += published
            if published < BATCH:
                return total

    def _drain_batch(self):
        o = self.outbox
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(o.c.event_id, o.c.event_type, o.c.body, o.c.request_id)
                .where(o.c.sent_at.is_(None))
                .order_by(o.c.created_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            producer = self._producer()
            for row in rows:
                producer.publish(
                    row.body.encode(), exchange=self.exchange,
                    routing_key=row.event_type.split(".", 1)[1],
                    content_type="application/json", content_encoding="utf-8",
                    delivery_mode=2, headers={"nameko.request_id": row.request_id},
                    declare=[self.exchange], retry=False,
                    confirm_timeout=self.confirm_timeout,
                )
            conn.execute(update(o).where(o.c.event_id.in_([r.event_id for r in rows]))
                         .values(sent_at=clock.now()))
        log.info("relayed %d events", len(rows),
                 extra={"event_ids": [r.event_id for r in rows][:20]})
        return len(rows)

    def _producer(self):
        if self._connection is None:
            # the first broker of AMQP_URI that answers (several: a cluster's nodes)
            self._connection = amqp_uri.connect(
                heartbeats.starting_from(self.amqp_uri, self._failures),
                transport_options={"confirm_publish": True})
            self._producer_obj = self._connection.Producer()
        return self._producer_obj

    def _close(self, failed=False):
        if self._connection is not None and failed:
            heartbeats.drop(self._connection)  # its broker may never answer a close
        elif self._connection is not None:
            try:
                self._connection.release()
            except Exception:
                pass
        self._connection = None
