"""Refunds end to end (issue 15): staff refund a customer's card payment through the gateway,
on the real services, broker and PostgreSQL and the sandbox processor; the ledger takes it
back, the payer is mailed, the customer sees it in their payment history, activity and
dashboard. And the attacks: a customer's token, another account's payment, an over-refund,
two refunds at once, a replayed key with another body."""
import threading
import uuid

import requests

from tests.support.auth_helpers import mail_with, text_of
from tests.support.payment_methods import CARD
from tests.support.api_client import add_method, billed, key, paid, summary
from tests.support.system import eventually

WHY = "Charged twice for the same invoice"


def paid_customer(system, amount=5000):
    """A billed account whose admin paid ``amount`` by card: ``(user, session, payment)``."""
    user, session, _statement = billed(system, "2026-11-15")
    number = user["account_number"]
    payment = paid(system, session, number, amount, add_method(system, session, number,
                                                               CARD)["id"])
    assert payment["status"] == "succeeded", payment
    return user, session, payment


def refund_path(system, number, payment_id):
    return system.url(f"/internal/v1/accounts/{number}/payments/{payment_id}/refunds")


def refund(system, number, payment_id, amount, idempotency_key=None, reason=WHY, **kwargs):
    return system.staff().post(refund_path(system, number, payment_id),
                               json={"amount_cents": amount, "reason": reason},
                               headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
                               timeout=20, **kwargs)


def test_a_refund_goes_back_on_the_balance_is_mailed_and_shows_to_the_customer(system):
    user, session, payment = paid_customer(system, 5000)
    number = user["account_number"]
    eventually(lambda: summary(system, session, number)["last_payment"])
    due = summary(system, session, number)["amount_due_cents"]

    given = refund(system, number, payment["id"], 1250)
    assert given.status_code == 201, given.text
    body = given.json()
    assert (body["status"], body["amount_cents"], body["payment_refunded_cents"],
            body["reason"]) == ("succeeded", 1250, 1250, WHY)

    def refunded_on_the_balance():
        """billing consumed payments.payment_refunded"""
        now = summary(system, session, number)
        return now if now["amount_due_cents"] == due + 1250 and now["last_refund"] else None
    now = eventually(refunded_on_the_balance)
    assert now["last_refund"]["amount_cents"] == 1250
    activity = session.get(system.url(f"/api/v1/accounts/{number}/activity"),
                           timeout=10).json()["items"]
    assert (activity[0]["kind"], activity[0]["amount_cents"]) == ("refund", 1250)
    shown = session.get(system.url(f"/api/v1/accounts/{number}/payments/{payment['id']}"),
                        timeout=10).json()
    assert (shown["status"], shown["refunded_cents"]) == ("succeeded", 1250)
    mail = mail_with(system, user["email"], "Refund of $12.50")[0]
    assert WHY in text_of(mail) and "4242" in mail["Subject"]


def test_a_customer_token_cannot_refund_and_another_accounts_payment_is_not_found(system):
    user, session, payment = paid_customer(system)
    number = user["account_number"]
    path = refund_path(system, number, payment["id"])
    body = {"amount_cents": 100, "reason": WHY}
    # the account's own admin, with their bearer token: staff only
    as_customer = session.post(path, json=body, headers=key(), timeout=10)
    assert as_customer.status_code == 403, as_customer.text
    assert as_customer.headers["Content-Type"].startswith("application/problem+json")
    anonymous = requests.post(path, json=body, headers=key(), timeout=10)
    assert anonymous.status_code == 401
    other, _session, _payment = paid_customer(system)
    elsewhere = refund(system, other["account_number"], payment["id"], 100)
    assert elsewhere.status_code == 404, elsewhere.text
    assert elsewhere.json()["type"].endswith("/not-found")
    no_key = system.staff().post(path, json=body, timeout=10)
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["errors"]
    for bad in ({"amount_cents": 0, "reason": WHY}, {"amount_cents": 100},
                {"amount_cents": "100", "reason": WHY}, {"amount_cents": 100, "reason": ""}):
        refused = system.staff().post(path, json=bad, headers=key(), timeout=10)
        assert refused.status_code == 400, (bad, refused.text)
    shown = session.get(system.url(f"/api/v1/accounts/{number}/payments/{payment['id']}"),
                        timeout=10).json()
    assert shown["refunded_cents"] == 0  # nothing above moved any money


def test_an_over_refund_is_refused_and_a_replayed_key_with_another_body_conflicts(system):
    user, _session, payment = paid_customer(system, 3000)
    number = user["account_number"]
    too_much = refund(system, number, payment["id"], 3001)
    assert too_much.status_code == 422, too_much.text
    assert "$30.00" in too_much.json()["detail"]
    first_key = str(uuid.uuid4())
    first = refund(system, number, payment["id"], 2000, first_key)
    assert first.status_code == 201 and first.json()["status"] == "succeeded"
    again = refund(system, number, payment["id"], 2000, first_key)
    assert again.status_code == 201 and again.json() == first.json()
    other_body = refund(system, number, payment["id"], 500, first_key)
    assert other_body.status_code == 409, other_body.text
    rest = refund(system, number, payment["id"], 1001)
    assert rest.status_code == 422 and "$10.00" in rest.json()["detail"]


def test_two_refunds_at_once_never_give_back_more_than_the_payment(system):
    user, session, payment = paid_customer(system, 4000)
    number = user["account_number"]
    answers = []

    def race():
        answers.append(refund(system, number, payment["id"], 3000).status_code)
    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 422, 422, 422]
    shown = session.get(system.url(f"/api/v1/accounts/{number}/payments/{payment['id']}"),
                        timeout=10).json()
    assert shown["refunded_cents"] == 3000
