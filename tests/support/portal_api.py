"""Billing and paying over the running system's APIs, as the end-to-end and browser tests set
them up: a signed-in customer, usage to load, a bill run for one account, a payment method
added, the account summary, an Idempotency-Key."""
import uuid
from datetime import date, timedelta

from tests.support.auth_helpers import bearer, new_user


def customer(system):
    """A new account (cycle day 15, two voice lines): ``(account_number, its admin's API
    session)``."""
    user = new_user(system)
    return user["account_number"], bearer(system, user["username"])


def calls(n):
    """``n`` calls of October 2026 for the usage API: local, long distance, international."""
    kinds = ["local", "long_distance", "international"]
    return [{"started_at": f"2026-10-{1 + i // 10:02d}T{10 + i % 10:02d}:15:00-05:00",
             "from_number": "+13125550188",
             "to_number": "+442071234567" if kinds[i % 3] == "international" else "+12125550147",
             "duration_seconds": 30 + 7 * i, "call_type": kinds[i % 3]} for i in range(n)]


def bill(system, number, statement_date="2026-10-15"):
    """A staff bill run for that one account, which issues its statement."""
    run = system.staff().post(system.url("/internal/v1/bill-runs"), json={
        "statement_date": statement_date, "account_numbers": [number]}, timeout=60)
    assert run.status_code == 200 and run.json() == {"statements_issued": 1}, run.text


def add_method(system, session, number, method):
    """A payment method added (tests/support/payment_methods); returns it."""
    response = session.post(system.url(f"/api/v1/accounts/{number}/payment-methods"),
                            json=method, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def summary(system, session, number):
    return session.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()


def key():
    return {"Idempotency-Key": str(uuid.uuid4())}


def last_cycle_date(day=15, today=None):
    """The latest date on or before today whose day is ``day`` (the e2e accounts' cycle
    day): billed then, today falls in the period its statement billed in advance."""
    today = today or date.today()
    if today.day >= day:
        return today.replace(day=day)
    return (today.replace(day=1) - timedelta(days=1)).replace(day=day)
