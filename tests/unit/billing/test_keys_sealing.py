"""The invoice's security key sealed at rest beside its hash, printed on statements only, and
reissued by staff (services/runtime/sealing.py, services/billing/keys.py, accounts.py,
queries.py), on an in-memory SQLite database; and the secret scan's rules for it
(tests/support/secret_scan.py) on planted files."""
import sqlite3
from datetime import date, datetime, timezone

import pytest
from cryptography.fernet import InvalidToken
from reportlab.pdfgen import canvas
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.billing import accounts, keys, queries
from services.billing.models import Account, Statement, metadata
from services.contracts.errors import NotFound
from services.runtime import sealing
from tests.support.secret_scan import KnownSecrets, scan_system

KEK = "unit-test-key-encryption-key-0123456789"
REQUEST = {
    "company_name": "Harbor Street Dental", "contact_name": "Dana", "email": "d@harbor.example",
    "phone": "(415) 555-0100", "bill_cycle_day": 1,
    "billing_address": {"line1": "220 Harbor Street", "city": "San Francisco", "state": "CA",
                        "postal_code": "94111"},
    "services": [{"code": "INT-500", "quantity": 1}],
}


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_a_sealed_value_reads_back_only_under_its_key_and_purpose():
    sealed = sealing.seal("KX7PQ2MZ", KEK, b"one purpose")
    assert sealed.startswith("sealed:") and "KX7PQ2MZ" not in sealed
    assert sealing.unseal(sealed, KEK, b"one purpose") == "KX7PQ2MZ"
    with pytest.raises(InvalidToken):
        sealing.unseal(sealed, KEK, b"another purpose")
    with pytest.raises(InvalidToken):
        sealing.unseal(sealed, "another key-encryption key", b"one purpose")


def test_only_a_fernet_token_behind_the_prefix_counts_as_sealed():
    assert sealing.is_sealed(sealing.seal("KX7PQ2MZ", KEK, b"p"))
    assert not sealing.is_sealed("sealed:KX7PQ2MZ")
    assert not sealing.is_sealed("KX7PQ2MZ")
    assert not sealing.is_sealed(None)


def test_the_key_encryption_key_is_its_own_setting_when_set_else_secret_key():
    assert sealing.key_encryption_key({"SECRET_KEY": "s", "KEY_ENCRYPTION_KEY": "k"}) == "k"
    assert sealing.key_encryption_key({"SECRET_KEY": "s", "KEY_ENCRYPTION_KEY": ""}) == "s"
    assert sealing.key_encryption_key({"SECRET_KEY": "s"}) == "s"


def test_an_opened_account_keeps_its_key_hashed_and_sealed(session):
    account, key = accounts.open_account(session, accounts.load_request(REQUEST), KEK)
    assert key not in account.security_key_hash and key not in account.security_key_sealed
    assert sealing.is_sealed(account.security_key_sealed)
    assert accounts.printed_key(account, KEK) == key
    assert accounts.account_key_matches(session, account.account_number, key)


def test_a_reissued_key_replaces_the_old_one_at_once(session):
    account, old = accounts.open_account(session, accounts.load_request(REQUEST), KEK)
    _, new = accounts.reissue_key(session, account.account_number, KEK)
    assert new != old
    assert not accounts.account_key_matches(session, account.account_number, old)
    assert accounts.account_key_matches(session, account.account_number, new)
    stored = session.execute(select(Account)).scalar_one()
    assert accounts.printed_key(stored, KEK) == new


def test_reissuing_the_key_of_an_unknown_account_is_not_found(session):
    with pytest.raises(NotFound):
        accounts.reissue_key(session, "4000000000000002", KEK)
    with pytest.raises(NotFound):
        accounts.reissue_key(session, "not a number", KEK)


def test_only_the_printable_statement_carries_the_key(session):
    account, key = accounts.open_account(session, accounts.load_request(REQUEST), KEK)
    session.add(Statement(account_id=account.id, invoice_number="26110110000042",
                          statement_date=date(2026, 11, 1), period_start=date(2026, 10, 1),
                          period_end=date(2026, 10, 31), due_date=date(2026, 11, 22),
                          batch="b1", issued_at=datetime.now(timezone.utc)))
    session.flush()
    detail = queries.statement_detail(session, account.account_number, "26110110000042")
    assert "security_key" not in detail["account"] and key not in repr(detail)
    printable = queries.printable_statement(session, account.account_number, "26110110000042",
                                            KEK)
    assert printable["account"]["security_key"] == key


# --- the secret scan ---

def billing_db(path, rows):
    """rows: (account id, account number, sealed key, invoice number)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, account_number TEXT, "
                   "security_key_hash TEXT, security_key_sealed TEXT)")
        db.execute("CREATE TABLE statements (id INTEGER PRIMARY KEY, account_id INTEGER, "
                   "invoice_number TEXT)")
        for account_id, number, sealed, invoice in rows:
            db.execute("INSERT INTO accounts VALUES (?, ?, '$argon2id$x', ?)",
                       (account_id, number, sealed))
            db.execute("INSERT INTO statements (account_id, invoice_number) VALUES (?, ?)",
                       (account_id, invoice))


def statement_pdf(data_dir, invoice, text):
    folder = data_dir / "print-batch" / "2026-11-01"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(folder / f"{invoice}.pdf"))
    pdf.drawString(72, 720, text)
    pdf.save()


def test_a_key_is_allowed_on_its_own_accounts_statements_only(tmp_path):
    mine, theirs = "4000000000000002", "4000000000000010"
    billing_db(tmp_path / "billing.db", [
        (1, mine, keys.seal_key("KX7PQ2MZ", KEK), "26110110000001"),
        (2, theirs, keys.seal_key("RT4WN8HC", KEK), "26110110000002")])
    statement_pdf(tmp_path, "26110110000001", f"Account number {mine} Security key KX7PQ2MZ")
    statement_pdf(tmp_path, "26110110000002", "Security key RT4WN8HC, and KX7PQ2MZ")
    (tmp_path / "billing.log").write_text("reissued KX7PQ2MZ\n")
    findings = scan_system(data_dir=tmp_path, known=KnownSecrets(), key_encryption_key=KEK)
    assert sorted((f.kind, f.where.split()[0]) for f in findings) == [
        ("security key", "billing.log"),
        ("security key", "print-batch/2026-11-01/26110110000002.pdf")]
    assert not any("KX7PQ2MZ" in str(f) for f in findings)


def test_a_key_staff_were_given_is_a_known_secret_of_its_account():
    known = KnownSecrets()
    known.add_from_json({"account_number": "4000000000000002", "security_key": "KX7PQ2MZ"})
    assert known.values["KX7PQ2MZ"] == "security key"
    assert known.key_owner["KX7PQ2MZ"] == "4000000000000002"


def test_a_sealed_column_holds_only_fernet_tokens(tmp_path):
    billing_db(tmp_path / "billing.db", [
        (1, "4000000000000002", "sealed:KX7PQ2MZ", "26110110000001"),
        (2, "4000000000000010", keys.seal_key("RT4WN8HC", KEK), "26110110000002")])
    findings = scan_system(data_dir=tmp_path, known=KnownSecrets())
    assert [(f.kind, f.where.split()[-1]) for f in findings] == [
        ("sealed column 'security_key_sealed' not sealed", "[1]")]
