"""Paying end to end, as a new customer would: a statement is due; the customer adds a card
and a bank account, pays with an Idempotency-Key, retries with the same key and gets the same
payment, sees the amount due drop to zero and a receipt in the mail; a declined card fails
with a readable reason; autopay pays the next statement on its due date; no full card number
is in any database, log or mail."""
import pytest
import requests
from sqlalchemy import create_engine, text

from services.runtime.database import engine_url
from tests.support.auth_helpers import PASSWORD, mails_to, text_of
from tests.support.payment_methods import BANK, CARD
from tests.support.api_client import (add_method, bill, customer, key, paid, pay, payment_run,
                                      payments, summary)
from tests.support.system import eventually


def billed_customer(system):
    """A customer with one statement: a payment may be at most what is owed plus a month."""
    number, session = customer(system)
    bill(system, number)
    return number, session


@pytest.fixture(scope="module")
def due(system):
    return billed_customer(system)


def test_a_customer_pays_the_amount_due_once_and_gets_a_receipt(system, due):
    number, session = due
    amount = summary(system, session, number)["amount_due_cents"]
    assert amount > 0
    card = add_method(system, session, number, CARD)
    assert (card["brand"], card["last4"]) == ("visa", "4242") and "card_number" not in card
    bank = add_method(system, session, number, BANK)
    assert bank["bank_name"] and bank["last4"] == "6789"
    path = system.url(f"/api/v1/accounts/{number}/payments")
    body = {"amount_cents": amount, "payment_method_id": card["id"]}
    headers = key()
    first = session.post(path, json=body, headers=headers, timeout=10)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "succeeded"
    again = session.post(path, json=body, headers=headers, timeout=10)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert session.post(path, json=dict(body, amount_cents=1), headers=headers,
                        timeout=10).status_code == 409
    assert session.post(path, json=body, timeout=10).status_code == 400
    listed = session.get(path, timeout=10).json()["items"]
    assert [p["id"] for p in listed] == [first.json()["id"]]

    def paid_off():
        now = summary(system, session, number)
        return now if now["amount_due_cents"] == 0 else None
    after = eventually(paid_off)
    assert after["last_payment"]["amount_cents"] == amount
    user = session.get(system.url("/api/v1/me"), timeout=10).json()
    receipts = eventually(lambda: [m for m in mails_to(system, user["email"])
                                   if "receipt" in m["Subject"].lower()])
    assert len(receipts) == 1 and "ending in 4242" in text_of(receipts[0])


def test_a_declined_card_is_a_failed_payment_with_a_reason(system, due):
    number, session = due
    declined = add_method(system, session, number, dict(CARD, card_number="4000000000000002"))
    payment = paid(system, session, number, 500, declined["id"])
    assert payment["status"] == "failed" and "declined" in payment["failure_reason"]


def test_malformed_methods_and_amounts_are_400_with_field_errors(system, due):
    number, session = due
    bad = session.post(system.url(f"/api/v1/accounts/{number}/payment-methods"),
                       json=dict(CARD, card_number="4242424242424241"), timeout=10)
    assert bad.status_code == 400 and "card_number" in bad.json()["errors"]
    assert "4242424242424241" not in bad.text
    bad = session.post(system.url(f"/api/v1/accounts/{number}/payment-methods"),
                       json=dict(BANK, routing_number="110000001"), timeout=10)
    assert bad.status_code == 400 and "routing_number" in bad.json()["errors"]
    bad = pay(system, session, number, 0, "x")
    assert bad.status_code == 400 and "amount_cents" in bad.json()["errors"]


def test_another_company_cannot_see_or_use_this_accounts_payments(system, due):
    number, _session = due
    _other, intruder = customer(system)
    assert intruder.get(system.url(f"/api/v1/accounts/{number}/payments"),
                        timeout=10).status_code == 404
    assert pay(system, intruder, number, 100, "x").status_code == 404


def test_autopay_pays_the_next_statement_on_its_due_date(system):
    number, session = customer(system)
    card = add_method(system, session, number, dict(CARD, card_number="5555555555554444"))
    enrolled = session.put(system.url(f"/api/v1/accounts/{number}/autopay"),
                           json={"payment_method_id": card["id"], "enabled": True}, timeout=10)
    assert enrolled.status_code == 200, enrolled.text
    assert summary(system, session, number)["autopay"] == {"enabled": True,
                                                           "payment_method_id": card["id"]}
    assert session.delete(system.url(f"/api/v1/accounts/{number}/payment-methods/{card['id']}"),
                          timeout=10).status_code == 409
    bill(system, number, "2026-11-15")
    due = summary(system, session, number)

    def scheduled():
        return [p for p in payments(system, session, number)
                if p["kind"] == "autopay" and p["status"] == "scheduled"]
    [payment] = eventually(scheduled)
    assert payment["scheduled_for"] == due["due_date"]
    assert payment["amount_cents"] == due["amount_due_cents"]
    assert payment_run(system, due["due_date"])["payments_attempted"] >= 1
    made = session.get(system.url(f"/api/v1/accounts/{number}/payments/{payment['id']}"),
                       timeout=10).json()
    assert made["status"] == "succeeded"
    eventually(lambda: summary(system, session, number)["amount_due_cents"] == 0)
    admin = session.get(system.url("/api/v1/me"), timeout=10).json()["email"]
    mails = eventually(lambda: [m for m in mails_to(system, admin)
                                if "receipt" in m["Subject"].lower()])
    assert len(mails) == 1 and "automatic payment" in text_of(mails[0])
    assert [m for m in mails_to(system, admin) if m["Subject"].startswith("Autopay will pay")]


