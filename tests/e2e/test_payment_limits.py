"""Payments in proportion end to end (issue 11, point 13): through the API, a payment may be
at most what the account owes plus one month ahead (the largest of its last three
statements); more is a 422 problem document and nothing is charged or recorded; with no
statement yet nothing beyond the balance can be paid."""
from datetime import date, timedelta

import pytest

from tests.support.payment_methods import CARD
from tests.support.api_client import add_method, bill, customer, pay, payments, summary


@pytest.fixture
def billed(system):
    number, session = customer(system)
    bill(system, number)
    return number, session


def test_more_than_owed_plus_a_month_ahead_is_a_422_and_charges_nothing(system, billed):
    number, session = billed
    due = summary(system, session, number)["amount_due_cents"]
    card = add_method(system, session, number, CARD)["id"]
    later = {"scheduled_for": (date.today() + timedelta(days=10)).isoformat()}
    for cents, extra in ((2 * due + 1, {}), (9_999_999, {}), (2 * due + 1, later)):
        refused = pay(system, session, number, cents, card, **extra)
        assert refused.status_code == 422, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
        problem = refused.json()
        assert problem["status"] == 422 and "at most $" in problem["detail"]
    assert payments(system, session, number) == []
    assert summary(system, session, number)["amount_due_cents"] == due
    ahead = pay(system, session, number, 2 * due, card)
    assert ahead.status_code == 201 and ahead.json()["status"] == "succeeded", ahead.text


def test_with_no_statement_yet_nothing_can_be_paid(system):
    number, session = customer(system)
    card = add_method(system, session, number, CARD)["id"]
    refused = pay(system, session, number, 100, card)
    assert refused.status_code == 422 and "Nothing can be paid" in refused.json()["detail"]
    assert payments(system, session, number) == []
