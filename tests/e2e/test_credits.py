"""Staff credits end to end through the gateway, on the real services, broker and PostgreSQL:
the credit note, the customer's activity and next statement (page, API and PDF), the audit
trail, and every refusal as a problem document that credits nothing."""
import uuid

import requests

from tests.support.auth_helpers import new_user, bearer
from tests.support.api_client import bill, billed, key, statements
from tests.support.system import eventually


def credit(system, number, body, headers=None):
    return system.staff().post(system.url(f"/internal/v1/accounts/{number}/credits"),
                               json=body, headers=key() if headers is None else headers,
                               timeout=10)


def activity(session, system, number):
    return session.get(system.url(f"/api/v1/accounts/{number}/activity"), timeout=10).json()[
        "items"]


def test_staff_credit_an_account_once_per_key_and_the_customer_sees_it_everywhere(system):
    owner, admin, first = billed(system)
    number = owner["account_number"]
    body = {"amount_cents": 1234, "reason": "Outage on Oct 20 <b>sorry</b>",
            "invoice_number": first["invoice_number"]}
    headers = key()
    made = credit(system, number, body, headers)
    assert made.status_code == 201, made.text
    note = made.json()
    assert note["amount_cents"] == 1234 and note["currency"] == "USD"
    assert note["balance_cents"] == first["amount_due_cents"] - 1234
    again = credit(system, number, body, headers)
    assert again.status_code == 201 and again.json() == note  # a retry credits nothing more
    other = credit(system, number, {**body, "amount_cents": 1}, headers)
    assert other.status_code == 409
    assert other.headers["Content-Type"] == "application/problem+json"

    entries = [e for e in activity(admin, system, number) if e["kind"] == "credit"]
    assert [(e["amount_cents"], e["description"]) for e in entries] == [
        (-1234, "Credit: Outage on Oct 20 <b>sorry</b>")]

    bill(system, number, "2026-11-15")
    [second, _] = statements(system, admin, number)
    assert second["adjustments_cents"] == -1234
    detail = admin.get(system.url(
        f"/api/v1/accounts/{number}/statements/{second['invoice_number']}"), timeout=10).json()
    assert [(a["kind"], a["amount_cents"]) for a in detail["adjustments"]] == [("credit", -1234)]
    pdf = admin.get(system.url(
        f"/api/v1/accounts/{number}/statements/{second['invoice_number']}/pdf"), timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    def audited():
        """identity recorded billing.credit_issued in the account's trail"""
        trail = admin.get(system.url(f"/api/v1/accounts/{number}/audit"), timeout=10).json()
        return [i for i in trail["items"] if i["action"] == "credit issued"]
    [entry] = eventually(audited)
    assert "$12.34" in entry["detail"] and first["invoice_number"] in entry["detail"]

    # customers never reach it, not even for their own account
    assert admin.post(system.url(f"/internal/v1/accounts/{number}/credits"), json=body,
                      headers=key(), timeout=10).status_code == 403
    assert requests.post(system.url(f"/internal/v1/accounts/{number}/credits"), json=body,
                         headers=key(), timeout=10).status_code == 401


def test_every_refused_credit_is_a_problem_document_and_credits_nothing(system):
    owner, stranger = new_user(system), new_user(system)
    number = owner["account_number"]
    bill(system, stranger["account_number"], "2026-10-15")
    admin = bearer(system, owner["username"])
    theirs = statements(system, bearer(system, stranger["username"]),
                        stranger["account_number"])[0]["invoice_number"]
    before = activity(admin, system, number)
    ok = {"amount_cents": 500, "reason": "Goodwill"}
    cases = [
        (ok, {}, 400),                                         # no Idempotency-Key
        (ok, {"Idempotency-Key": "k" * 256}, 400),
        ({**ok, "amount_cents": 0}, None, 400), ({**ok, "amount_cents": -500}, None, 400),
        ({**ok, "amount_cents": 10_000_001}, None, 400),
        ({**ok, "amount_cents": 10 ** 30}, None, 400), ({**ok, "amount_cents": 5.5}, None, 400),
        ({**ok, "reason": ""}, None, 400), ({**ok, "reason": "a\u202eb"}, None, 400),
        ({"amount_cents": 500}, None, 400),
        ({**ok, "invoice_number": theirs}, None, 422),         # another account's statement
        ({**ok, "invoice_number": "123456789"}, None, 422),
    ]
    for body, headers, status in cases:
        response = credit(system, number, body, headers)
        assert response.status_code == status, (body, headers, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"
    unknown = credit(system, "4" + "0" * 14 + "2", ok)
    assert unknown.status_code == 404
    assert activity(admin, system, number) == before
    assert credit(system, number, {**ok, "reason": str(uuid.uuid4())}).status_code == 201
