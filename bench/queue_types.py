"""What quorum queues cost, on one node and on a 3-node cluster, as ratios against classic
queues in the same run.

(a) RPC round trips/s, one call at a time, from the gateway's RpcClient to ``health`` of a
    real nameko service (a ServiceRunner in its own process, eventlet as in production). The
    process runs the same one-method service twice: ``bench_classic`` whose ``rpc-`` queue is
    stock nameko's (classic, durable: the version before quorum queues) and ``bench_quorum``
    whose queue is services/runtime/queues.py's, through services/runtime/entrypoints.py.
    queues.py has no setting for a classic RPC queue (one definition, on purpose), hence a
    bench service rather than billing.
(b) events/s end to end: ``--events`` JSON events published one at a time as the outbox
    relay publishes them (persistent, publisher confirms, through a topic exchange) to a
    classic durable or a quorum queue, consumed with acks and prefetch 10 (a nameko
    service's default max_workers); timed from the first publish to the last ack.

Each on a private RabbitMQ node (tests/chaos/infra.py PrivateBroker), then on a private
3-node cluster (tests/chaos/cluster.py), all clients connected to the first node (which
therefore leads every queue; quorum queues have a follower on each of the others). Classic
and quorum run in interleaved rounds. Nodes and folders are removed at the end. Needs no
shared broker. Run by `make bench`; see bench/README.md.
"""
import sys

if "--serve" in sys.argv:  # the service process: eventlet first, as services.runtime.run does
    import eventlet
    eventlet.monkey_patch()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

from kombu import Connection, Consumer, Exchange, Producer, Queue  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.rpc_overhead import interleaved, sequential  # noqa: E402
from bench.support import stop  # noqa: E402

KINDS = ("classic", "quorum")
EVENTS = Exchange("bench.events", type="topic", durable=True, auto_delete=False)


def serve(amqp_uri):
    """Both bench services in one ServiceRunner until SIGTERM."""
    import nameko.rpc
    from nameko.runners import ServiceRunner

    from services.runtime.amqp_uri import pyamqp
    from services.runtime.entrypoints import rpc as quorum_rpc

    class ClassicService:
        name = "bench_classic"

        @nameko.rpc.rpc  # stock nameko: rpc-bench_classic is a classic durable queue
        def health(self):
            return {"ok": True}

    class QuorumService:
        name = "bench_quorum"

        @quorum_rpc  # services/runtime/queues.py's rpc_queue: a quorum queue
        def health(self):
            return {"ok": True}

    runner = ServiceRunner({"AMQP_URI": pyamqp(amqp_uri), "SERIALIZER": "json"})
    runner.add_service(ClassicService)
    runner.add_service(QuorumService)
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
    runner.start()
    runner.wait()


