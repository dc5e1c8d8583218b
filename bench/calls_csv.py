"""Call-history CSV export: rows per second and peak memory growth, against a baseline
measured in the same run.

Runs identity, billing (throwaway PostgreSQL database) and the gunicorn gateway as real
processes, opens an account, signs up its user, writes ``--calls`` calls (default 1,000,000)
into one statement period with one INSERT ... SELECT, issues the statement, then:

* export: GET /api/v1/accounts/{n}/statements/{invoice}/calls.csv as the customer, reading
  the stream in 64 KiB pieces and counting rows, while sampling the resident memory (VmRSS)
  of the billing process and of every gateway worker every 20 ms;
* baseline: the same CSV rows produced by PostgreSQL alone (``COPY (the page query's row
  format over the whole period) TO STDOUT``) into a counting sink.

Prints rows/s of both, their ratio, and each process's peak RSS growth over its level
before any export (a first, abandoned request warms the gateway's RPC proxies). Run by `make bench`; ``--calls 200000`` for a quick look.
"""
import argparse
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.usage_ingest import Stack  # noqa: E402

PASSWORD = "violet staple orbit 42"
SEED_CALLS = """
    INSERT INTO calls (account_id, started_at, from_number, to_number, call_type,
                       duration_seconds, charge_cents)
    SELECT a.id, TIMESTAMPTZ '2026-10-01 00:00:00+00' + c * INTERVAL '2 seconds',
           '+14155550100', CASE mod(c, 3) WHEN 2 THEN '+442071234567' ELSE '+12125550147' END,
           (ARRAY['local','long_distance','international'])[1 + mod(c, 3)],
           30 + mod(c, 900), CASE mod(c, 3) WHEN 0 THEN 0 ELSE 5 + mod(c, 40) END
    FROM accounts a CROSS JOIN generate_series(0, :n - 1) AS c
    WHERE a.account_number = :number"""
COPY = """COPY (SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD,HH24:MI:SS') || ',' ||
               from_number || ',' || to_number || ',' || call_type || ',' ||
               duration_seconds || ',' || (charge_cents / 100) || '.' ||
               lpad(mod(charge_cents, 100)::text, 2, '0')
        FROM calls WHERE account_id = {account_id}
          AND started_at >= '2026-10-01' AND started_at < '2026-11-01'
        ORDER BY started_at, id) TO STDOUT"""


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Sampler(threading.Thread):
    """Peak VmRSS of each watched pid, every ``interval`` seconds, until stopped."""

    def __init__(self, pids, interval=0.02):
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.before = {pid: rss_kib(pid) for pid in pids}
        self.peak = dict(self.before)
        self.running = True

    def run(self):
        while self.running:
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kib(pid))
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.join()


class Counter:
    def __init__(self):
        self.rows = 0

    def write(self, data):
        self.rows += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")


def baseline(db_url, account_number):
    import pg8000.native
    from sqlalchemy.engine import make_url
    url = make_url(db_url)
    conn = pg8000.native.Connection(url.username or "postgres", host=url.host or "127.0.0.1",
                                    port=url.port or 5432, database=url.database,
                                    password=url.password)
    try:
        account_id = conn.run("SELECT id FROM accounts WHERE account_number = :n",
                              n=account_number)[0][0]
        sink = Counter()
        started = time.perf_counter()
        conn.run(COPY.format(account_id=int(account_id)), stream=sink)
        return sink.rows, time.perf_counter() - started
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack(services=("identity", "billing"))
    try:
        stack.start()
        number = stack.open_account()
        from sqlalchemy import create_engine, text
        from services.runtime.database import engine_url
        engine = create_engine(engine_url(stack.db_url))
        with engine.begin() as conn:
            conn.execute(text(SEED_CALLS), {"n": args.calls, "number": number})
        engine.dispose()
        staff = stack.staff()
        staff.post(stack.url("/internal/v1/bill-runs"), json={
            "statement_date": "2026-11-01", "account_numbers": [number]},
            timeout=300).raise_for_status()
        token = customer_token(stack, number)
        invoice = requests.get(stack.url(f"/api/v1/accounts/{number}/statements"), headers=token,
                               timeout=30).json()["items"][0]["invoice_number"]
        path = f"/api/v1/accounts/{number}/statements/{invoice}/calls.csv"
        gateway = stack.processes.running["gateway"].pid
        pids = {"billing": stack.processes.running["billing"].pid}
        pids.update({f"gateway worker {i + 1}": p for i, p in enumerate(children(gateway))})
        # memory is measured from before the first export, so first-use allocations count
        sampler = Sampler(list(pids.values()))
        sampler.start()
        requests.get(stack.url(path), headers=token, timeout=60, stream=True).close()  # warm
        time.sleep(1)
        rows, started = 0, time.perf_counter()
        with requests.get(stack.url(path), headers=token, timeout=300, stream=True) as response:
            response.raise_for_status()
            for piece in response.iter_content(65536):
                rows += piece.count(b"\n")
        seconds = time.perf_counter() - started
        sampler.stop()
        rows -= 1  # the header
        if rows != args.calls:
            raise RuntimeError(f"the export had {rows} rows, expected {args.calls}")
        base_rows, base_seconds = baseline(stack.db_url, number)
    except Exception:
        stack.processes.print_logs()
        raise
    finally:
        stack.stop()
    rate, base_rate = rows / seconds, base_rows / base_seconds
    print(f"  GET …/calls.csv through gateway and billing  {rate:9.0f} rows/s "
          f"({rows} rows in {seconds:.2f} s)")
    print(f"  baseline: PostgreSQL COPY of the same rows    {base_rate:9.0f} rows/s "
          f"({base_rows} rows in {base_seconds:.2f} s)")
    for name, pid in pids.items():
        growth = (sampler.peak[pid] - sampler.before[pid]) / 1024
        print(f"  peak RSS growth, {name:<18} {growth:7.1f} MB "
              f"(from {sampler.before[pid] / 1024:.0f} MB)")
    print(f"ratio export/baseline rows per second: {rate / base_rate:.2f}")


def customer_token(stack, number):
    """Sign up a user for the account (with a fresh key set by billing's own rules) and log in."""
    from sqlalchemy import create_engine, text
    from services.billing import keys
    from services.runtime.database import engine_url
    key = keys.new_security_key()
    engine = create_engine(engine_url(stack.db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET security_key_hash = :h WHERE account_number = :n"),
                     {"h": keys.hash_key(key), "n": number})
    engine.dispose()
    username = f"bench.{uuid.uuid4().hex[:8]}"
    requests.post(stack.url("/api/v1/signup"), json={
        "account_number": number, "security_key": key, "username": username,
        "password": PASSWORD, "email": f"{username}@bench.example", "first_name": "Pat",
        "last_name": "Bench"}, timeout=30).raise_for_status()
    login = requests.post(stack.url("/api/v1/auth/login"),
                          json={"username": username, "password": PASSWORD}, timeout=30)
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


if __name__ == "__main__":
    main()
