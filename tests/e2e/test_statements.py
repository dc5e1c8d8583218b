"""Statements end to end, as a new customer would meet them: staff open an account with
internet and three voice lines, load 60 calls and run the cycle; the customer sees the amount
due, the history, a detail whose lines add up, a PDF and a CSV with one row per call; a
re-run changes nothing; another company's user sees 404 everywhere."""
import csv
import io
import uuid

import pytest
import requests

from tests.support.auth_helpers import PASSWORD, login
from tests.support.api_client import calls
from tests.support.system import eventually

STATEMENT_DATE = "2026-10-27"


def customer(system, services):
    tag = uuid.uuid4().hex[:8]
    staff = system.staff()
    opened = staff.post(system.url("/internal/v1/accounts"), json={
        "company_name": f"Lakeside Architects {tag}", "contact_name": "Priya Natarajan",
        "email": f"ap-{tag}@lakeside.example", "phone": "+1 (312) 555-0188",
        "billing_address": {"line1": "401 N Michigan Ave", "city": "Chicago", "state": "IL",
                            "postal_code": "60611"},
        "bill_cycle_day": 27, "services": services}, timeout=10)
    assert opened.status_code == 201, opened.text
    opened = opened.json()
    username = f"priya.{tag}"
    signed_up = requests.post(system.url("/api/v1/signup"), json={
        **opened, "username": username, "password": PASSWORD, "email": f"priya-{tag}@lakeside.example",
        "first_name": "Priya", "last_name": "Natarajan"}, timeout=10)
    assert signed_up.status_code == 201, signed_up.text
    token = login(system, username).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return opened["account_number"], session


@pytest.fixture(scope="module")
def billed(system):
    number, session = customer(system, [{"code": "INT-500", "quantity": 1},
                                        {"code": "VOICE-LINE", "quantity": 3}])
    staff = system.staff()
    loaded = staff.post(system.url(f"/internal/v1/accounts/{number}/usage"),
                        json={"calls": calls(60)}, timeout=30)
    assert loaded.status_code == 202 and loaded.json()["accepted"] == 60, loaded.text
    run = staff.post(system.url("/internal/v1/bill-runs"),
                     json={"statement_date": STATEMENT_DATE, "account_numbers": [number]},
                     timeout=60)
    assert run.json() == {"statements_issued": 1}
    return number, session


def test_the_customer_sees_amount_due_due_date_and_invoice_number(system, billed):
    number, session = billed
    accounts = session.get(system.url("/api/v1/accounts"), timeout=10).json()["items"]
    assert [a["account_number"] for a in accounts] == [number]
    assert accounts[0]["company_name"].startswith("Lakeside Architects")
    summary = session.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()
    assert summary["amount_due_cents"] > 0 and summary["currency"] == "USD"
    assert summary["due_date"] == "2026-11-17"
    assert summary["invoice_number"]


def test_the_statement_detail_adds_up_and_the_history_lists_it(system, billed):
    number, session = billed
    listing = session.get(system.url(f"/api/v1/accounts/{number}/statements"), timeout=10).json()
    assert len(listing["items"]) == 1 and listing["next_cursor"] is None
    invoice = listing["items"][0]["invoice_number"]
    detail = session.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}"),
                         timeout=10).json()
    lines = [line["amount_cents"] for s in detail["sections"] for line in s["lines"]]
    assert sum(lines) == detail["new_charges_cents"] == detail["amount_due_cents"]
    voice = next(s for s in detail["sections"] if s["name"] == "Voice")
    assert sum(l["quantity"] for l in voice["lines"] if "calls" in l["description"]) == 60
    activity = session.get(system.url(f"/api/v1/accounts/{number}/activity"), timeout=10).json()
    assert activity["items"][0]["kind"] == "charge"
    assert activity["items"][0]["balance_cents"] == detail["amount_due_cents"]


def test_the_pdf_and_a_csv_with_one_row_per_call(system, billed):
    number, session = billed
    invoice = session.get(system.url(f"/api/v1/accounts/{number}/summary"),
                          timeout=10).json()["invoice_number"]
    pdf = session.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}/pdf"),
                      timeout=30)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    exported = session.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}/calls.csv"),
                           timeout=30)
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["date", "time", "from", "to", "type", "duration_seconds", "charge"]
    assert len(rows) == 61
    assert rows[1] == ["2026-10-01", "15:15:00", "+13125550188", "+12125550147", "local", "30",
                       "0.00"]


def test_re_running_the_cycle_changes_nothing(system, billed):
    number, session = billed
    before = session.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()
    run = system.staff().post(system.url("/internal/v1/bill-runs"),
                              json={"statement_date": STATEMENT_DATE,
                                    "account_numbers": [number]}, timeout=60)
    assert run.json() == {"statements_issued": 0}
    again = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                json={"calls": calls(60)}, timeout=30).json()
    assert again == {"accepted": 0, "duplicates": 60}
    after = session.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()
    assert after == before


def test_another_companys_user_sees_404_everywhere(system, billed):
    number, _ = billed
    _, stranger = customer(system, [{"code": "INT-100", "quantity": 1}])
    invoice = billed[1].get(system.url(f"/api/v1/accounts/{number}/summary"),
                            timeout=10).json()["invoice_number"]
    for path in ("summary", "statements", f"statements/{invoice}", f"statements/{invoice}/pdf",
                 f"statements/{invoice}/calls.csv", "activity"):
        response = stranger.get(system.url(f"/api/v1/accounts/{number}/{path}"), timeout=10)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"


def test_bad_usage_is_a_400_with_field_errors_and_loads_nothing(system, billed):
    number, _ = billed
    bad = calls(2)
    bad[1]["to_number"] = "not a number"
    response = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                   json={"calls": bad}, timeout=10)
    assert response.status_code == 400
    assert "to_number" in response.json()["errors"]["calls"]["1"]
    unknown = system.staff().post(system.url("/internal/v1/accounts/4000000000000002/usage"),
                                  json={"calls": calls(1)}, timeout=10)
    assert unknown.status_code == 404


def test_a_card_payment_lowers_the_amount_due_through_the_ledger(system, billed):
    number, session = billed
    due = session.get(system.url(f"/api/v1/accounts/{number}/summary"),
                      timeout=10).json()["amount_due_cents"]
    method = session.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), json={
        "type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Priya Natarajan", "postal_code": "60611"}, timeout=10)
    assert method.status_code == 201, method.text
    paid = session.post(system.url(f"/api/v1/accounts/{number}/payments"),
                        headers={"Idempotency-Key": uuid.uuid4().hex},
                        json={"amount_cents": 1000, "payment_method_id": method.json()["id"]},
                        timeout=10)
    assert paid.status_code == 201 and paid.json()["status"] == "succeeded", paid.text

    def applied():
        """the payment reached billing's ledger"""
        summary = session.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()
        return summary["amount_due_cents"] == due - 1000 and summary["last_payment"]
    assert eventually(applied)["amount_cents"] == 1000
