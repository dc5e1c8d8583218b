"""Leaving a broker node that stopped answering (issue 14 point 2: the frozen node).

A node frozen with SIGSTOP (a stalled host) keeps its TCP connections open: nothing fails, it
just never answers. Three things then kept a process on it for the whole freeze:

* nobody asked for heartbeats (nameko's default is 60 s, so 120 s before py-amqp gives up);
* closing a connection waits for the broker's Close-Ok (kombu's ``release`` closes the
  default channel first and waits for its Channel.Close-Ok, forever: no timeout there, and a
  socket read timeout does nothing under eventlet, whose sockets are non-blocking), so a
  consumer that did notice stayed in ``channel.close()`` until the thaw;
* a publish with confirms waits for its confirm, also forever, and so did every worker
  sending an RPC reply on a pooled connection to that node; given a confirm timeout, kombu's
  ``ensure`` (5.7) then switches to the next broker with ``switch()``, which closes the old
  connection gracefully first: the same endless wait for a Close-Ok.

So every connection here has HEARTBEAT (services/runtime/config.py) or a confirm timeout of
that length, and a connection that failed is dropped with ``collect()`` (the socket
closed, no goodbye) instead of closed. frozen_node_bound() is what that adds up to; see
docs/queues.md.
"""
import contextlib
import logging

from kombu import Connection
from nameko import messaging as nameko_messaging
from nameko.amqp import publish as nameko_publish

from services.runtime.config import DEFAULT_HEARTBEAT

log = logging.getLogger(__name__)


CONNECT_TIMEOUT = 5  # kombu's default: a frozen node accepts TCP but never the AMQP handshake


def frozen_node_bound(heartbeat=DEFAULT_HEARTBEAT):
    """Seconds within which every process has left a node that stopped answering: two missed
    heartbeats (py-amqp's rule) to notice, one more for re-declaring on a live node and for
    the quorum queues electing leaders there, and a connect timeout for the one connection
    that may try the frozen node again before the next (a pooled publisher's)."""
    return 3 * heartbeat + CONNECT_TIMEOUT


def broker_of(connection):
    """``host:port`` of the broker ``connection`` is (or was last) on."""
    return f"{connection.hostname}:{connection.port}"


def avoiding(uri, suspects):
    """``uri``'s brokers with those in ``suspects`` (``host:port``) last, else in order."""
    brokers = [part for part in uri.split(";") if part.strip()]
    keyed = [(broker_of(Connection(part)) in suspects, part) for part in brokers]
    return ";".join(part for _, part in sorted(keyed, key=lambda pair: pair[0]))


def starting_from(uri, n):
    """``uri``'s brokers (kombu's failover form) starting from its ``n``-th, modulo their
    number: a connection made again after a failure starts from the next broker, not the one
    that failed."""
    brokers = [part for part in uri.split(";") if part.strip()]
    n %= max(len(brokers), 1)
    return ";".join(brokers[n:] + brokers[:n])


FROZEN_NODE_BOUND = frozen_node_bound()
_confirm_timeout = DEFAULT_HEARTBEAT


def drop(connection):
    """Forget ``connection`` without talking to its broker (which may never answer)."""
    if connection is None:
        return
    with contextlib.suppress(Exception):  # the socket is gone either way
        connection.collect()


@contextlib.contextmanager
def _establish_connection(self):
    # ConsumerMixin.establish_connection, dropping (not closing) a connection that failed,
    # and starting the next one from the following broker of AMQP_URI
    conn = self.create_connection()
    for _ in range(getattr(self, "_brokers_failed", 0) % max(len(conn.alt), 1)):
        conn.maybe_switch_next()
    try:
        conn.ensure_connection(self.on_connection_error, self.connect_max_retries)
        yield conn
    except BaseException as exc:
        self._brokers_failed = getattr(self, "_brokers_failed", 0) + 1
        log.warning("left broker %s (%s)", conn.as_uri(), type(exc).__name__)
        drop(conn)
        raise
    conn.release()


_switch = Connection.switch


def _switch_without_goodbye(self, conn_str):
    # kombu switches to another broker after an error on this one: drop, don't close
    drop_open(self)
    return _switch(self, conn_str)


_switch_without_goodbye.bounded = True


def drop_open(connection):
    """``drop`` ``connection`` if it is open, keeping it usable (it connects again)."""
    if connection._connection is not None:
        drop(connection)
        connection._default_channel = None


def leave_without_goodbye():
    """kombu switching brokers after an error no longer waits on the one it leaves; for every
    process that publishes through kombu's ``ensure`` (the services, the gateway)."""
    if not getattr(Connection.switch, "bounded", False):
        Connection.switch = _switch_without_goodbye


_publish = nameko_publish.Publisher.publish


def _publish_with_confirm_timeout(self, payload, **kwargs):
    # a confirm that never comes is a socket.timeout: kombu's retry drops the connection
    # and publishes again on the next broker
    kwargs.setdefault("confirm_timeout", _confirm_timeout)
    return _publish(self, payload, **kwargs)


_publish_with_confirm_timeout.bounded = True


def install(heartbeat=DEFAULT_HEARTBEAT):
    """Every nameko consumer and publisher of this process leaves a silent broker within
    frozen_node_bound(heartbeat) (idempotent). Services call it at start (run.py); HEARTBEAT
    itself reaches nameko's consumer through its config (config.nameko_config)."""
    global _confirm_timeout
    _confirm_timeout = heartbeat
    leave_without_goodbye()
    nameko_messaging.QueueConsumer.establish_connection = _establish_connection
    if not getattr(nameko_publish.Publisher.publish, "bounded", False):
        nameko_publish.Publisher.publish = _publish_with_confirm_timeout


def uninstall():
    """For tests: nameko's own behaviour back."""
    if "establish_connection" in vars(nameko_messaging.QueueConsumer):
        del nameko_messaging.QueueConsumer.establish_connection
    nameko_publish.Publisher.publish = _publish
    Connection.switch = _switch
