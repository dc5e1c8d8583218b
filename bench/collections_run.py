"""The collections run (services/billing/collections.py) over many accounts on PostgreSQL: how
long the hourly daily-cycle pass takes when most accounts owe a bill not yet due and a few
are past due.

Seeds ``--accounts`` accounts (default 20,000) into a throwaway database migrated as
billing's, each with one statement and its charge in the ledger (``INSERT … SELECT`` over
``generate_series``): ``--past-due`` of them (default 5%) billed 2026-09-01 (due 2026-09-22),
the rest billed 2026-11-01 (due 2026-11-22). Then runs collections for 2026-11-10 twice: the
first run reminds every past-due account once (14 days and more: day 14's reminder, or
suspends those 30 days late), the second finds nothing new, which is what every later
hourly pass of that day does. Baseline, in the same run: each past-due account read by its
primary key in a transaction of its own (the floor of reviewing it one by one). Prints the
events written, both runs' seconds, ms per account changed and
``ratio first_run_per_account/primary_key_read``. `--accounts 2000` for a quick look.
"""
import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from services.runtime.database import engine_url  # noqa: E402

SEED = [
    """INSERT INTO accounts (account_number, security_key_hash, security_key_sealed,
           company_name, contact_name, email, phone, address_line1, city, state, postal_code,
           bill_cycle_day, invoice_delivery, opened_on, created_at, status, company_name_key,
           email_key)
       SELECT lpad(i::text, 16, '0'), 'x', 'x', 'Co ' || i, 'Pat', 'ops' || i || '@x.example',
              '+1312' || (2000000 + i)::text, '1 Main St', 'Chicago', 'IL', '60611', 1,
              'paper', DATE '2026-01-01', now(), 'active', 'co ' || i, 'ops' || i || '@x.example'
       FROM generate_series(1, :n) AS i""",
    """INSERT INTO statements (account_id, invoice_number, statement_date, period_start,
           period_end, due_date, currency, previous_balance_cents, payments_cents,
           adjustments_cents, new_charges_cents, amount_due_cents, batch, issued_at)
       SELECT a.id, 'INV' || a.id, d.s, d.s - 30, d.s, d.s + 21, 'USD', 0, 0, 0, 10000, 10000,
              'seed', now()
       FROM accounts a, LATERAL (SELECT CASE WHEN mod(a.id, 100) < :late
                                        THEN DATE '2026-09-01' ELSE DATE '2026-11-01' END AS s) d""",
    """INSERT INTO ledger_entries (account_id, entry_date, kind, description, amount_cents,
           reference, statement_id, posted_at)
       SELECT s.account_id, s.statement_date, 'charge', 'Monthly service', 10000,
              s.invoice_number, s.id, now() FROM statements s""",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--past-due", type=int, default=5, help="percent of accounts late")
    args = parser.parse_args()
    from services.billing import collections
    from services.billing.models import metadata
    from services.runtime.database import standalone
    from services.runtime.migrations import upgrade
    from tests.support.infra import find_postgres
    postgres = find_postgres()
    name, url = postgres.create_database(prefix="bench_collections")
    engine = create_engine(engine_url(url))
    try:
        upgrade("billing", url)
        with engine.begin() as conn:
            for sql in SEED:
                conn.execute(text(sql), {"n": args.accounts, "late": args.past_due})
            conn.execute(text("ANALYZE"))
        db = standalone("billing", url, metadata)
        day = date(2026, 11, 10)
        times = []
        for _ in range(2):
            started = time.perf_counter()
            result = collections.run(db, day, 30)
            times.append((time.perf_counter() - started, result))
        from services.billing.models import Account
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM outbox")).scalar()
            late = [row[0] for row in conn.execute(text(
                "SELECT id FROM accounts WHERE status = 'suspended' ORDER BY id"))]
        started = time.perf_counter()
        for account_id in late:
            with db.transaction() as tx:
                tx.session.get(Account, account_id)
        baseline = (time.perf_counter() - started) / max(1, len(late))
        print(f"{args.accounts} accounts, {args.past_due}% past due; events written: {events}")
        for label, (seconds, result) in zip(("first run", "repeat run"), times):
            print(f"  {label:10}  {seconds:7.2f} s  {result}")
        per_account = times[0][0] / max(1, len(late))
        print(f"  per account changed {per_account * 1000:.1f} ms, primary-key read "
              f"{baseline * 1000:.2f} ms")
        print(f"ratio first_run_per_account/primary_key_read {per_account / baseline:.1f}")
        db.engine.dispose()
    finally:
        engine.dispose()
        postgres.drop_database(name)


if __name__ == "__main__":
    main()
