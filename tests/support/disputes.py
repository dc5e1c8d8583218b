"""Disputing statement lines through the gateway, as the e2e tests do: an account billed
once, its statement's lines, a dispute opened by a customer and resolved by staff."""
from tests.support.auth_helpers import bearer, new_user
from tests.support.portal_api import bill


def lines_of(session, system, number, invoice):
    detail = session.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}"),
                         timeout=10).json()
    return [line for section in detail["sections"] for line in section["lines"]]


def billed(system):
    owner = new_user(system)
    number = owner["account_number"]
    bill(system, number, "2026-10-15")
    admin = bearer(system, owner["username"])
    [statement] = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                            timeout=10).json()["items"]
    return owner, number, admin, statement


def open_dispute(session, system, number, invoice, body):
    return session.post(system.url(
        f"/api/v1/accounts/{number}/statements/{invoice}/disputes"), json=body, timeout=10)


def resolve(system, dispute_id, body):
    return system.staff().post(system.url(f"/internal/v1/disputes/{dispute_id}/resolution"),
                               json=body, timeout=10)