def test_a_bank_payment_is_pending_until_the_payment_run_settles_it(system, due):
    number, session = due
    bank = add_method(system, session, number, dict(BANK, account_number="000987654321"))
    pending = paid(system, session, number, 2500, bank["id"])
    assert pending["status"] == "pending", pending
    payment_run(system, "2026-12-01")
    settled = session.get(system.url(f"/api/v1/accounts/{number}/payments/{pending['id']}"),
                          timeout=10).json()
    assert settled["status"] == "succeeded"


def test_a_returned_bank_payment_is_reversed_and_the_payer_told(system):
    number, session = billed_customer(system)
    bouncing = add_method(system, session, number, dict(BANK, account_number="000123450002"))
    before = summary(system, session, number)["balance_cents"]
    debit = paid(system, session, number, 5000, bouncing["id"])
    assert debit["status"] == "pending", debit
    assert payment_run(system, "2026-12-02")["settled"] >= 1
    eventually(lambda: summary(system, session, number)["balance_cents"] == before - 5000)
    assert payment_run(system, "2026-12-03")["returned"] >= 1
    url = system.url(f"/api/v1/accounts/{number}/payments/{debit['id']}")
    returned = session.get(url, timeout=10).json()
    assert returned["status"] == "returned" and "insufficient funds" in returned["failure_reason"]
    # billing reverses the payment (and may add its returned-payment fee)
    eventually(lambda: summary(system, session, number)["balance_cents"] >= before)
    email = session.get(system.url("/api/v1/me"), timeout=10).json()["email"]
    eventually(lambda: [m for m in mails_to(system, email) if "returned" in m["Subject"]])


def test_the_security_code_is_asked_for_when_the_user_requires_it(system):
    number, session = billed_customer(system)
    card = add_method(system, session, number, CARD)
    assert session.put(system.url("/api/v1/me/security-code"), json={
        "current_password": PASSWORD, "security_code": "2468"}, timeout=10).status_code == 204
    changed = session.patch(system.url("/api/v1/me/security-preferences"), json={
        "require_security_code_for_payments": True}, timeout=10)
    assert changed.status_code == 200, changed.text
    path = system.url(f"/api/v1/accounts/{number}/payments")
    body = {"amount_cents": 300, "payment_method_id": card["id"]}
    missing = session.post(path, json=body, headers=key(), timeout=10)
    assert missing.status_code == 400 and "security_code" in missing.json()["errors"]
    wrong = session.post(path, json=dict(body, security_code="1357"), headers=key(), timeout=10)
    assert wrong.status_code == 422, wrong.text
    assert session.get(path, timeout=10).json()["items"] == []
    taken = session.post(path, json=dict(body, security_code="2468"), headers=key(), timeout=10)
    assert taken.status_code == 201 and taken.json()["status"] == "succeeded"
    assert "2468" not in taken.text


def test_no_full_card_number_is_in_any_database_log_or_mail(system, due):
    """Runs after the others in this module: every number they used must be absent."""
    numbers = ["4242424242424242", "5555555555554444", "4000000000000002"]
    found = []
    for service in ("identity", "billing", "payments", "notifications"):
        engine = create_engine(engine_url(system.env[f"{service.upper()}_DATABASE_URL"]))
        with engine.connect() as conn:
            tables = [row[0] for row in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
            for table in tables:
                dump = " ".join(row[0] for row in conn.execute(text(
                    f'SELECT t::text FROM "{table}" t')))
                found += [(service, table, n) for n in numbers if n in dump]
        engine.dispose()
        found += [(service, "log", n) for n in numbers if n in system.log_text(service)]
    found += [("gateway", "log", n) for n in numbers if n in system.log_text("gateway")]
    mail_dir = system.data_dir / "mail"
    for path in mail_dir.rglob("*"):
        if path.is_file():
            found += [("mail", path.name, n) for n in numbers if n in path.read_text(errors="replace")]
    assert found == []
    assert requests.get(system.url("/readyz"), timeout=10).status_code == 200
