"""What the gateway's RPC path costs, as ratios against a baseline measured in the same run.

(a) round trips of the gateway's pooled RpcClient to billing vs a bare kombu request/reply to
    the same billing process on the same broker, one call at a time;
(b) requests/s of the gunicorn gateway for GET /internal/v1/products (one RPC) vs GET /healthz
    (no RPC), under concurrent keep-alive load from this process, on loopback.

Billing and the gateway run as real processes (the same commands ops use) in a throwaway
DATA_DIR and broker vhost, both removed at the end, so nothing else on the broker is touched.
Run by `make bench` (scripts/bench.sh); argument-less runs use the defaults below.
"""
import argparse
import http.client
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import requests
from kombu import Connection, Consumer, Exchange, Producer, Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gateway.rpc import RpcClient  # noqa: E402

BIN = Path(sys.executable).parent


class Vhost:
    """A throwaway vhost made through the management API (RABBIT_API_URI, else port 15672)."""

    def __init__(self, amqp_uri):
        parsed = urlparse(amqp_uri)
        self.auth = (parsed.username or "guest", parsed.password or "guest")
        api = urlparse(os.environ.get("RABBIT_API_URI") or f"http://{parsed.hostname}:15672")
        self.api = f"{api.scheme}://{api.hostname}:{api.port or 15672}/api"
        self.name = f"bizportal_bench_{secrets.token_hex(4)}"
        self.path = quote(self.name, safe="")
        self._put(f"vhosts/{self.path}")
        self._put(f"permissions/{self.path}/{self.auth[0]}",
                  json={"configure": ".*", "write": ".*", "read": ".*"})
        self.amqp_uri = urlunparse(parsed._replace(path="/" + self.path))

    def _put(self, path, **kwargs):
        requests.put(f"{self.api}/{path}", auth=self.auth, timeout=10, **kwargs).raise_for_status()

    def consumers(self, queue):
        r = requests.get(f"{self.api}/queues/{self.path}/{queue}", auth=self.auth, timeout=10)
        return r.json().get("consumers", 0) if r.ok else 0

    def delete(self):
        requests.delete(f"{self.api}/vhosts/{self.path}", auth=self.auth, timeout=10)


class RawRpc:
    """The baseline: one kombu connection, an exclusive reply queue, publish and drain."""

    def __init__(self, amqp_uri):
        self.connection = Connection(amqp_uri, connect_timeout=5)
        channel = self.connection.channel()
        exchange = Exchange("nameko-rpc", type="topic", durable=True, auto_delete=False)
        self.reply_to = f"rpc.reply-bench-{uuid.uuid4().hex}"
        reply_queue = Queue(self.reply_to, exchange=exchange, routing_key=self.reply_to,
                            exclusive=True, auto_delete=True)
        self.producer = Producer(channel, exchange=exchange, serializer="json")
        self.consumer = Consumer(channel, [reply_queue], callbacks=[self._on_reply],
                                 no_ack=True, accept=["json"])
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


def timed_calls(call, n):
    """Run ``call`` n times in a row; returns (calls per second, latencies in seconds)."""
    latencies = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t0)
    return n / (time.perf_counter() - started), latencies


