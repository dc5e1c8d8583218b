"""An outsider's probes of the account's life (issue 15) on the real system, beyond what each
feature's own tests refuse: a customer who disputes the same statement line again once it
was answered (credited twice over, or held back from late fees and autopay for ever by
dispute after rejected dispute), and one who disputes lines of long-paid statements to keep
this month's bill out of autopay. Who may call what is the authorisation matrix's
(tests/e2e/test_authorization_matrix.py)."""
import re

import requests

from tests.support.auth_helpers import PASSWORD, bearer, new_user
from tests.support.disputes import billed, lines_of, open_dispute, resolve
from tests.support.api_client import bill


def test_a_line_credited_in_full_cannot_be_disputed_and_credited_again(system):
    owner, number, admin, statement = billed(system)
    invoice = statement["invoice_number"]
    line = max(lines_of(admin, system, number, invoice), key=lambda l: l["amount_cents"])
    body = {"line_id": line["line_id"], "amount_cents": line["amount_cents"],
            "reason": "Not ours"}
    first = open_dispute(admin, system, number, invoice, body).json()
    assert resolve(system, first["id"], {"outcome": "credited", "note": "ok"}
                   ).status_code == 200
    again = open_dispute(admin, system, number, invoice, body)
    assert again.status_code == 409, again.text  # was 201: a second full credit to ask for
    assert again.headers["Content-Type"] == "application/problem+json"
    assert [d["id"] for d in admin.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                                       timeout=10).json()["items"]] == [first["id"]]


def test_a_rejected_dispute_is_not_reopened_to_hold_the_line_back_again(system):
    owner, number, admin, statement = billed(system)
    invoice = statement["invoice_number"]
    line = max(lines_of(admin, system, number, invoice), key=lambda l: l["amount_cents"])
    body = {"line_id": line["line_id"], "amount_cents": line["amount_cents"],
            "reason": "Not ours"}
    first = open_dispute(admin, system, number, invoice, body).json()
    assert resolve(system, first["id"], {"outcome": "rejected", "note": "Billed right"}
                   ).status_code == 200
    again = open_dispute(admin, system, number, invoice, body)
    assert again.status_code == 409, again.text
    allowance = system.staff().get(system.url(f"/internal/v1/accounts/{number}"),
                                   timeout=10).json()
    assert allowance["open_disputes"] == []  # nothing is held back any more


def test_only_the_two_latest_statements_may_be_disputed(system):
    owner = new_user(system)
    number = owner["account_number"]
    for day in ("2026-07-15", "2026-08-15", "2026-09-15"):
        bill(system, number, day)
    admin = bearer(system, owner["username"])
    old, middle, newest = sorted(
        admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                  timeout=10).json()["items"], key=lambda s: s["statement_date"])
    for statement, status in ((old, 422), (middle, 201), (newest, 201)):
        invoice = statement["invoice_number"]
        line = max(lines_of(admin, system, number, invoice), key=lambda l: l["amount_cents"])
        response = open_dispute(admin, system, number, invoice, {
            "line_id": line["line_id"], "amount_cents": line["amount_cents"], "reason": "old"})
        assert response.status_code == status, (statement["statement_date"], response.text)
        assert response.headers["Content-Type"].startswith(
            "application/problem+json" if status >= 400 else "application/json")
    # the statement page offers the form only where a dispute can be opened
    portal = requests.Session()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     portal.get(system.url("/"), timeout=10).text).group(1)
    assert portal.post(system.url("/"), timeout=10, data={
        "csrf_token": csrf, "username": owner["username"], "password": PASSWORD}
    ).url.endswith("/dashboard")
    pages = {s["statement_date"]: portal.get(system.url(f"/billing/{s['invoice_number']}"),
                                             timeout=10) for s in (old, newest)}
    assert all(page.status_code == 200 for page in pages.values())
    assert 'id="dispute-form"' not in pages[old["statement_date"]].text
