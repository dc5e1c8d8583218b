"""billing: bill runs racing each other, as several replicas would, on the real databases."""
from datetime import date

import eventlet
from sqlalchemy import text

from services.billing import bill_runs
from services.billing.models import metadata
from services.runtime.database import standalone

ACCOUNTS = 30


def seed(db):
    with db.transaction() as tx:
        for i in range(ACCOUNTS):
            tx.session.execute(text("""
                INSERT INTO accounts (account_number, security_key_hash, security_key_sealed,
                    company_name, contact_name, email, phone, address_line1, city, state, postal_code,
                    bill_cycle_day, invoice_delivery, opened_on, created_at, company_name_key,
                    email_key)
                VALUES (:n, 'x', 'sealed:x', 'Co', 'Pat', 'p@x.example', '+14155550100', '1 Main St',
                        'Austin', 'TX', '78701', 1, 'paper', '2026-01-01', '2026-01-01', 'co',
                        'p@x.example')"""),
                {"n": f"{i:016d}"})
            tx.session.execute(text("""
                INSERT INTO account_services (account_id, product_code, quantity, monthly_cents)
                SELECT id, 'VOICE-LINE', 2, 2999 FROM accounts WHERE account_number = :n"""),
                {"n": f"{i:016d}"})


def test_two_runs_at_once_bill_each_account_exactly_once(database, monkeypatch):
    url = database("billing")
    replicas = [standalone("billing", url, metadata) for _ in range(2)]
    try:
        seed(replicas[0])
        monkeypatch.setattr(bill_runs, "BATCH", 4)  # many small batches, so the runs interleave
        runs = [eventlet.spawn(bill_runs.run, db, date(2026, 11, 1)) for db in replicas]
        issued = [run.wait() for run in runs]
        again = bill_runs.run(replicas[0], date(2026, 11, 1))
        with replicas[0].engine.connect() as conn:
            statements, accounts = conn.execute(text(
                "SELECT count(*), count(DISTINCT account_id) FROM statements")).one()
            events = conn.execute(text(
                "SELECT count(*) FROM outbox WHERE event_type = 'billing.statement_issued'")).scalar()
            charges = conn.execute(text(
                "SELECT count(*) FROM ledger_entries WHERE kind = 'charge'")).scalar()
    finally:
        for db in replicas:
            db.engine.dispose()
    assert sum(issued) == statements == accounts == events == charges == ACCOUNTS
    assert again == 0
    if database.kind == "postgresql":
        assert all(issued), "both replicas should have taken a share"


def test_the_staff_cli_bills_a_date_with_a_progress_bar_and_a_rerun_issues_nothing(
        database, monkeypatch, tmp_path, capsys):
    from services.billing import cli
    url = database("billing")
    db = standalone("billing", url, metadata)
    try:
        seed(db)
    finally:
        db.engine.dispose()
    monkeypatch.setenv("BILLING_DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert cli.main(["--date", "2026-11-01"]) == 0
    first = capsys.readouterr()
    assert f"{ACCOUNTS} statements issued for 2026-11-01." in first.out
    assert f"{ACCOUNTS}/{ACCOUNTS}" in first.err  # the bar reached the end
    cli.main(["--date", "2026-11-01"])
    assert "0 statements issued" in capsys.readouterr().out
