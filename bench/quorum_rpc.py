"""What quorum queues cost an RPC round trip, as ratios against classic queues in the same run.

One call at a time, request and reply as nameko sends them (JSON, persistent request, publisher
confirms on both publishes, correlation id, ``reply_to``), to an echo responder that consumes
the request queue with acks. Four contenders, run in interleaved rounds:

* request queue classic durable,  reply queue classic non-durable  (the version before)
* request queue quorum,           reply queue classic non-durable  (as shipped: queues.py)
* request queue classic durable,  reply queue quorum
* request queue quorum,           reply queue quorum               (a vhost whose default queue
                                                                    type is quorum)

Everything lives in a throwaway vhost, deleted at the end. Run by `make bench`; bench/README.md.
"""
import argparse
import os
import statistics
import sys
import threading
import uuid
from pathlib import Path

from kombu import Connection, Consumer, Exchange, Producer, Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.rpc_overhead import interleaved, sequential  # noqa: E402
from bench.support import DEFAULT_AMQP, Vhost  # noqa: E402

DEFAULT = Exchange("")


def request_queue(kind):
    return Queue(f"bench-rpc-{kind}", DEFAULT, f"bench-rpc-{kind}", durable=True,
                 queue_arguments={"x-queue-type": kind})


class Echo(threading.Thread):
    """Answers every request on its queue with the request's body, then acks it."""

    def __init__(self, amqp_uri, queue):
        super().__init__(daemon=True)
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True})
        self.queue, self.ready, self.stopping = queue, threading.Event(), False

    def run(self):
        channel = self.connection.channel()
        producer = Producer(channel, exchange=DEFAULT, serializer="json")

        def answer(body, message):
            producer.publish({"result": body, "error": None},
                             routing_key=message.properties["reply_to"],
                             correlation_id=message.properties["correlation_id"])
            message.ack()

        with Consumer(channel, [self.queue], callbacks=[answer], accept=["json"]) as consumer:
            consumer.qos(prefetch_count=10)
            self.ready.set()
            while not self.stopping:
                try:
                    self.connection.drain_events(timeout=0.5)
                except TimeoutError:
                    pass


class Caller:
    def __init__(self, amqp_uri, request_kind, reply_kind):
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True})
        channel = self.connection.channel()
        self.reply_to = f"bench-reply-{reply_kind}-{uuid.uuid4().hex}"
        reply = Queue(self.reply_to, DEFAULT, self.reply_to, durable=reply_kind == "quorum",
                      queue_arguments={"x-queue-type": reply_kind})
        self.consumer = Consumer(channel, [reply], callbacks=[self._on_reply], accept=["json"],
                                 no_ack=False)
        self.consumer.consume()
        self.producer = Producer(channel, exchange=DEFAULT, serializer="json")
        self.routing_key, self.replies = request_queue(request_kind).name, {}

    def _on_reply(self, body, message):
        message.ack()
        self.replies[message.properties["correlation_id"]] = body

    def call(self):
        correlation_id = uuid.uuid4().hex
        self.producer.publish({"args": [], "kwargs": {}}, routing_key=self.routing_key,
                              reply_to=self.reply_to, correlation_id=correlation_id,
                              delivery_mode=2)
        while correlation_id not in self.replies:
            self.connection.drain_events(timeout=5)
        return self.replies.pop(correlation_id)["result"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    parser.add_argument("--calls", type=int, default=2000, help="per contender (2000)")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    vhost = Vhost(args.amqp_uri)
    vhost.create()
    echoes = []
    try:
        with Connection(vhost.amqp_uri) as connection:
            for kind in ("classic", "quorum"):
                request_queue(kind)(connection.channel()).declare()
        echoes = [Echo(vhost.amqp_uri, request_queue(kind)) for kind in ("classic", "quorum")]
        for echo in echoes:
            echo.start()
            echo.ready.wait(10)
        callers = {f"request {req}, reply {rep}": Caller(vhost.amqp_uri, req, rep)
                   for req, rep in (("classic", "classic"), ("quorum", "classic"),
                                    ("classic", "quorum"), ("quorum", "quorum"))}
        interleaved({k: lambda c=c: sequential(c.call, 200) for k, c in callers.items()}, 1)
        results = interleaved({k: lambda c=c: sequential(c.call, args.calls // args.rounds)
                               for k, c in callers.items()}, args.rounds)
        print(f"RPC round trips, one at a time: {args.calls} per contender in {args.rounds} "
              "interleaved rounds")
        for label, (rate, latencies, _) in results.items():
            p50, p99 = (statistics.quantiles(latencies, n=100)[q - 1] * 1000 for q in (50, 99))
            print(f"  {label:<34} {rate:>7.0f} rt/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
        base = results["request classic, reply classic"][0]
        for label in list(results)[1:]:
            print(f"  ratio ({label})/(request classic, reply classic) round trips "
                  f"{results[label][0] / base:.2f}")
    finally:
        for echo in echoes:  # before the vhost goes, which would cancel their consumers
            echo.stopping = True
            echo.join(timeout=2)
            echo.connection.release()
        vhost.delete()


if __name__ == "__main__":
    main()
