"""The staff desk's account search at a million accounts on PostgreSQL, as a ratio against a
primary-key look-up measured in the same run.

Seeds ``--accounts`` accounts (default 1,000,000) into a throwaway database migrated as
billing's, with one statement and one ledger entry each, by ``INSERT … SELECT`` over
``generate_series`` (no RPC, no ORM): company names of two words out of 40 × 40 plus a
number ("Harbor Maple Co 123456"), so a one-word prefix matches 1/40 of the accounts and a
two-word one 1/1,600; emails and phones unique (the phone in E.164 as billing keeps it).

Then ``--queries`` searches (default 2,000) through billing's domain function
(``services.billing.search.find``, each in its own transaction as the RPC runs it), a page of
20, in turn of each kind: account number, invoice number, email, phone (typed "(312)
200-0001"), a one-word and a two-word company prefix, and the second page of a one-word
prefix (from the first page's cursor); interleaved with the baseline, one account read by
its primary key in its own transaction. Prints each kind's p50 and p99, the search's p99 in
ms and ``ratio search_p99/primary_key_p99``. Unless ``--rpc-queries 0``, it also starts a
billing service on that database and times the same mix through ``billing.search_accounts``
over RPC (gateway.rpc.RpcClient) against the ``health`` RPC's round trip (needs a RabbitMQ as
bench/support.py says). Run by `make bench`; `--accounts 100000` for a quick look.
"""
import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from services.runtime.database import engine_url  # noqa: E402

WORDS = """harbor maple summit river cedar granite atlas beacon copper delta ember falcon
grove horizon iron juniper keystone lumen meadow north orchid pioneer quarry ridge sierra
timber union valley willow yonder zenith anchor birch canyon drift echo frontier glacier
heron ivory""".split()
assert len(WORDS) == 40
PAGE = 20
STATEMENT_DATE = "2026-11-01"

SEED = [
    """INSERT INTO accounts (account_number, security_key_hash, security_key_sealed,
           company_name, contact_name, email, phone, address_line1, city, state, postal_code,
           bill_cycle_day, invoice_delivery, opened_on, created_at, status, company_name_key,
           email_key)
       SELECT lpad(i::text, 16, '0'), 'x', 'x', n.name, 'Pat', n.email,
              '+1312' || (2000000 + i)::text, '1 Main St', 'Chicago', 'IL', '60611',
              1 + mod(i, 28), 'paper', DATE '2026-01-01', now(), 'active', lower(n.name),
              lower(n.email)
       FROM generate_series(1, :n) AS i,
            LATERAL (SELECT initcap(w[1 + mod(i, 40)]) || ' ' || initcap(w[1 + mod(i / 40, 40)])
                            || ' Co ' || i AS name,
                            'ops' || i || '@' || w[1 + mod(i, 40)] || '.example' AS email
                     FROM (SELECT CAST(:words AS text[]) AS w) AS words) AS n""",
    """INSERT INTO statements (account_id, invoice_number, statement_date, period_start,
           period_end, due_date, currency, previous_balance_cents, payments_cents,
           adjustments_cents, new_charges_cents, amount_due_cents, batch, issued_at)
       SELECT id, '261101' || (id + 10000000)::text, DATE '2026-11-01', DATE '2026-10-01',
              DATE '2026-11-01', DATE '2026-11-22', 'USD', 0, 0, 0, 4999, 4999, 'bench', now()
       FROM accounts""",
    """INSERT INTO ledger_entries (account_id, entry_date, kind, description, amount_cents,
           reference, statement_id, posted_at)
       SELECT s.account_id, DATE '2026-11-01', 'charge', 'New charges', 1000 + mod(s.id, 9000),
              s.invoice_number, s.id, now()
       FROM statements s""",
    "ANALYZE",
]


def seed(engine, accounts):
    started = time.perf_counter()
    with engine.begin() as conn:
        for sql in SEED:
            params = {"n": accounts, "words": WORDS} if ":n" in sql else {}
            conn.execute(text(sql), params)
    return time.perf_counter() - started


def queries(count, accounts, rng, first_pages):
    """``[(kind, q, cursor)]``: ``count`` searches, the kinds in turn."""
    def some():
        return rng.randint(1, accounts)

    def phone(i):
        digits = str(2000000 + i)
        return f"(312) {digits[:3]}-{digits[3:]}"

    makers = {
        "account number": lambda: (f"{some():016d}", None),
        "invoice number": lambda: (f"261101{some() + 10000000}", None),
        "email": lambda: ((lambda i: f"OPS{i}@{WORDS[i % 40]}.example")(some()), None),
        "phone": lambda: (phone(some()), None),
        "name, one word": lambda: (rng.choice(WORDS).title(), None),
        "name, two words": lambda: (f"{rng.choice(WORDS)} {rng.choice(WORDS)}", None),
        "name, second page": lambda: (lambda w: (w, first_pages[w]))(rng.choice(WORDS)),
    }
    kinds = list(makers)
    return [(kinds[i % len(kinds)], *makers[kinds[i % len(kinds)]]()) for i in range(count)]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(function):
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def measure_domain(url, plan, accounts, rng):
    """``({kind: [ms]}, [baseline ms], found)``: each search, then one primary-key read."""
    from services.billing import search
    from services.billing.models import Account, metadata
    from services.runtime.database import standalone
    db = standalone("billing", url, metadata)

    def find(q, cursor):
        with db.transaction() as tx:
            return search.find(tx.session, q, PAGE, cursor)

    def by_key(account_id):
        with db.transaction() as tx:
            return tx.session.execute(select(Account.account_number, Account.company_name)
                                      .where(Account.id == account_id)).one()

    try:
        for _ in range(50):  # warm-up: connections made, plans cached
            find(rng.choice(WORDS), None)
            by_key(rng.randint(1, accounts))
        times, baseline, found = {}, [], 0
        for kind, q, cursor in plan:
            ms, page = timed(lambda: find(q, cursor))
            times.setdefault(kind, []).append(ms)
            found += bool(page["items"])
            baseline.append(timed(lambda: by_key(rng.randint(1, accounts)))[0])
        return times, baseline, found
    finally:
        db.engine.dispose()


