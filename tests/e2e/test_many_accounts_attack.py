"""An attacker's view of many accounts under one online ID (issue 17 part 1), on the real
system: hostile bodies on POST /api/v1/me/accounts are 400s naming the field (never a 5xx,
never a link), and in the portal the switcher opens no account that is not the user's, sends
the browser to no other site and needs the CSRF token, while a forged multi-payment form
pays nothing on another company's account. Refused attempts come from an address of their
own (tests/support/client_addresses.py)."""
import re
import uuid

import pytest
import requests

from tests.support.auth_helpers import PASSWORD, bearer, new_user, open_account
from tests.support.client_addresses import client_at


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def victim(system):
    """Another company: its admin, with a card, and what the attacker may know of it."""
    user = new_user(system)
    api = bearer(system, user["username"])
    number = user["account_number"]
    card = api.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), timeout=10,
                    json={"type": "card", "card_number": "4242424242424242", "exp_month": 12,
                          "exp_year": 2031, "cvc": "123", "name": "Ana Ruiz",
                          "postal_code": "10004"})
    assert card.status_code == 201, card.text
    return {"user": user, "api": api, "number": number, "method_id": card.json()["id"]}


@pytest.fixture(scope="module")
def attacker(system):
    """A customer of their own account: an API session and a signed-in portal session."""
    user = new_user(system)
    api = client_at()
    api.headers.update(bearer(system, user["username"]).headers)
    portal = requests.Session()
    form = portal.get(system.url("/"), timeout=10)
    signed_in = portal.post(system.url("/"), allow_redirects=False, timeout=10, data={
        "username": user["username"], "password": PASSWORD, "csrf_token": csrf(form.text)})
    assert signed_in.status_code == 302
    return {"user": user, "api": api, "portal": portal}


@pytest.mark.parametrize("body, field", [
    ({"account_number": "4929000000000006\n", "security_key": "ABCD2345"}, "account_number"),
    ({"account_number": "\u0664\u0669\u0662\u0669" + "0" * 12, "security_key": "K"},
     "account_number"),
    ({"account_number": 4929000000000006, "security_key": "ABCD2345"}, "account_number"),
    ({"account_number": "4929000000000006", "security_key": "AB\x00CD"}, "security_key"),
    ({"account_number": "4929000000000006", "security_key": "K" * 5000}, "security_key"),
    ({"account_number": "4929000000000006", "security_key": ["ABCD2345"]}, "security_key"),
    ({"account_number": "4929000000000006", "security_key": "ABCD2345", "role": "admin",
      "user_id": "someone-else"}, None),
])
def test_a_hostile_link_body_is_a_400_and_links_nothing(system, attacker, body, field):
    response = attacker["api"].post(system.url("/api/v1/me/accounts"), json=body, timeout=10)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    if field:
        assert field in response.json()["errors"], response.json()
    else:  # unknown fields are refused, not obeyed: no choosing one's role or whose ID
        assert set(response.json()["errors"]) >= {"role", "user_id"}
    assert len(attacker["api"].get(system.url("/api/v1/accounts"),
                                   timeout=10).json()["items"]) == 1


def test_a_body_that_is_not_an_object_is_a_400(system, attacker):
    for body in (["4929000000000006", "K"], "4929000000000006", None):
        response = attacker["api"].post(system.url("/api/v1/me/accounts"), json=body,
                                        timeout=10)
        assert response.status_code == 400, response.text[:300]


def test_the_switcher_opens_no_other_companys_account_and_sends_nowhere_else(system, attacker,
                                                                            victim):
    portal = attacker["portal"]
    page = portal.get(system.url("/dashboard"), timeout=10)
    assert victim["number"] not in page.text
    token = csrf(page.text)
    refused = portal.post(system.url("/accounts/switch"), allow_redirects=False, timeout=10,
                          data={"account_number": victim["number"], "next": "/dashboard",
                                "csrf_token": token})
    assert refused.status_code == 404
    after = portal.get(system.url("/dashboard"), timeout=10).text
    assert attacker["user"]["account_number"] in after and victim["number"] not in after
    assert victim["user"]["company_name"] not in after
    away = portal.post(system.url("/accounts/switch"), allow_redirects=False, timeout=10,
                       data={"account_number": attacker["user"]["account_number"],
                             "next": "//evil.example/x", "csrf_token": token})
    assert away.status_code == 302 and away.headers["Location"] == "/dashboard"
    forged = portal.post(system.url("/accounts/switch"), allow_redirects=False, timeout=10,
                         data={"account_number": attacker["user"]["account_number"]})
    assert forged.status_code == 400  # no CSRF token: a cross-site form cannot switch


def test_a_forged_multi_payment_form_pays_nothing_on_another_companys_account(system,
                                                                             attacker,
                                                                             victim):
    portal = attacker["portal"]
    page = portal.get(system.url("/accounts/pay"), timeout=10)
    assert page.status_code == 200
    number = victim["number"]
    answer = portal.post(system.url("/accounts/pay"), allow_redirects=False, timeout=10, data={
        f"amount-{number}": "5.00", f"method-{number}": victim["method_id"],
        f"key-{number}": str(uuid.uuid4()), "csrf_token": csrf(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/accounts/pay")
    assert victim["api"].get(system.url(f"/api/v1/accounts/{number}/payments"),
                             timeout=10).json()["items"] == []


def test_linking_an_account_needs_a_signed_in_portal_session_and_the_csrf_token(system,
                                                                               attacker):
    target = open_account(system)
    signed_out = requests.post(system.url("/accounts/link"), allow_redirects=False, timeout=10,
                               data={"account_number": target["account_number"],
                                     "security_key": target["security_key"]})
    assert signed_out.status_code == 400  # no session, so no CSRF token: refused first
    forged = attacker["portal"].post(system.url("/accounts/link"), allow_redirects=False,
                                     timeout=10, data={
                                         "account_number": target["account_number"],
                                         "security_key": target["security_key"]})
    assert forged.status_code == 400
    assert len(attacker["api"].get(system.url("/api/v1/accounts"),
                                   timeout=10).json()["items"]) == 1
