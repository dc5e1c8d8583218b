"""The secret scanner (tests/support/secret_scan.py) on planted data: SQLite files, logs, a Maildir,
a PDF and events in a temporary folder. Nothing else is needed."""
import json
import sqlite3
from email.message import EmailMessage

from reportlab.pdfgen import canvas
from stdnum import luhn

from services.runtime import sealing
from tests.support.event_capture import CapturedEvent
from tests.support.secret_scan import KnownSecrets, mask, scan_system

CARD = "4111111111111111"
ACCOUNT = "100000000000000" + luhn.calc_check_digit("100000000000000")
TOKEN = "q9XcT2m_Rk3LwP8vZy4hN1sB"
PASSWORD = "violet staple orbit 42"


def make_db(path, rows):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id TEXT PRIMARY KEY, note TEXT)")
        db.execute("CREATE TABLE accounts (account_number TEXT PRIMARY KEY)")
        db.execute("INSERT INTO accounts VALUES (?)", (ACCOUNT,))
        db.executemany("INSERT INTO users VALUES (?, ?)", rows)


def write_mail(data_dir, name, text):
    folder = data_dir / "mail" / "new"
    folder.mkdir(parents=True, exist_ok=True)
    message = EmailMessage()
    message["To"], message["Subject"] = "rosa@harbor.example", "Reset your BizPortal password"
    message.set_content(text, cte="base64")  # what a raw grep would miss
    (folder / name).write_bytes(bytes(message))


def kinds(findings):
    return sorted(f.kind for f in findings)


def test_a_card_number_in_a_mail_a_log_or_a_pdf_is_found(tmp_path):
    write_mail(tmp_path, "1.host", f"paid with {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "payments.log").write_text(json.dumps({"message": f"card {CARD}"}) + "\n")
    (tmp_path / "print-batch").mkdir()
    pdf = canvas.Canvas(str(tmp_path / "print-batch" / "INV-1.pdf"))
    pdf.drawString(72, 720, f"Card {CARD}")
    pdf.save()
    findings = scan_system(data_dir=tmp_path)
    assert {f.where.split()[0] for f in findings} == {
        "logs/payments.log", "mail/new/1.host", "print-batch/INV-1.pdf"}
    assert all(CARD not in f.excerpt and CARD not in f.where for f in findings)


def test_a_known_password_in_a_database_row_is_found_and_masked(tmp_path):
    make_db(tmp_path / "identity.db", [("u1", f"password was {PASSWORD}")])
    known = KnownSecrets()
    known.add_from_json({"username": "rosa", "password": PASSWORD})
    findings = scan_system(data_dir=tmp_path, known=known)
    assert any(f.kind == "password" and "table users" in f.where for f in findings)
    assert not any(PASSWORD in str(f) for f in findings)


def test_account_numbers_are_not_card_numbers(tmp_path):
    make_db(tmp_path / "billing.db", [("u1", f"account {ACCOUNT}")])
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "billing.log").write_text(f"opened {ACCOUNT}\n")
    assert scan_system(data_dir=tmp_path) == []


def test_a_token_is_allowed_in_its_own_delivery_mail_only(tmp_path):
    write_mail(tmp_path, "1.host", f"open http://x/reset-password?token={TOKEN} within 30 minutes")
    assert scan_system(data_dir=tmp_path) == []
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "gateway.log").write_text(f"GET /reset-password?token={TOKEN} 200\n")
    write_mail(tmp_path, "2.host", f"your token was {TOKEN}")
    findings = scan_system(data_dir=tmp_path)
    assert sorted(f.where.split()[0] for f in findings) == ["logs/gateway.log", "mail/new/2.host"]
    assert kinds(findings) == ["reset or invitation token"] * 2


def test_a_secret_field_in_an_event_is_found_whatever_its_value():
    event = CapturedEvent("identity.events", "security_settings_changed",
                          json.dumps({"data": {"user_id": "u1", "security_code": "4821"}}))
    findings = scan_system(events=[event])
    assert kinds(findings) == ["security code (field 'body.data.security_code')"]


def test_a_bank_account_number_is_a_secret_but_a_billing_account_number_is_not():
    known = KnownSecrets()
    known.add_from_json({"account_number": ACCOUNT, "security_key": "ABCD2345"})
    known.add_from_json({"type": "bank_account", "routing_number": "011000015",
                         "account_number": "000123456789"})
    assert known.values == {"ABCD2345": "security key", "000123456789": "bank account number"}


def test_a_masked_secret_keeps_only_its_ends():
    assert mask("violet staple") == "vi*********le"
    assert mask("4821") == "****"


def test_a_column_named_for_a_secret_holds_only_a_hash_or_a_sealed_value(tmp_path):
    with sqlite3.connect(tmp_path / "identity.db") as db:
        db.execute("CREATE TABLE users (id TEXT PRIMARY KEY, totp_secret TEXT, "
                   "password_hash TEXT, processor_token TEXT)")
        db.execute("INSERT INTO users VALUES ('u1', 'JBSWY3DPEHPK3PXP', '$argon2id$x', 'tok_1')")
        db.execute("INSERT INTO users VALUES ('u2', ?, '$argon2id$y', NULL)",
                   (sealing.seal("JBSWY3DPEHPK3PXP", "a key", b"a purpose"),))
    findings = scan_system(data_dir=tmp_path)
    assert [(f.kind, f.where.split()[-1]) for f in findings] == [
        ("secret column 'totp_secret' in the clear", "[u1]")]


def test_the_kept_copy_of_a_forgot_id_mail_holds_no_username(tmp_path):
    folder = tmp_path / "mail" / "new"
    folder.mkdir(parents=True)
    message = EmailMessage()
    message["To"], message["Subject"] = "rosa@harbor.example", "Your BizPortal username"
    message.set_content("Hello Rosa,\n\nYou asked for the online IDs tied to this email "
                        "address:\n\n  rosa.diaz7\n\nSign in at http://x/.\n")
    (folder / "1.host").write_bytes(bytes(message))
    with sqlite3.connect(tmp_path / "notifications.db") as db:
        db.execute("CREATE TABLE messages (id TEXT PRIMARY KEY, subject TEXT, body TEXT)")
        db.execute("INSERT INTO messages VALUES ('m1', 'Your BizPortal username', "
                   "'  [sent by email, not kept]')")
        db.execute("INSERT INTO messages VALUES ('m2', 'Welcome', 'Hello rosa.diaz7')")
    assert scan_system(data_dir=tmp_path) == []
    with sqlite3.connect(tmp_path / "notifications.db") as db:
        db.execute("INSERT INTO messages VALUES ('m3', 'Your BizPortal username', '  rosa.diaz7')")
    assert [f.kind for f in scan_system(data_dir=tmp_path)] == ["forgot-ID usernames kept"]


def test_what_a_fuzzer_generates_is_not_collected_as_a_secret():
    from tests.support.secret_collector import record_request
    known = KnownSecrets()
    body = json.dumps({"name": "Xy7#kQ2!pL", "password": "Xy7#kQ2!pL"})
    record_request("http://x/api/v1/signup", body, {"User-Agent": "schemathesis/4.32.5",
                                                   "Content-Type": "application/json"}, known)
    assert len(known) == 0
    record_request("http://x/api/v1/signup", body, {"Content-Type": "application/json"}, known)
    assert known.values == {"Xy7#kQ2!pL": "password"}
