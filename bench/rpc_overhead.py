"""What the gateway's RPC path costs, as ratios against baselines measured in the same run.

(a) round trips/s of the gateway's pooled RpcClient calling billing, one call at a time, vs a
    bare kombu request/reply (and the same with publisher confirms) to the same process;
(b) requests/s of the gunicorn gateway for GET /internal/v1/products (one RPC) vs GET /healthz
    (no RPC), under concurrent keep-alive load from this process, on loopback.

Billing and the gateway run as real processes (the commands ops use) in a throwaway DATA_DIR
and broker vhost, both removed at the end: nothing else on the broker is touched. Contenders
run in interleaved rounds so that drift in the machine's load falls on each alike.
Run by `make bench` (scripts/bench.sh) with the defaults below; see bench/README.md.
"""
import argparse
import http.client
import itertools
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from kombu import Connection, Consumer, Exchange, Producer, Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import (DEFAULT_AMQP, Processes, Vhost, gateway_command,  # noqa: E402
                           healthz_up, portal_env, service_command)
from gateway.rpc import RpcClient  # noqa: E402
from tests.support.ports import free_port  # noqa: E402


class RawRpc:
    """The baseline: one kombu connection, an exclusive reply queue, publish then drain.
    With ``confirms``, each publish waits for the broker's ack, as nameko's publisher does."""

    def __init__(self, amqp_uri, confirms=False):
        self.connection = Connection(amqp_uri, connect_timeout=5,
                                     transport_options={"confirm_publish": confirms})
        channel = self.connection.channel()
        exchange = Exchange("nameko-rpc", type="topic", durable=True, auto_delete=False)
        self.reply_to = f"rpc.reply-bench-{uuid.uuid4().hex}"
        self.producer = Producer(channel, exchange=exchange, serializer="json")
        self.consumer = Consumer(channel, [Queue(self.reply_to, exchange, self.reply_to,
                                                 exclusive=True, auto_delete=True)],
                                 callbacks=[self._on_reply], no_ack=True, accept=["json"])
        self.consumer.consume()
        self.replies = {}

    def _on_reply(self, body, message):
        self.replies[message.properties.get("correlation_id")] = body

    def call(self, service, method, timeout=5.0):
        correlation_id = uuid.uuid4().hex
        self.producer.publish({"args": [], "kwargs": {}}, routing_key=f"{service}.{method}",
                              reply_to=self.reply_to, correlation_id=correlation_id)
        deadline = time.monotonic() + timeout
        while correlation_id not in self.replies:
            self.connection.drain_events(timeout=max(deadline - time.monotonic(), 0.001))
        reply = self.replies.pop(correlation_id)
        if reply.get("error"):
            raise RuntimeError(f"{service}.{method} failed: {reply['error']}")
        return reply["result"]

    def close(self):
        self.connection.release()


