"""No card testing through the portal (outside probe of issue 11, point 13): every card or
bank account handed to the processor answers something about it (accepted, or declined
with a reason), and 25 tries in a row on one account were all answered. An account may try
so many methods an hour, declined ones included, and once so many of its payments were
declined in the hour a new payment is refused before the processor sees it: 429 with
Retry-After, on a fresh account so that no other test shares its allowance."""
from services.payments import carding
from tests.support.api_client import bill, customer, pay

CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Priya Natarajan", "postal_code": "60611"}
NOT_A_TEST_CARD = "4111111111111111"  # refused by the sandbox when added (422)
DECLINES = "4000000000000002"         # added, then every charge is declined


def test_an_account_may_try_only_so_many_cards_an_hour_declined_ones_included(system):
    number, session = customer(system)
    url = system.url(f"/api/v1/accounts/{number}/payment-methods")
    answers = [session.post(url, json=dict(CARD, card_number=NOT_A_TEST_CARD if i % 2 else
                                           CARD["card_number"]), timeout=10).status_code
               for i in range(carding.METHODS_PER_HOUR)]
    assert answers == [201, 422] * (carding.METHODS_PER_HOUR // 2), answers
    refused = session.post(url, json=CARD, timeout=10)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    # a malformed number never reaches the processor: still a 400 naming the field
    malformed = session.post(url, json=dict(CARD, card_number="4242424242424241"), timeout=10)
    assert malformed.status_code == 400, malformed.text


def test_payments_stop_after_so_many_declines_in_an_hour(system):
    number, session = customer(system)
    bill(system, number)
    method = session.post(system.url(f"/api/v1/accounts/{number}/payment-methods"),
                          json=dict(CARD, card_number=DECLINES), timeout=10)
    assert method.status_code == 201, method.text

    for _ in range(carding.FAILED_PER_HOUR):
        answer = pay(system, session, number, 100, method.json()["id"])
        assert answer.status_code == 201 and answer.json()["status"] == "failed", answer.text
    refused = pay(system, session, number, 100, method.json()["id"])
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    listed = session.get(system.url(f"/api/v1/accounts/{number}/payments?limit=100"),
                         timeout=10).json()["items"]
    assert len(listed) == carding.FAILED_PER_HOUR  # the refused one was never made