def http_load(port, path, headers, concurrency, max_requests, max_seconds):
    """Keep-alive GETs from ``concurrency`` threads until max_requests or max_seconds.
    Returns (requests per second, latencies, count of non-200 answers or failures)."""
    tickets, lock = iter(range(max_requests)), threading.Lock()
    latencies, errors = [], []
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker():
        conn, mine, failed = http.client.HTTPConnection("127.0.0.1", port, timeout=10), [], 0
        start.wait()
        while time.perf_counter() < deadline[0]:
            with lock:
                if next(tickets, None) is None:
                    break
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
            errors.append(failed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + max_seconds
    started = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies, sum(errors)


def pct(latencies, q):
    return statistics.quantiles(latencies, n=100, method="inclusive")[q - 1] * 1000


def row(label, rate, latencies, unit):
    return f"  {label:<38} {rate:>9.0f} {unit:<6} p50 {pct(latencies, 50):7.2f} ms   " \
           f"p99 {pct(latencies, 99):7.2f} ms"


def wait_until(check, what, timeout, processes):
    deadline = time.monotonic() + timeout
    while not check():
        for name, p in processes.items():
            if p.poll() is not None:
                raise RuntimeError(f"{name} exited with {p.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_up(port):
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what we started
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="(a) sequential calls per client")
    parser.add_argument("--method", default="health", choices=["health", "list_products"])
    parser.add_argument("--requests", type=int, default=5000, help="(b) max requests per URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="(b) max seconds per URL")
    parser.add_argument("--concurrency", type=int, default=16, help="(b) client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` cleans up

    vhost = Vhost(os.environ.get("AMQP_URI") or "amqp://guest:guest@127.0.0.1:5672/")
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-"))
    port, admin_token = free_port(), secrets.token_urlsafe(16)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(AMQP_URI=vhost.amqp_uri, DATA_DIR=str(data_dir), PORT=str(port),
               ADMIN_TOKEN=admin_token, SECRET_KEY=secrets.token_urlsafe(32), LOG_LEVEL="INFO",
               RPC_TIMEOUT="5", GATEWAY_WORKERS=str(args.workers),
               GATEWAY_THREADS=str(args.threads),
               PROMETHEUS_MULTIPROC_DIR=str(data_dir / "metrics"))
    env.pop("SMTP_URL", None)
    processes, clients = {}, []

    def spawn(name, command):
        log = open(data_dir / f"{name}.log", "ab")
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)

    try:
        subprocess.run([sys.executable, "-m", "services.runtime.migrate", "billing"], cwd=ROOT,
                       env=env, check=True, capture_output=True, timeout=120)
        spawn("billing", [sys.executable, "-m", "services.runtime.run", "billing"])
        wait_until(lambda: vhost.consumers("rpc-billing") > 0, "billing", 60, processes)

        pooled = RpcClient(vhost.amqp_uri, timeout=5.0)
        raw = RawRpc(vhost.amqp_uri)
        clients += [pooled, raw]
        call_pooled = lambda: pooled.call("billing", args.method)  # noqa: E731
        call_raw = lambda: raw.call("billing", args.method)  # noqa: E731
        assert call_pooled() == call_raw(), "the two clients disagree on the reply"
        timed_calls(call_pooled, 200), timed_calls(call_raw, 200)  # warm-up
        rate_pooled, lat_pooled = timed_calls(call_pooled, args.calls)
        rate_raw, lat_raw = timed_calls(call_raw, args.calls)

        spawn("gateway", [str(BIN / "gunicorn"), "-c", "gateway/gunicorn.conf.py",
                          "--bind", f"127.0.0.1:{port}", "gateway.app:create_app()"])
        wait_until(lambda: healthz_up(port), "the gateway", 60, processes)
        staff = {"Authorization": f"Bearer {admin_token}"}
        load = dict(concurrency=args.concurrency, max_requests=args.requests,
                    max_seconds=args.seconds)
        products, healthz = ("/internal/v1/products", staff), ("/healthz", {})
        for path, headers in (products, healthz):  # warm-up: every thread makes its proxy
            http_load(port, path, headers, args.concurrency, 50 * args.concurrency, 5)
        rate_products, lat_products, err_products = http_load(port, *products, **load)
        rate_healthz, lat_healthz, err_healthz = http_load(port, *healthz, **load)
        if err_products or err_healthz:
            raise RuntimeError(f"non-200 answers: products {err_products}, healthz "
                               f"{err_healthz}; see {data_dir}/gateway.log")
    except BaseException:
        for name in processes:
            print(f"--- tail of {name}.log", file=sys.stderr)
            print((data_dir / f"{name}.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        for client in clients:
            (client._discard if isinstance(client, RpcClient) else client.close)()
        for process in reversed(processes.values()):
            stop(process)
        vhost.delete()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"(a) billing.{args.method}: {args.calls} sequential round trips per client")
    print(row("gateway.rpc.RpcClient (pooled)", rate_pooled, lat_pooled, "rt/s"))
    print(row("raw kombu request/reply", rate_raw, lat_raw, "rt/s"))
    print(f"(b) gunicorn gthread {args.workers}x{args.threads}, {args.concurrency} client "
          f"threads, up to {args.requests} requests or {args.seconds:g}s per URL")
    print(row("GET /internal/v1/products (1 RPC)", rate_products, lat_products, "req/s"))
    print(row("GET /healthz (no RPC)", rate_healthz, lat_healthz, "req/s"))
    print(f"ratio rpc_client/raw_kombu round trips: {rate_pooled / rate_raw:.2f}")
    print(f"ratio products/healthz requests per second: {rate_products / rate_healthz:.2f}")


if __name__ == "__main__":
    main()
