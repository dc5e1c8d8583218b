"""Card payments through the gateway: sustained payments per second, and how long after the
201 the customer's summary (billing) shows the payment, as ratios against baselines measured
in the same run.

(a) throughput: keep-alive client threads POST /api/v1/accounts/{n}/payments (a 1-cent
    payment with a Visa test card, a fresh Idempotency-Key each) for a fixed time; baseline:
    GET /api/v1/accounts/{n}/summary (one authenticated RPC read) by the same threads.
(b) latency: payments paced at --rate per second (100, or 80% of (a)'s ceiling when the
    machine cannot sustain 100) on load accounts, while a probe pays 1 cent on its own account
    and polls the summary until ``balance_cents`` dropped by it: the time from the 201 to the
    summary showing it, p50 and p99 (that is payments -> outbox relay -> broker -> billing's
    ledger -> summary). Baseline: the summary GET's own round trip, measured by the same probe.

All four services and the gunicorn gateway run as real processes (the commands ops use) in a
throwaway DATA_DIR and broker vhost, removed at the end; databases are SQLite files there
unless --postgres names an admin URL (a fresh database per service, dropped at the end).
Run by `make bench` (scripts/bench.sh) with the defaults below.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import support  # noqa: E402
from services.contracts.names import SERVICES  # noqa: E402

# four lines to bill: an account never billed owes nothing, so it could be paid nothing
ACCOUNT = {**support.ACCOUNT, "services": [{"code": "FIBER-2G", "quantity": 4}]}
CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035,
        "cvc": "123", "name": "Bench", "postal_code": "60611"}


class Portal(support.Portal):
    """The four services and the gateway, with customers that can pay."""

    def customer(self, index):
        """A new account, billed once, its first user signed in, a Visa on file:
        (number, token, card id)."""
        username, opened = self.new_user(index, ACCOUNT)
        # a statement to pay: payments are held in proportion to what the account owes plus
        # one month ahead (services/payments/limits.py), and an account never billed owes nothing
        issued = self.staff("POST", "bill-runs",
                            json={"statement_date": date.today().isoformat(),
                                  "account_numbers": [opened["account_number"]]}).json()
        if issued.get("statements_issued") != 1:
            raise RuntimeError(f"the bill run answered {issued}")
        login = requests.post(f"{self.base}/api/v1/auth/login", timeout=30,
                              json={"username": username, "password": support.PASSWORD})
        login.raise_for_status()
        token = login.json()["access_token"]
        card = requests.post(f"{self.base}/api/v1/accounts/{opened['account_number']}/"
                             "payment-methods", json=CARD, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
        card.raise_for_status()
        return opened["account_number"], token, card.json()["id"]


REFUSALS = {}  # HTTP status -> count of payments not answered 201


class Client:
    """One keep-alive connection to the gateway as one customer."""

    def __init__(self, port, customer):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.number, token, self.card = customer
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _request(self, method, path, body=None, headers=None):
        # a keep-alive connection the server closed while idle is retried once on a new one
        # (safe for payments: the retry carries the same Idempotency-Key)
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers={**self.headers,
                                                                    **(headers or {})})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
        return 0, b""

    def pay(self):
        status, _ = self._request(
            "POST", f"/api/v1/accounts/{self.number}/payments",
            json.dumps({"amount_cents": 1, "payment_method_id": self.card}),
            {"Idempotency-Key": uuid.uuid4().hex})
        if status != 201:
            REFUSALS[status] = REFUSALS.get(status, 0) + 1
        return status == 201

    def summary(self):
        status, body = self._request("GET", f"/api/v1/accounts/{self.number}/summary")
        if status != 200:
            raise RuntimeError(f"summary answered {status}: {body[:200]!r}")
        data = json.loads(body)
        return data.get("balance_cents", data["amount_due_cents"])


def sustained(clients, action, seconds):
    """Each client calls ``action(client)`` back to back for ``seconds``: (rate/s, errors)."""
    done, failed = [0] * len(clients), [0] * len(clients)
    stop = time.monotonic() + seconds

    def loop(i):
        while time.monotonic() < stop:
            ok = action(clients[i])
            done[i] += 1
            failed[i] += ok is False
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(clients))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def paced(clients, rate, stop_event, counts):
    """Payments at ``rate`` per second spread over ``clients`` until ``stop_event``."""
    interval = len(clients) / rate

    def loop(i):
        next_at = time.monotonic() + interval * i / len(clients)
        while not stop_event.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            counts[0] += 1
            counts[1] += clients[i].pay() is False
            next_at += interval
    threads = [threading.Thread(target=loop, args=(i,), daemon=True)
               for i in range(len(clients))]
    for t in threads:
        t.start()
    return threads


def probe(client, samples, poll):
    """Pays 1 cent and polls the summary until it shows; returns (visible latencies, summary
    GET latencies) in seconds."""
    visible, reads = [], []
    balance = client.summary()
    for _ in range(samples):
        if not client.pay():
            raise RuntimeError("a probe payment was refused")
        paid = time.perf_counter()
        expected = balance - 1
        deadline = paid + 30
        while True:
            t0 = time.perf_counter()
            balance = client.summary()
            reads.append(time.perf_counter() - t0)
            if balance <= expected:
                visible.append(time.perf_counter() - paid)
                break
            if time.perf_counter() > deadline:
                raise RuntimeError("the payment never reached the summary")
            time.sleep(poll)
    return visible, reads


def pct(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else \
        values[0] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="(a) time per contender")
    parser.add_argument("--concurrency", type=int, default=8, help="(a) client threads")
    parser.add_argument("--rate", type=float, default=100.0, help="(b) target payments/s")
    parser.add_argument("--samples", type=int, default=150, help="(b) probe payments")
    parser.add_argument("--poll", type=float, default=0.005, help="(b) summary poll interval")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL to use instead of SQLite")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up

    vhost = support.Vhost(os.environ.get("AMQP_URI") or support.DEFAULT_AMQP)
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-payments-"))
    postgres, databases = None, {}
    portal = None
    try:
        vhost.create()
        if args.postgres:
            from tests.support.infra import Postgres
            postgres = Postgres(args.postgres)
            databases = {s: postgres.create_database(prefix=f"bench_{s}") for s in SERVICES}
        portal = Portal(vhost.amqp_uri, data_dir, args.workers, args.threads,
                        database_urls={s: url for s, (_, url) in databases.items()})
        portal.start()
        customers = [portal.customer(i) for i in range(args.concurrency + 1)]
        load = [Client(portal.port, c) for c in customers[:-1]]
        prober = Client(portal.port, customers[-1])

        for client in load:  # warm-up: every gunicorn thread makes its RPC proxy
            client.pay()
            client.summary()
        read_rate, read_errors = sustained(load, Client.summary, args.seconds)
        pay_rate, pay_errors = sustained(load, Client.pay, args.seconds)
        if read_errors or pay_errors:
            raise RuntimeError(f"non-2xx answers: reads {read_errors}, payments {pay_errors}")

        rate = min(args.rate, 0.8 * pay_rate)
        stop_event, counts = threading.Event(), [0, 0]
        time.sleep(5)  # let billing and notifications drain (a)'s backlog
        started = time.monotonic()
        threads = paced(load, rate, stop_event, counts)
        try:
            visible, reads = probe(prober, args.samples, args.poll)
        finally:
            stop_event.set()
            for t in threads:
                t.join(timeout=30)
        achieved = counts[0] / (time.monotonic() - started)
    except Exception:  # a failure (not Ctrl-C or SIGTERM): show what the processes said
        if portal:
            portal.processes.print_logs()
        raise
    finally:
        if portal:
            portal.stop()
        vhost.delete()
        for name, _ in databases.values():
            postgres.drop_database(name)
        shutil.rmtree(data_dir, ignore_errors=True)

    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"(a) {args.concurrency} keep-alive clients, {args.seconds:g} s each, gunicorn "
          f"{args.workers}x{args.threads}, {kind} databases, {os.cpu_count()} CPUs")
    print(f"  POST payments (card, 201)            {pay_rate:8.1f} payments/s")
    print(f"  GET summary (1 RPC, baseline)        {read_rate:8.1f} req/s")
    print(f"ratio payments/summary-reads per second: {pay_rate / read_rate:.2f}")
    print(f"(b) load {achieved:.1f} payments/s (target {rate:.1f}; "
          f"{counts[1]} not 201: {REFUSALS or 'none'}), {len(visible)} probe payments, summary polled every "
          f"{args.poll * 1000:g} ms")
    print(f"  201 -> amount due updated in summary  p50 {pct(visible, 50):7.1f} ms  "
          f"p99 {pct(visible, 99):7.1f} ms  (goal p99 < 250 ms)")
    print(f"  GET summary round trip (baseline)     p50 {pct(reads, 50):7.1f} ms  "
          f"p99 {pct(reads, 99):7.1f} ms")
    print(f"ratio visible-latency/summary-read p50: {pct(visible, 50) / pct(reads, 50):.1f}  "
          f"p99: {pct(visible, 99) / pct(reads, 99):.1f}")


if __name__ == "__main__":
    main()