def measure_rpc(amqp_uri, ctl, args, tmp):
    from gateway.rpc import RpcClient
    with open(tmp / "service.log", "ab") as log:  # the child keeps its own copy of the fd
        service = subprocess.Popen([sys.executable, __file__, "--serve", "--amqp-uri", amqp_uri],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    client = RpcClient(amqp_uri, timeout=5.0)
    try:
        deadline = time.monotonic() + 60
        while not all(consumers(ctl).get(f"rpc-bench_{kind}") for kind in KINDS):
            if service.poll() is not None or time.monotonic() > deadline:
                tail = (tmp / "service.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the bench services did not start:\n{tail}")
            time.sleep(0.5)
        calls = {kind: (lambda k=kind: client.call(f"bench_{k}", "health",  # as the gateway
                                                   request_id=uuid.uuid4().hex)) for kind in KINDS}
        interleaved({k: lambda c=c: sequential(c, 200) for k, c in calls.items()}, 1)  # warm-up
        return interleaved({k: lambda c=c: sequential(c, args.calls // args.rounds)
                            for k, c in calls.items()}, args.rounds)
    finally:
        client._discard()
        stop(service)


def queue_table(ctl, column):
    rows = [line.split("\t") for line in ctl("list_queues", "name", column).stdout.splitlines()]
    return {row[0]: row[1] for row in rows if len(row) == 2}


def consumers(ctl):
    return {name: int(n) for name, n in queue_table(ctl, "consumers").items() if n.isdigit()}


def check_types(ctl):
    """The bench is only honest if each queue is of the type it is named for."""
    types = queue_table(ctl, "type")
    for kind in KINDS:
        for queue in (f"rpc-bench_{kind}", f"evt-bench-{kind}"):
            if types.get(queue) != kind:
                raise RuntimeError(f"{queue} is {types.get(queue)!r}, not {kind}")


class EventPipe:
    """One topic exchange -> one queue of ``kind`` -> one consumer thread that acks."""

    def __init__(self, amqp_uri, kind):
        self.kind, self.routing_key = kind, f"bench_{kind}_happened"
        self.queue = Queue(f"evt-bench-{kind}", EVENTS, self.routing_key, durable=True,
                           auto_delete=False, queue_arguments={"x-queue-type": kind})
        self.publisher = Connection(amqp_uri, transport_options={"confirm_publish": True})
        self.producer = Producer(self.publisher.channel(), exchange=EVENTS, serializer="json")
        self.queue(self.publisher.channel()).declare()
        self.consumer_connection = Connection(amqp_uri)
        self.acked, self.wanted, self.done = 0, 0, threading.Event()
        self.stopping = False
        threading.Thread(target=self._consume, daemon=True).start()

    def _consume(self):
        def on_message(body, message):
            message.ack()
            self.acked += 1
            if self.acked >= self.wanted:
                self.done.set()

        channel = self.consumer_connection.channel()
        with Consumer(channel, [self.queue], callbacks=[on_message], accept=["json"]) as c:
            c.qos(prefetch_count=10)
            while not self.stopping:
                with contextlib.suppress(TimeoutError):
                    self.consumer_connection.drain_events(timeout=0.5)

    def run(self, n):
        """Publishes ``n`` events and waits until all are acked: (seconds, [], 0)."""
        self.acked, self.wanted = 0, n
        self.done.clear()
        started = time.perf_counter()
        for i in range(n):
            self.producer.publish({"event_id": i, "data": {"account_number": "0" * 16}},
                                  routing_key=self.routing_key, delivery_mode=2)
        if not self.done.wait(120):
            raise RuntimeError(f"{self.kind}: {self.acked} of {n} events consumed")
        seconds = time.perf_counter() - started
        return seconds, [seconds / n] * n, 0  # one entry per event: interleaved counts them

    def close(self):
        self.stopping = True
        self.publisher.release()


def measure_events(amqp_uri, args):
    pipes = {kind: EventPipe(amqp_uri, kind) for kind in KINDS}
    try:
        interleaved({k: lambda p=p: p.run(200) for k, p in pipes.items()}, 1)  # warm-up
        return interleaved({k: lambda p=p: p.run(args.events // args.rounds)
                            for k, p in pipes.items()}, args.rounds)
    finally:
        for pipe in pipes.values():
            pipe.close()


def report(where, rpc, events):
    print(f"{where}:")
    for label, results, unit in (("RPC round trips", rpc, "rt/s"),
                                 ("events end to end", events, "ev/s")):
        for kind in KINDS:
            rate, latencies, _ = results[kind]
            extra = ""
            if unit == "rt/s":
                p50, p99 = (statistics.quantiles(latencies, n=100)[q - 1] * 1000
                            for q in (50, 99))
                extra = f"  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
            print(f"  {label:<18} {kind:<8} {rate:>7.0f} {unit}{extra}")
        print(f"  ratio quorum/classic {label}: "
              f"{results['quorum'][0] / results['classic'][0]:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="RPC calls per queue type")
    parser.add_argument("--events", type=int, default=8000, help="events per queue type")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--amqp-uri", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.amqp_uri)
    from tests.chaos.cluster import private_cluster
    from tests.chaos.infra import PrivateBroker
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up
    print(f"{args.calls} RPC calls and {args.events} events per queue type, "
          f"{args.rounds} interleaved rounds")
    tmp = Path(tempfile.mkdtemp(prefix="bizportal-bench-queues-"))
    os.chmod(tmp, 0o755)
    broker = PrivateBroker(tmp / "single")
    try:
        broker.start()
        rpc = measure_rpc(broker.amqp_uri, broker.ctl, args, tmp)
        events = measure_events(broker.amqp_uri, args)
        check_types(broker.ctl)
        report(f"one node ({broker.node})", rpc, events)
    finally:
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    with private_cluster() as (cluster, cluster_tmp):
        uri = cluster.amqp_uri  # failover form, first node first: everyone on node 1
        rpc, events = measure_rpc(uri, cluster.ctl, args, cluster_tmp), measure_events(uri, args)
        check_types(cluster.ctl)
        report(f"3-node cluster ({len(cluster.running_nodes())} nodes running)", rpc, events)


if __name__ == "__main__":
    main()