def interleaved(runs, rounds):
    """Each ``{name: run}`` in turn, ``rounds`` times; ``run()`` gives (seconds, latencies,
    errors). Returns ``{name: (per second, latencies, errors)}`` over all the rounds."""
    totals = {name: [0.0, [], 0] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seconds, latencies, errors = run()
            totals[name][0] += seconds
            totals[name][1] += latencies
            totals[name][2] += errors
    return {name: (len(lat) / secs, lat, errs) for name, (secs, lat, errs) in totals.items()}


def sequential(call, n):
    latencies, started = [], time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - started, latencies, 0


def http_load(port, path, headers, concurrency, max_requests, max_seconds):
    """Keep-alive GETs from ``concurrency`` threads until max_requests or max_seconds."""
    tickets, lock, latencies, errors = itertools.count(), threading.Lock(), [], [0]
    start, deadline = threading.Barrier(concurrency + 1), time.perf_counter() + max_seconds

    def worker():
        conn, mine, failed = http.client.HTTPConnection("127.0.0.1", port, timeout=10), [], 0
        start.wait()
        while next(tickets) < max_requests and time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                failed += response.status != 200
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors[0]


def measure_rpc(amqp_uri, args, clients):
    pooled, raw = RpcClient(amqp_uri, timeout=5.0), RawRpc(amqp_uri)
    confirmed = RawRpc(amqp_uri, confirms=True)
    clients += [pooled, raw, confirmed]  # (deleting the vhost closes whatever is left)
    calls = {  # the gateway passes its request id along on every call, so the bench does too
        "pooled": lambda: pooled.call("billing", args.method, request_id=uuid.uuid4().hex),
        "raw": lambda: raw.call("billing", args.method),
        "confirmed": lambda: confirmed.call("billing", args.method)}
    if len({repr(call()) for call in calls.values()}) != 1:
        raise RuntimeError("the clients got different replies")
    interleaved({k: lambda c=c: sequential(c, 200) for k, c in calls.items()}, 1)  # warm-up
    return interleaved({k: lambda c=c: sequential(c, args.calls // args.rounds)
                        for k, c in calls.items()}, args.rounds)


def measure_http(port, admin_token, args):
    urls = {"products": ("/internal/v1/products", {"Authorization": f"Bearer {admin_token}"}),
            "healthz": ("/healthz", {})}
    # warm-up: each gunicorn thread makes its RPC proxy on its first call
    interleaved({k: lambda u=u: http_load(port, *u, args.concurrency, 50 * args.concurrency, 5)
                 for k, u in urls.items()}, 1)
    results = interleaved({k: lambda u=u: http_load(
        port, *u, args.concurrency, args.requests // args.rounds, args.seconds / args.rounds)
        for k, u in urls.items()}, args.rounds)
    if any(errors for _, _, errors in results.values()):
        raise RuntimeError(f"non-200 answers: { {k: r[2] for k, r in results.items()} }")
    return results


def report(args, rpc, web):
    def row(label, result, unit):
        rate, latencies, _ = result
        p50, p99 = (statistics.quantiles(latencies, n=100)[q - 1] * 1000 for q in (50, 99))
        print(f"  {label:<36} {rate:>7.0f} {unit:<5}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")

    print(f"(a) billing.{args.method}, one call at a time: {args.calls} calls per client "
          f"in {args.rounds} interleaved rounds")
    row("gateway.rpc.RpcClient (pooled)", rpc["pooled"], "rt/s")
    row("raw kombu request/reply", rpc["raw"], "rt/s")
    row("raw kombu + publisher confirms", rpc["confirmed"], "rt/s")
    print(f"(b) gunicorn gthread {args.workers}x{args.threads}, {args.concurrency} keep-alive "
          f"client threads, at most {args.requests} requests or {args.seconds:g} s per URL")
    row("GET /internal/v1/products (1 RPC)", web["products"], "req/s")
    row("GET /healthz (no RPC)", web["healthz"], "req/s")
    for label, a, b in (("rpc_client/raw_kombu round trips", rpc["pooled"], rpc["raw"]),
                        ("raw_kombu_confirms/raw_kombu round trips", rpc["confirmed"], rpc["raw"]),
                        ("products/healthz requests per second", web["products"], web["healthz"])):
        print(f"ratio {label}: {a[0] / b[0]:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", default="health", choices=["health", "list_products"])
    parser.add_argument("--calls", type=int, default=2000, help="(a) calls per client")
    parser.add_argument("--requests", type=int, default=6000, help="(b) most requests per URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="(b) most seconds per URL")
    parser.add_argument("--concurrency", type=int, default=16, help="(b) client threads")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up

    vhost = Vhost(os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-"))
    port, admin_token = free_port(), secrets.token_urlsafe(32)
    # billing's database is SQLite in data_dir, mail a Maildir there
    env = portal_env(vhost.amqp_uri, data_dir, port, admin_token, args.workers, args.threads,
                     log_level="INFO")
    env["RPC_TIMEOUT"] = "5"
    processes, clients = Processes(env, data_dir), []
    try:
        vhost.create()
        processes.migrate("billing")
        processes.spawn("billing", service_command("billing"))
        processes.wait_until(lambda: vhost.consumers("rpc-billing") > 0, "billing consumer")
        rpc = measure_rpc(vhost.amqp_uri, args, clients)
        processes.spawn("gateway", gateway_command(port))
        processes.wait_until(lambda: healthz_up(port), "gateway /healthz")
        web = measure_http(port, admin_token, args)
    except Exception:  # a failure (not Ctrl-C or SIGTERM): show what the processes said
        processes.print_logs()
        raise
    finally:
        for client in clients:
            (client._discard if isinstance(client, RpcClient) else client.close)()
        processes.stop()
        vhost.delete()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(args, rpc, web)


if __name__ == "__main__":
    main()
