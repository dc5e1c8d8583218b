"""The pooled RPC client: the only way the gateway reaches a service.

nameko's standalone ClusterRpcProxy is single-threaded and costs a connection and a reply
queue to set up, so each gunicorn thread keeps its own, created on first use (after fork),
reused for every call, and thrown away when its connection breaks. Every call has a timeout
and its request message expires with it, so a service that was down never runs a request
whose caller already gave up. A service that does not answer turns into ServiceUnavailable
(503); for a moment after that, each call first pings it briefly (PROBE_SECONDS) instead of
waiting out the whole timeout, and goes ahead as soon as the service is back.

A broker node that stops answering (frozen: its TCP connections stay open) must not hold a
thread: a request's confirm is awaited at most HEARTBEAT seconds (then kombu publishes again
on the next broker), its reply at most the call's timeout, and a thread whose call failed
drops its connection without the close handshake the node would never answer
(services/runtime/heartbeats.py). That broker is then suspect for every thread: each leaves
it before its next call, and new connections try it last.
"""
import logging
import threading
import time

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy

from services.contracts import errors
from services.runtime import amqp_uri as amqp_uris, config, heartbeats
from services.runtime.entrypoints import cluster_rpc_proxy
from services.runtime.rpc import register_domain_errors

log = logging.getLogger(__name__)

# Domain errors come back as themselves, not as nameko's generic RemoteError.
register_domain_errors()

FAIL_FAST_SECONDS = 2.0
PROBE_SECONDS = 0.5
SUSPECT_SECONDS = 30.0  # a broker a call failed on is tried last for this long


class ServiceUnavailable(Exception):
    def __init__(self, service, retry_after=5):
        super().__init__(f"The {service} service is unavailable.")
        self.service = service
        self.retry_after = retry_after


class RpcClient:
    def __init__(self, amqp_uri, timeout=config.Settings.rpc_timeout,
                 heartbeat=config.Settings.heartbeat):
        # several brokers (a;b;c) fail over by themselves; each under the pyamqp name
        self.config = {"AMQP_URI": amqp_uris.pyamqp(amqp_uri), "SERIALIZER": "json"}
        # a request's publish tries each broker once (and one broker twice)
        self._publish_retries = max(len(amqp_uris.alternates(amqp_uri)) - 1, 1)
        self.timeout = timeout
        self.heartbeat = heartbeat
        heartbeats.leave_without_goodbye()  # kombu's own switch waits on a frozen broker
        self._local = threading.local()
        self._down_until = {}  # service -> monotonic time; shared by this process's threads
        self._suspects = {}    # broker host:port -> monotonic time a call failed on it; shared
        self.observers = []    # callables(service, method, seconds, outcome) e.g. metrics

    def call(self, service, method, *args, timeout=None, request_id=None, **kwargs):
        """Call ``service.method(*args, **kwargs)``; returns its result.

        Raises the service's domain errors as themselves, ServiceUnavailable when it does not
        answer within ``timeout`` seconds (default RPC_TIMEOUT) or the broker is away.
        """
        timeout = self.timeout if timeout is None else timeout
        if self._down_until.get(service, 0) > time.monotonic() and method != "health":
            # it did not answer a moment ago: a short ping says whether it is back, so an
            # outage costs each caller PROBE_SECONDS, not the whole timeout, and a service
            # that returned is used at once
            try:
                self.call(service, "health", timeout=PROBE_SECONDS, request_id=request_id)
            except ServiceUnavailable:
                raise ServiceUnavailable(service, retry_after=int(FAIL_FAST_SECONDS) or 1) \
                    from None
        started = time.perf_counter()
        outcome = "ok"
        try:
            proxy = self._proxy()
            proxy._worker_ctx.data["request_id"] = request_id
            proxy._reply_listener.queue_consumer.timeout = timeout
            method_proxy = ServiceProxy(
                proxy._worker_ctx, service, proxy._reply_listener,
                expiration=timeout, confirm_timeout=min(timeout, self.heartbeat),
                retry_policy={"max_retries": self._publish_retries, "interval_start": 0,
                              "interval_step": 0.2})
            result = getattr(method_proxy, method)(*args, **kwargs)
            self._down_until.pop(service, None)
            return result
        except errors.DomainError:
            outcome = "error"
            raise
        except (RpcTimeout, UnknownService) as exc:
            outcome = "unavailable"
            self._down_until[service] = time.monotonic() + FAIL_FAST_SECONDS
            # the reply may never come because this thread's broker node froze: start afresh
            self._discard()
            log.warning("%s.%s unavailable: %s", service, method, type(exc).__name__)
            raise ServiceUnavailable(service) from None
        except (OSError, AMQPError, KombuError, ConnectionError) as exc:
            outcome = "unavailable"
            self._discard()
            log.warning("broker connection failed calling %s.%s: %s", service, method,
                        type(exc).__name__)
            raise ServiceUnavailable(service) from None
        finally:
            for observe in self.observers:
                observe(service, method, time.perf_counter() - started, outcome)

    def _proxy(self):
        proxy = getattr(self._local, "proxy", None)
        if proxy is not None and self._suspects.get(_broker_of(proxy), 0) > proxy.made_at:
            # another thread's call failed on this proxy's broker since it was made (a frozen
            # node fails them all): leave it now rather than each thread finding out alone
            self._discard(failed=False)
            proxy = None
        if proxy is None:
            # nameko's, with a non-durable reply queue (services/runtime/queues.py), on the
            # brokers that did not fail lately first; the publisher pool is per URI, so the
            # requests follow it
            config = {**self.config, "AMQP_URI": heartbeats.avoiding(
                self.config["AMQP_URI"], self._suspected())}
            standalone = cluster_rpc_proxy(config, context_data={"request_id": None},
                                           timeout=self.timeout)
            proxy = standalone.start()
            proxy.standalone = standalone
            proxy.made_at = time.monotonic()
            self._local.proxy = proxy
        return proxy

    def _suspected(self):
        now = time.monotonic()
        return {broker for broker, when in list(self._suspects.items())
                if now - when < SUSPECT_SECONDS}

    def _discard(self, failed=True):
        proxy = getattr(self._local, "proxy", None)
        self._local.proxy = None
        if proxy is not None:
            if failed:
                self._suspects[_broker_of(proxy)] = time.monotonic()
            # not standalone.stop(): closing waits for a broker that may never answer
            heartbeats.drop(proxy._reply_listener.queue_consumer.connection)


def _broker_of(proxy):
    return heartbeats.broker_of(proxy._reply_listener.queue_consumer.connection)


def call(service, method, *args, **kwargs):
    """From a Flask request: call with the app's client, passing on the request id."""
    from flask import current_app, g
    client = current_app.extensions["rpc"]
    return client.call(service, method, *args, request_id=g.get("request_id"), **kwargs)


def detached(service, method, *args, **kwargs):
    """From a Flask request: ``call`` bound now, to be called later from another thread (a
    prefetching pool has no request context); each call passes on this request's id. Each
    further argument given then goes after ``args``."""
    from flask import current_app, g
    client, request_id = current_app.extensions["rpc"], g.get("request_id")

    def fetch(*more):
        return client.call(service, method, *args, *more, request_id=request_id, **kwargs)
    return fetch
