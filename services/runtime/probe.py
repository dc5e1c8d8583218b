"""Kubernetes' probes for a nameko service: ``python -m services.runtime.probe billing``.

A service pod has no port to probe, so its probes are exec commands run beside the service
process (PID 1 of the container). Exit 0 means healthy, 1 not, with one line saying why.

* ``--live`` (liveness): PID 1 holds an established TCP connection to a broker named in
  AMQP_URI, or no broker it names can be reached at all. A process stuck (its hub blocked, or
  stopped) sends no heartbeats, the broker drops its connection, and it never makes a new one
  while the broker is there: restarted. A broker outage is not the process's fault, and
  restarting every pod during one would only delay their return (crash-loop back-off): not
  restarted. The database and the other replicas are not asked.
* default (readiness): an established broker connection, and the service answers its health
  RPC (HealthMixin) with ``status: ok`` (its database is up) within the timeout. Any replica
  may answer that RPC (they share the ``rpc-<service>`` queue): the connection check is what
  makes it this pod's answer.
"""
import argparse
import signal
import socket
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from services.contracts.names import SERVICES
from services.runtime import config

DEFAULT_PORTS = {"amqps": 5671}  # every other scheme (amqp, pyamqp) listens on 5672
ESTABLISHED = "01"  # the st column of /proc/net/tcp


def brokers(amqp_uri):
    """(host, port) of every broker in AMQP_URI (kombu's failover form: ``amqp://h1;amqp://h2``)."""
    listed = []
    for url in filter(None, (part.strip() for part in amqp_uri.split(";"))):
        parts = urlsplit(url)
        listed.append((parts.hostname or "localhost", parts.port or DEFAULT_PORTS.get(parts.scheme, 5672)))
    return listed


def broker_ports(amqp_uri):
    return {port for _, port in brokers(amqp_uri)}


def reachable(amqp_uri, timeout):
    """The first broker of AMQP_URI that accepts a TCP connection within ``timeout``, or None."""
    listed = brokers(amqp_uri)
    for host, port in listed:
        try:
            with socket.create_connection((host, port), timeout=timeout / len(listed)):
                return f"{host}:{port}"
        except OSError:
            continue
    return None


def connected(pid, ports):
    """True when process ``pid`` holds an established TCP connection to one of ``ports``."""
    proc = Path("/proc", str(pid))
    inodes = set()
    for fd in (proc / "fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("tcp", "tcp6"):
        path = proc / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == ESTABLISHED and remote_port in ports and fields[9] in inodes:
                return True
    return False


def health(service, amqp_uri, timeout):
    """The service's health RPC result; raises TimeoutError when nobody answers in time.

    nameko's own ClusterRpcProxy would do, but importing it (eventlet) costs a third of a CPU
    second, every probe period in every pod: a third of a service's CPU request, on the very
    metric its autoscaler reads. This is the same call on kombu alone, in nameko 2.14's wire
    form: a JSON ``{args, kwargs}`` to the ``nameko-rpc`` exchange under ``<service>.health``,
    with a reply routing key and a correlation id; the ``{result, error}`` reply comes back on
    a queue of the probe's own, exclusive, gone with its connection. tests/service/test_probe.py
    holds it to a real nameko service.
    """
    from kombu import Connection, Consumer, Exchange, Producer, Queue
    exchange = Exchange("nameko-rpc", type="topic", durable=True)
    reply_to, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    replies = []

    def on_reply(body, message):
        if message.properties.get("correlation_id") == correlation_id:
            replies.append(body)
        message.ack()

    deadline = time.monotonic() + timeout
    with Connection(amqp_uri, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=max(len(connection.alt) - 1, 1))
        channel = connection.channel()
        # classic whatever the vhost's default type (a quorum queue cannot be exclusive)
        queue = Queue(f"rpc.reply-probe-{reply_to}", exchange=exchange, routing_key=reply_to,
                      exclusive=True, auto_delete=True,
                      queue_arguments={"x-queue-type": "classic"})
        with Consumer(channel, queues=[queue], callbacks=[on_reply], accept=["json"]):
            Producer(channel).publish(
                {"args": [], "kwargs": {}}, exchange=exchange, routing_key=f"{service}.health",
                reply_to=reply_to, correlation_id=correlation_id, serializer="json",
                expiration=timeout)  # not run after the probe gave up
            while not replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply within {timeout:g} s")
                try:
                    connection.drain_events(timeout=left)
                except socket.timeout:
                    pass
    (reply,) = replies
    if reply.get("error"):
        raise RuntimeError(reply["error"].get("value") or reply["error"])
    return reply["result"]


def check(service, live, pid, timeout, env=None):
    """(healthy, why) for one probe."""
    amqp_uri = config.load(env, generate=False).amqp_uri
    ports = broker_ports(amqp_uri)
    try:
        is_connected = connected(pid, ports)
    except OSError as exc:
        return False, f"cannot read process {pid}'s sockets: {exc}"
    if live and is_connected:
        return True, f"process {pid} is connected to the broker"
    if live:
        answering = reachable(amqp_uri, timeout)
        if answering is None:
            return True, f"no broker can be reached: process {pid} waits for one, not restarted"
        return False, (f"process {pid} has no established connection to a broker, "
                       f"though {answering} accepts connections")
    if not is_connected:
        return False, f"process {pid} has no established connection to a broker (ports {sorted(ports)})"
    try:
        reply = health(service, amqp_uri, timeout)
    except Exception as exc:
        return False, f"{service} did not answer its health RPC: {type(exc).__name__}: {exc}"
    if reply.get("status") != "ok":
        return False, f"{service} answered {reply}"
    return True, f"{service} answered {reply}"


def parser():
    """The command line (the manifests' probes are checked against it: tests/deploy)."""
    parser = argparse.ArgumentParser(prog="python -m services.runtime.probe")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--live", action="store_true",
                        help="liveness: only check the process's own broker connection")
    parser.add_argument("--pid", type=int, default=1, help="the service process (default 1)")
    parser.add_argument("--timeout", type=float, default=3.0,
                        help="seconds for the health RPC; the probe gives up one second later")
    return parser


def main(argv=None):
    args = parser().parse_args(argv)

    def _give_up(_signum, _frame):  # connecting to a broker that is away can outlast the RPC timeout
        print(f"{args.service}: no answer within {args.timeout:g} s", file=sys.stderr)
        sys.exit(1)

    signal.signal(signal.SIGALRM, _give_up)
    signal.setitimer(signal.ITIMER_REAL, args.timeout + 1)
    healthy, why = check(args.service, args.live, args.pid, args.timeout)
    signal.setitimer(signal.ITIMER_REAL, 0)
    print(f"{args.service}: {why}", file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
