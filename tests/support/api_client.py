"""The running system's APIs as the end-to-end and browser tests call them, in the spirit of
cosmicpython's tests/e2e/api_client.py: one function for each request the tests make again
and again, so a test reads as what it does. A signed-in customer (signing up and in:
auth_helpers), usage to load and a bill run (staff), a payment method added, paying, the
account's payments, statements and summary, staff's overview of it, an Idempotency-Key.
Functions that must succeed assert it (with the answer's text); ``pay`` and ``load_usage``
hand back the response for tests that expect a refusal."""
import uuid
from datetime import date, timedelta

from tests.support.auth_helpers import bearer, new_user


def customer(system):
    """A new account (cycle day 15, two voice lines): ``(account_number, its admin's API
    session)``."""
    user = new_user(system)
    return user["account_number"], bearer(system, user["username"])


def billed(system, statement_date="2026-10-15"):
    """A new account billed once, its admin signed in: ``(user, session, statement)``."""
    user = new_user(system)
    bill(system, user["account_number"], statement_date)
    session = bearer(system, user["username"])
    [statement] = statements(system, session, user["account_number"])
    return user, session, statement


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


def pay(system, session, number, cents, method_id=None, *, headers=None, timeout=20,
        **fields):
    """Asks for a payment of ``cents`` (from ``method_id``; ``fields`` such as
    ``scheduled_for``, ``security_code``) under a new Idempotency-Key, or ``headers``' own:
    the response as it came, for a test that expects a refusal too."""
    body = {"amount_cents": cents, **fields}
    if method_id is not None:
        body["payment_method_id"] = method_id
    return session.post(system.url(f"/api/v1/accounts/{number}/payments"), json=body,
                        headers=key() if headers is None else headers, timeout=timeout)


def paid(system, session, number, cents, method_id, **fields):
    """A payment that was taken (201; succeeded, pending or scheduled): its JSON."""
    response = pay(system, session, number, cents, method_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def payments(system, session, number):
    """The account's payments, newest first (the first page)."""
    response = session.get(system.url(f"/api/v1/accounts/{number}/payments"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def statements(system, session, number):
    """The account's statements, newest first (the first page)."""
    response = session.get(system.url(f"/api/v1/accounts/{number}/statements"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def overview(system, number):
    """Staff's overview of one account (the desk's GET /internal/v1/accounts/{n})."""
    response = system.staff().get(system.url(f"/internal/v1/accounts/{number}"), timeout=20)
    assert response.status_code == 200, response.text
    return response.json()


def load_usage(system, number, usage):
    """Staff load ``usage`` (a list of calls, see ``calls``) onto the account: the response."""
    return system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                               json={"calls": usage}, timeout=30)


def payment_run(system, run_date):
    """A staff payment run on ``run_date`` (autopays due, bank debits settled or returned):
    its counts."""
    response = system.staff().post(system.url("/internal/v1/payment-runs"),
                                   json={"run_date": str(run_date)}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()
