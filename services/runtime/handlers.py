"""Event handlers that never lose an event: retried with back-off, then parked.

``@reliable_handler("billing", "statement_issued")`` is nameko's ``event_handler`` (a durable
queue per handler, at-least-once) whose failures are not dropped: the message is copied to
``<queue>.retry``, which holds it for a growing delay and dead-letters it back to the handler's
queue; after MAX_ATTEMPTS it is parked on ``<service>.dead-letters`` for ops to inspect and
replay. The original is acked only once its copy is confirmed by the broker.

EVENT_MAX_ATTEMPTS and EVENT_RETRY_MAX_DELAY (services/runtime/config.py) bound the tries and
the longest wait; the defaults below are production's, tests set them low to park in seconds.
"""
import logging
import random
import traceback

from nameko.amqp.publish import get_producer
from nameko.events import SERVICE_POOL, EventHandler, EventHandlerConfigurationError
from nameko.messaging import Consumer

from services.runtime import clock, config
from services.runtime import queues
# where these queues used to be defined; callers still import them from here
from services.runtime.queues import dead_letter_queue, retry_queue  # noqa: F401

log = logging.getLogger(__name__)

MAX_ATTEMPTS = config.Settings.event_max_attempts  # when a test's container config has none
MAX_DELAY = config.Settings.event_retry_max_delay
ATTEMPTS_HEADER = "x-bizportal-attempts"


def retry_delay(attempts, max_delay=MAX_DELAY):
    """Seconds to hold a message before attempt ``attempts + 1``: 1, 2, 4, 8... at most
    ``max_delay`` (30 unless EVENT_RETRY_MAX_DELAY says otherwise)."""
    return min(2 ** (attempts - 1), max_delay)


class ReliableEventHandler(EventHandler):

    def setup(self):
        # EventHandler.setup would build a classic queue; a quorum queue of the same name can
        # only be a service-pool one with reliable delivery (never exclusive or auto-delete)
        if self.handler_type is not SERVICE_POOL or not self.reliable_delivery:
            raise EventHandlerConfigurationError(
                f"{self.method_name}: a reliable handler is a service-pool handler with "
                "reliable delivery (its queue is a quorum queue)")
        self.queue = queues.event_queue(self.source_service, self.event_type,
                                        self.container.service_name, self.method_name,
                                        self.container.config)
        Consumer.setup(self)
        config = self.container.config
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS") or MAX_ATTEMPTS)
        max_delay = config.get("EVENT_RETRY_MAX_DELAY")
        self.max_delay = float(MAX_DELAY if max_delay is None else max_delay)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            try:
                self._retry_or_park(message, exc_info)
            except Exception:
                # the broker is unreachable: hand the message back rather than lose it
                log.exception("could not re-route a failed event; requeueing it")
                self.queue_consumer.requeue_message(message)
                return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry_or_park(self, message, exc_info):
        headers = dict(message.headers or {})
        attempts = int(headers.get(ATTEMPTS_HEADER, 0)) + 1
        headers[ATTEMPTS_HEADER] = attempts
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()[:500]
        headers["x-bizportal-error"] = error
        publish = dict(body=message.body, content_type=message.content_type,
                       content_encoding=message.content_encoding, headers=headers,
                       delivery_mode=2, exchange="", retry=True,
                       retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5})
        config = self.container.config
        with get_producer(config["AMQP_URI"], confirms=True) as producer:
            if attempts < self.max_attempts:
                queue = retry_queue(self.queue.name)
                # jittered: two events that failed together (the two sides of a deadlock)
                # must not meet again on every retry until both are parked
                delay = retry_delay(attempts, self.max_delay) * random.uniform(1.0, 1.5)
                producer.publish(routing_key=queue.name, declare=[queue], expiration=delay,
                                 **publish)
                log.warning("event handler %s failed (attempt %d), retrying: %s",
                            self.method_name, attempts, error)
            else:
                queue = dead_letter_queue(self.container.service_name)
                headers.update({
                    "x-bizportal-queue": self.queue.name,
                    "x-bizportal-exchange": self.queue.exchange.name,
                    "x-bizportal-routing-key": self.event_type,
                    "x-bizportal-parked-at": clock.now().isoformat(),
                })
                producer.publish(routing_key=queue.name, declare=[queue], **publish)
                log.error("event handler %s failed %d times; parked on %s: %s",
                          self.method_name, attempts, queue.name, error)


reliable_handler = ReliableEventHandler.decorator
