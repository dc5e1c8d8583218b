"""Closing an account end to end (issue 15), through the gateway on the real services, broker
and PostgreSQL and the sandbox processor: the final statement with its prorated lines, the
credit balance refunded once, autopay and a scheduled payment canceled, the closure mailed to
the admin, the rest paid, and nothing billed again. Every refusal is a problem document.

The e2e account: cycle day 15, VOICE-LINE ×2 at $29.99, billed in Illinois; billed on
Nov 15, 2026 for [Nov 15, Dec 15) (30 days, in advance) and closed from Nov 30 (15 days
left)."""
import json
import subprocess
import sys
import uuid

from tests.support.auth_helpers import bearer, mail_with, new_user, text_of
from tests.support.payment_methods import CARD
from tests.support.portal_api import add_method, bill, key, summary
from tests.support.system import eventually

CLOSE = {"effective_date": "2026-11-30", "reason": "Moving to another provider"}
CALLS = [{"started_at": f"2026-11-20T1{i}:00:00Z", "from_number": "+13125550188",
          "to_number": "+12125550147", "duration_seconds": 125 + 60 * i,
          "call_type": "long_distance"} for i in range(3)]


def _close(system, number, body=CLOSE, idempotency_key=None):
    return system.staff().post(system.url(f"/internal/v1/accounts/{number}/closure"),
                               json=body, timeout=30,
                               headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())})


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


def _billed_customer(system):
    owner = new_user(system)
    number = owner["account_number"]
    bill(system, number, "2026-11-15")
    loaded = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                 json={"calls": CALLS}, timeout=20)
    assert loaded.status_code == 202, loaded.text
    return owner, number, bearer(system, owner["username"])


def _pay(system, session, number, method, amount, **extra):
    paid = session.post(system.url(f"/api/v1/accounts/{number}/payments"), headers=key(),
                        json={"amount_cents": amount, "payment_method_id": method, **extra},
                        timeout=20)
    assert paid.status_code == 201, paid.text
    return paid.json()


