"""The sessions this gateway worker must refuse although their access tokens still verify.

Access tokens are checked locally (no RPC per request) and live ACCESS_TOKEN_SECONDS, so a
token can outlive its session by up to that long. Each worker therefore keeps the ids of
sessions ended within that time: a background thread consumes ``identity.session_ended`` on
an exclusive, auto-delete queue of its own bound to ``identity.events`` (every worker hears
every ending, unlike a shared queue), and on start and after each reconnection asks identity
once for the sessions ended lately, which covers what it missed while it was not listening.
Entries older than a token's lifetime are dropped: such tokens have expired anyway.
"""
import json
import logging
import os
import socket
import threading
import time
import uuid

from kombu import Queue
from nameko.standalone.events import get_event_exchange

from services.runtime import amqp_uri, heartbeats, queues

log = logging.getLogger(__name__)


class Revocations:
    def __init__(self, lifetime_seconds, amqp_uri=None, fetch=None):
        self.lifetime = lifetime_seconds
        self.amqp_uri = amqp_uri
        self.fetch = fetch          # () -> [session_id] ended lately; None: no background feed
        self._ended = {}            # session_id -> monotonic time it was heard of
        self._lock = threading.Lock()
        self._heard = threading.Condition(self._lock)  # notified as the feed adds an ending
        self._pid = None
        self.synced = threading.Event()

    def ready(self):
        """False until this process caught up with the sessions ended before it listened
        (callers then ask identity about each token's session instead)."""
        return self.fetch is None or self.synced.is_set()

    def add(self, session_id):
        with self._lock:
            self._ended[str(session_id)] = time.monotonic()
            self._heard.notify_all()

    def wait_heard(self, session_id, timeout=2.0):
        """Wait until the feed brought the ending of ``session_id`` (call before ``add``).
        Every worker's queue gets the same routed message at once, so when this worker has
        heard it the others have too: a sign-out answered after this stops the tokens on
        every worker, not only this one. True if heard, False on timeout or with no feed."""
        return self.wait_all_heard([session_id], timeout)

    def wait_all_heard(self, session_ids, timeout=2.0):
        """``wait_heard`` for several endings at once (one wait, bounded by ``timeout``)."""
        if not self.ready() or self._pid != os.getpid():
            return False
        wanted = {str(s) for s in session_ids}
        with self._heard:
            return self._heard.wait_for(lambda: wanted <= self._ended.keys(), timeout)

    def __contains__(self, session_id):
        with self._lock:
            if len(self._ended) > 1000:
                self._prune()
            return str(session_id) in self._ended

    def _prune(self):
        horizon = time.monotonic() - self.lifetime - 60
        for sid in [s for s, t in self._ended.items() if t < horizon]:
            del self._ended[sid]

    def ensure_listening(self):
        """Starts the feed in this process (after gunicorn's fork) the first time it is used."""
        if self.fetch is None or self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._ended = {}
            self.synced.clear()
        threading.Thread(target=self._run, name="session-revocations", daemon=True).start()

    def _run(self):
        delay = 0.5
        while True:
            try:
                self._listen()
            except Exception as exc:  # the broker went away: reconnect, catch up again
                log.warning("session revocation feed interrupted (%s); reconnecting",
                            type(exc).__name__)
                time.sleep(delay)
                delay = min(delay * 2, 10)

    def _listen(self):
        exchange = get_event_exchange("identity", {})
        queue = Queue(f"gateway-revocations-{uuid.uuid4().hex}", exchange=exchange,
                      routing_key="session_ended", exclusive=True, auto_delete=True,
                      durable=False, queue_arguments=queues.CLASSIC)  # per worker: never quorum
        # the heartbeat finds a frozen node; its connection is then dropped, not closed (a
        # close waits for an answer that never comes: services/runtime/heartbeats.py)
        connection = amqp_uri.connect(self.amqp_uri, heartbeat=heartbeats.DEFAULT_HEARTBEAT)
        try:
            with connection.Consumer(queue, callbacks=[self._on_message], accept=["json"]):
                # bound before the catch-up, so nothing ended in between is missed
                for session_id in self.fetch():
                    self.add(session_id)
                self.synced.set()
                log.info("session revocation feed listening")
                while True:
                    try:
                        connection.drain_events(timeout=1)  # heartbeat_check: each second
                    except socket.timeout:
                        connection.heartbeat_check()
        finally:
            heartbeats.drop(connection)

    def _on_message(self, body, message):
        try:
            if isinstance(body, (bytes, str)):
                body = json.loads(body)
            self.add(body["data"]["session_id"])
        except (KeyError, TypeError, ValueError):
            log.warning("ignored a malformed session_ended message")
        message.ack()
