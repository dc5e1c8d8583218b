"""Disputing statement lines through the gateway, as the e2e tests do: an account billed
once, its statement's lines, a dispute opened by a customer and resolved by staff."""
from tests.support import api_client


def lines_of(session, system, number, invoice):
    detail = session.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}"),
                         timeout=10).json()
    return [line for section in detail["sections"] for line in section["lines"]]


def billed(system):
    """``(owner, account number, the owner's API session, its one statement)``."""
    owner, admin, statement = api_client.billed(system)
    return owner, owner["account_number"], admin, statement


def open_dispute(session, system, number, invoice, body):
    return session.post(system.url(
        f"/api/v1/accounts/{number}/statements/{invoice}/disputes"), json=body, timeout=10)


def resolve(system, dispute_id, body):
    return system.staff().post(system.url(f"/internal/v1/disputes/{dispute_id}/resolution"),
                               json=body, timeout=10)
