"""billing migration 0008 on a database that already has accounts (SQLite and PostgreSQL):
every account becomes active and searchable by its case-folded name and email."""
import pytest
from sqlalchemy import create_engine, text

from services.billing import search
from services.billing.models import metadata
from services.runtime import migrations
from services.runtime.database import engine_url, standalone

ROWS = [("0000000000000011", "Ünited Widgets", "Sales@United.example"),
        ("0000000000000029", "harbor CO", "ops@harbor.example")]


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0007(request, tmp_path, postgres):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/billing.db"
        yield url
        return
    name, url = postgres.create_database(prefix="test_billing_0008")
    yield url
    postgres.drop_database(name)


def test_existing_accounts_get_their_search_keys_and_status(at_0007):
    migrations.upgrade("billing", at_0007, "0007")
    engine = create_engine(engine_url(at_0007))
    with engine.begin() as conn:
        for number, name, email in ROWS:
            conn.execute(text("""
                INSERT INTO accounts (account_number, security_key_hash, security_key_sealed,
                    company_name, contact_name, email, phone, address_line1, city, state,
                    postal_code, bill_cycle_day, invoice_delivery, opened_on, created_at)
                VALUES (:n, 'x', 'sealed:x', :name, 'Pat', :email, '+13125550100', '1 Main St',
                        'Austin', 'TX', '78701', 1, 'paper', '2026-01-01', '2026-01-01')"""),
                {"n": number, "name": name, "email": email})
    engine.dispose()
    migrations.upgrade("billing", at_0007)
    db = standalone("billing", at_0007, metadata)
    try:
        with db.transaction() as tx:
            found = search.find(tx.session, "üNITED", 20)["items"]
            assert [(i["account_number"], i["status"]) for i in found] == [
                ("0000000000000011", "active")]
            assert [i["company_name"] for i in search.find(
                tx.session, "OPS@HARBOR.EXAMPLE", 20)["items"]] == ["harbor CO"]
            keys = tx.session.execute(text(
                "SELECT company_name_key, email_key FROM accounts ORDER BY id")).all()
        assert [tuple(k) for k in keys] == [("ünited widgets", "sales@united.example"),
                                           ("harbor co", "ops@harbor.example")]
    finally:
        db.engine.dispose()