def first_page_cursors(url):
    from services.billing import search
    from services.billing.models import metadata
    from services.runtime.database import standalone
    db = standalone("billing", url, metadata)
    try:
        with db.transaction() as tx:
            return {w: search.find(tx.session, w, PAGE)["next_cursor"] for w in WORDS}
    finally:
        db.engine.dispose()


def measure_rpc(url, plan, count):
    """The same searches through billing.search_accounts over RPC, against ``health``."""
    from bench.support import DEFAULT_AMQP, Processes, Vhost, portal_env, service_command
    from gateway.rpc import RpcClient
    vhost = Vhost(os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-"))
    env = portal_env(vhost.amqp_uri, data_dir, 0, "x" * 32, 1, 1,
                     database_urls={"billing": url})
    processes, client = Processes(env, data_dir), None
    try:
        vhost.create()
        processes.migrate("billing")
        processes.spawn("billing", service_command("billing"))
        processes.wait_until(lambda: vhost.consumers("rpc-billing") > 0, "billing consumer")
        client = RpcClient(vhost.amqp_uri, timeout=10.0)

        def call(method, *args):
            return client.call("billing", method, *args, request_id=uuid.uuid4().hex)

        for _ in range(20):
            call("health")
            call("search_accounts", WORDS[0], PAGE, None)
        searched, health = [], []
        for kind, q, cursor in plan[:count]:
            searched.append(timed(lambda: call("search_accounts", q, PAGE, cursor))[0])
            health.append(timed(lambda: call("health"))[0])
        return searched, health
    except Exception:
        processes.print_logs()
        raise
    finally:
        if client is not None:
            client._discard()
        processes.stop()
        vhost.delete()
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000, help="searches (and as many "
                                                                   "primary-key reads)")
    parser.add_argument("--rpc-queries", type=int, default=300,
                        help="searches over RPC (0: none, no broker needed)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up
    from services.runtime.migrations import upgrade
    from tests.support.infra import find_postgres
    postgres = find_postgres()
    name, url = postgres.create_database(prefix="bench_account_search")
    engine = create_engine(engine_url(url))
    rng = random.Random(args.seed)
    try:
        upgrade("billing", url)
        seconds = seed(engine, args.accounts)
        print(f"seeded {args.accounts} accounts, statements and ledger entries in "
              f"{seconds:.1f} s")
        plan = queries(args.queries, args.accounts, rng, first_page_cursors(url))
        times, baseline, found = measure_domain(url, plan, args.accounts, rng)
        rpc = measure_rpc(url, plan, args.rpc_queries) if args.rpc_queries else None
    finally:
        engine.dispose()
        postgres.drop_database(name)

    every = [ms for values in times.values() for ms in values]
    print(f"  {'kind':<20} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in times.items():
        print(f"  {kind:<20} {len(values):5d} {percentile(values, 50):8.2f} "
              f"{percentile(values, 99):8.2f}")
    print(f"  {'search, every kind':<20} {len(every):5d} {percentile(every, 50):8.2f} "
          f"{percentile(every, 99):8.2f}")
    print(f"  {'primary-key read':<20} {len(baseline):5d} {percentile(baseline, 50):8.2f} "
          f"{percentile(baseline, 99):8.2f}   (baseline)")
    print(f"  {found} of {len(every)} searches found something")
    print(f"search p99 at {args.accounts} accounts: {percentile(every, 99):.2f} ms "
          "(billing's domain function, PostgreSQL)")
    print(f"ratio search_p99/primary_key_p99: "
          f"{percentile(every, 99) / percentile(baseline, 99):.2f}")
    if rpc:
        searched, health = rpc
        print(f"  over RPC: search p50 {percentile(searched, 50):.2f} ms, p99 "
              f"{percentile(searched, 99):.2f} ms; health p99 {percentile(health, 99):.2f} ms "
              f"({len(searched)} each)")
        print(f"ratio rpc_search_p99/rpc_health_p99: "
              f"{percentile(searched, 99) / percentile(health, 99):.2f}")


if __name__ == "__main__":
    main()