def test_a_closure_bills_the_final_statement_refunds_the_credit_once_and_cancels_autopay(
        system):
    owner, number, session = _billed_customer(system)
    method = add_method(system, session, number, CARD)["id"]
    due = summary(system, session, number)["amount_due_cents"]
    paid = _pay(system, session, number, method, due + 4000)  # $40 more than owed
    assert paid["status"] == "succeeded"
    scheduled = _pay(system, session, number, method, 500, scheduled_for="2027-01-10")
    assert session.put(system.url(f"/api/v1/accounts/{number}/autopay"), timeout=10,
                       json={"payment_method_id": method, "enabled": True}).status_code == 200
    eventually(lambda: summary(system, session, number)["balance_cents"] == -4000)

    idempotency_key = str(uuid.uuid4())
    closed = _close(system, number, idempotency_key=idempotency_key)
    assert closed.status_code == 201, closed.text
    closure = closed.json()
    assert (closure["status"], closure["final_statement_date"]) == ("closed", "2026-11-30")

    detail = session.get(system.url(
        f"/api/v1/accounts/{number}/statements/{closure['final_invoice_number']}"),
        timeout=10).json()
    assert detail["final"] is True
    lines = {s["code"]: [(l["description"], l["quantity"], l["amount_cents"])
                         for l in s["lines"]] for s in detail["sections"]}
    credit, *usage = lines["voice"]
    # 2 × 2999 × 15/30 = 2999: the unused half of the month paid ahead
    assert credit == ("Business Voice line: credit, unused Nov 30, 2026 to Dec 14, 2026 "
                      "(15 of 30 days)", 2, -2999)
    assert sum(q for _, q, _ in usage) == 3  # the three calls of Nov 20
    taxes = {d: c for d, _, c in lines["taxes"]}
    voice = sum(c for _, _, c in lines["voice"])
    assert taxes["Federal Universal Service Fee"] == -((-voice * 5 + 50) // 100)
    assert taxes["State sales tax (IL)"] == -187  # 6.25% of -2999 = -187.44
    assert "911 service fee" not in taxes      # no voice line is left
    assert sum(c for s in lines.values() for _, _, c in s) == detail["new_charges_cents"]
    assert detail["new_charges_cents"] < 0
    credit_balance = -4000 + detail["new_charges_cents"]
    assert closure["balance_cents"] == credit_balance
    assert closure["refund"]["refund_cents"] == -credit_balance
    assert closure["refund"]["credit_left_cents"] == 0
    pdf = session.get(system.url(f"/api/v1/accounts/{number}/statements/"
                                 f"{closure['final_invoice_number']}/pdf"), timeout=30)
    # (its "Final statement" title: tests/unit/billing/test_pdf_pages.py; the renderer runs
    # the installed package, which a worktree's shared venv points elsewhere)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # redelivered, retried: the refund is made once and the balance ends at 0
    assert _close(system, number, idempotency_key=idempotency_key).json() == closure
    assert _close(system, number).json() == closure
    eventually(lambda: summary(system, session, number)["balance_cents"] == 0, timeout=30)
    payment = session.get(system.url(f"/api/v1/accounts/{number}/payments/{paid['id']}"),
                          timeout=10).json()
    assert payment["refunded_cents"] == -credit_balance
    activity = session.get(system.url(f"/api/v1/accounts/{number}/activity"),
                           timeout=10).json()["items"]
    assert [a["amount_cents"] for a in activity if a["kind"] == "refund"] == [-credit_balance]
    assert session.get(system.url(f"/api/v1/accounts/{number}/payments/{scheduled['id']}"),
                       timeout=10).json()["status"] == "canceled"
    eventually(lambda: session.get(system.url(f"/api/v1/accounts/{number}/autopay"),
                                   timeout=10).json()["enabled"] is False)
    mail = mail_with(system, owner["email"], f"Account {number} is closed")[0]
    assert closure["final_invoice_number"] in text_of(mail)

    overview = system.staff().get(system.url(f"/internal/v1/accounts/{number}"),
                                  timeout=10).json()
    assert overview["status"] == "closed"
    assert overview["closure"]["final_invoice_number"] == closure["final_invoice_number"]
    shown = summary(system, session, number)
    assert shown["status"] == "closed" and shown["closure"]["effective_date"] == "2026-11-30"


def test_what_is_left_can_be_paid_and_a_closed_account_is_never_billed_again(system):
    owner, number, session = _billed_customer(system)
    closure = _close(system, number).json()
    left = closure["amount_due_cents"]
    assert left > 0 and closure["refund"]["due_cents"] == 0
    method = add_method(system, session, number, CARD)["id"]
    too_much = session.post(system.url(f"/api/v1/accounts/{number}/payments"), headers=key(),
                            json={"amount_cents": left + 100, "payment_method_id": method},
                            timeout=20)
    assert too_much.status_code == 422, too_much.text  # nothing new will be billed
    assert _pay(system, session, number, method, left)["status"] == "succeeded"
    eventually(lambda: summary(system, session, number)["balance_cents"] == 0)

    staff = system.staff()
    run = staff.post(system.url("/internal/v1/bill-runs"), timeout=60, json={
        "statement_date": "2026-12-15", "account_numbers": [number]})
    assert run.json() == {"statements_issued": 0}
    _problem(staff.post(system.url(f"/internal/v1/accounts/{number}/usage"),
                        json={"calls": CALLS}, timeout=20), 422)
    _problem(staff.post(system.url(f"/internal/v1/accounts/{number}/service-changes"),
                        json={"effective_date": "2026-12-01",
                              "changes": [{"code": "VOICE-LINE", "quantity": 1}]},
                        timeout=10), 422)
    _problem(session.post(system.url(f"/api/v1/accounts/{number}/service-changes"),
                          json={"changes": [{"code": "VOICE-LINE", "quantity": 1}]},
                          timeout=10), 422)
    credited = staff.post(system.url(f"/internal/v1/accounts/{number}/credits"), headers=key(),
                          json={"amount_cents": 100, "reason": "Goodwill"}, timeout=10)
    assert credited.status_code == 201, credited.text
    statements = session.get(system.url(f"/api/v1/accounts/{number}/statements"),
                             timeout=10).json()["items"]
    assert [s["statement_date"] for s in statements] == ["2026-11-30", "2026-11-15"]


def test_closure_refusals_are_problem_documents_that_change_nothing(system):
    _, number, session = _billed_customer(system)
    before = summary(system, session, number)
    _problem(_close(system, number, {**CLOSE, "effective_date": "2026-11-15"}), 422)
    _problem(_close(system, number, {**CLOSE, "effective_date": "2026-12-16"}), 422)
    _problem(_close(system, number, {"reason": "x"}), 400)
    _problem(_close(system, number, {**CLOSE, "reason": ""}), 400)
    no_key = system.staff().post(system.url(f"/internal/v1/accounts/{number}/closure"),
                                 json=CLOSE, timeout=10)
    _problem(no_key, 400)
    _problem(_close(system, "4000000000000002"), 404)
    as_customer = session.post(system.url(f"/internal/v1/accounts/{number}/closure"),
                               json=CLOSE, headers=key(), timeout=10)
    _problem(as_customer, 403)
    assert summary(system, session, number) == before
    assert _close(system, number).status_code == 201
    _problem(_close(system, number, {**CLOSE, "reason": "Another one"}), 409)


def test_staff_close_an_account_from_the_command_line_and_a_retry_answers_the_same(system):
    _, number, session = _billed_customer(system)

    def close_cli(*extra):
        return subprocess.run(
            [sys.executable, "-m", "services.billing.close_cli", number, "2026-11-30",
             "Moving to another provider", *extra], capture_output=True, text=True,
            timeout=120, env=system.env)
    done = close_cli("--key", "cli-key-1")
    assert done.returncode == 0, done.stderr
    closure = json.loads(done.stdout)
    assert closure["status"] == "closed" and "Idempotency-Key: cli-key-1" in done.stderr
    assert json.loads(close_cli().stdout) == closure  # another key, the same closure
    assert summary(system, session, number)["status"] == "closed"
    refused = subprocess.run(
        [sys.executable, "-m", "services.billing.close_cli", number, "2026-11-29", "Other"],
        capture_output=True, text=True, timeout=120, env=system.env)
    assert refused.returncode == 1 and "already closed" in refused.stderr
