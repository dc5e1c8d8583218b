"""An attacker's view of many accounts under one online ID (issue 17 part 1), on the real
system: hostile bodies on POST /api/v1/me/accounts are 400s naming the field (never a 5xx,
never a link), and in the portal the switcher opens no account that is not the user's, sends
the browser to no other site and needs the CSRF token, while a forged multi-payment form
pays nothing on another company's account. Refused attempts come from an address of their
own (tests/support/client_addresses.py).

Also: a right key on an account that has an online ID answers and spends the sign-up
allowances exactly as a wrong key does; racing links (and a sign-up) of one account give it
one online ID; the account-linked alert holds no key and its every link opens a portal page;
a hostile company name stays text on the multi-account pages, whose payment form needs its
CSRF token; an account in credit owes nothing on every list and summary."""
import re
import threading
import uuid
from email import message_from_bytes, policy

import pytest
import requests

from tests.support.auth_helpers import (ACCOUNT, PASSWORD, bearer, mails_to, new_user,
                                        open_account, text_of)
from tests.support.client_addresses import client_at
from tests.support.payment_methods import CARD
from tests.support.api_client import add_method, bill, key, overview, paid, payments, summary
from tests.support.system import eventually


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def portal_session(system, username):
    """A browser-like session signed in to the portal as ``username``."""
    portal = requests.Session()
    form = portal.get(system.url("/"), timeout=10)
    signed_in = portal.post(system.url("/"), allow_redirects=False, timeout=10, data={
        "username": username, "password": PASSWORD, "csrf_token": csrf(form.text)})
    assert signed_in.status_code == 302
    return portal


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
    return {"user": user, "api": api, "portal": portal_session(system, user["username"])}


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
    assert payments(system, victim["api"], number) == []


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


# --- what linking tells a holder of a number and key, and how fast it lets them guess ------

def link_from(system, address_session, number, key):
    return address_session.post(system.url("/api/v1/me/accounts"), timeout=20,
                                json={"account_number": number, "security_key": key})


def signed_in_from(system, username, address=None):
    session = client_at(address)
    session.headers.update(bearer(system, username).headers)
    return session


def shape(response):
    """What a response says, but for what differs on every request."""
    headers = {k: v for k, v in response.headers.items()
               if k not in ("Date", "X-Request-ID", "Retry-After")}  # (seconds left: moves)
    body = {k: v for k, v in response.json().items() if k != "request_id"}
    return response.status_code, headers, body


def test_a_claimed_account_with_its_right_key_spends_the_allowances_as_a_wrong_key_does(
        system, attacker):
    """Per account number: ten tries an hour (its sign-up was one), then 429, whether the
    key was right (the account has an online ID) or wrong; every answer and header the same. Per address: a right key on a
    claimed account is a failure like any other (not given back as a success is)."""
    claimed, unclaimed = new_user(system), open_account(system)
    username = attacker["user"]["username"]
    # the claimed account's sign-up spent one of its number's ten: spend one on the other too
    assert client_at().post(system.url("/api/v1/signup"), timeout=20, json={
        "account_number": unclaimed["account_number"], "security_key": "WRONG2345",
        "username": f"some.one.{uuid.uuid4().hex[:6]}", "password": PASSWORD,
        "email": "someone@harbor.example", "first_name": "So", "last_name": "Me"}
    ).status_code == 422
    on_claimed = [link_from(system, signed_in_from(system, username),
                            claimed["account_number"], claimed["security_key"])
                  for _ in range(10)]
    on_wrong_key = [link_from(system, signed_in_from(system, username),
                              unclaimed["account_number"], "WRONG2345") for _ in range(10)]
    assert [r.status_code for r in on_claimed] == [422] * 9 + [429]
    assert [shape(r) for r in on_claimed] == [shape(r) for r in on_wrong_key]
    assert int(on_claimed[-1].headers["Retry-After"]) >= 1

    one_address = signed_in_from(system, username)
    spent = [link_from(system, one_address, c["account_number"], c["security_key"])
        for c in (new_user(system) for _ in range(10))] + [
        link_from(system, one_address, open_account(system)["account_number"], "WRONG2345")
        for _ in range(10)]
    assert [r.status_code for r in spent] == [422] * 20  # signup_ip: 20 failures an hour
    fresh = open_account(system)
    throttled = link_from(system, one_address, fresh["account_number"], fresh["security_key"])
    assert throttled.status_code == 429, throttled.text  # the claimed ones counted as failures
    assert len(attacker["api"].get(system.url("/api/v1/accounts"),
                                   timeout=10).json()["items"]) == 1


def test_racing_links_and_a_sign_up_of_one_account_give_it_one_online_id(system):
    """Two users linking the same account at once (twice each) and a sign-up with its key:
    one wins, every other answer is the one refusal (or sign-up's clash), none a 5xx."""
    target = open_account(system)
    number, key = target["account_number"], target["security_key"]
    racers = [signed_in_from(system, new_user(system)["username"]) for _ in range(2)]
    answers, start = [], threading.Barrier(5)

    def link_once(session):
        start.wait()
        answers.append(("link", link_from(system, session, number, key)))

    def sign_up():
        start.wait()
        answers.append(("signup", client_at().post(system.url("/api/v1/signup"), timeout=20,
                                                   json={"account_number": number,
                                                         "security_key": key,
                                                         "username": f"racer.{uuid.uuid4().hex[:8]}",
                                                         "password": PASSWORD,
                                                         "email": "racer@harbor.example",
                                                         "first_name": "Ra", "last_name": "Cer"})))
    threads = [threading.Thread(target=link_once, args=(s,)) for s in racers * 2] + [
        threading.Thread(target=sign_up)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for _, r in answers)
    assert statuses.count(201) == 1, [(k, r.status_code, r.text[:100]) for k, r in answers]
    assert set(statuses) <= {201, 409, 422}, statuses
    assert [u["role"] for u in overview(system, number)["users"]] == ["admin"]


def test_the_account_linked_alert_holds_no_key_and_every_link_in_it_opens_a_portal_page(
        system):
    owner, other = new_user(system), open_account(system)
    api = bearer(system, owner["username"])
    assert link_from(system, api, other["account_number"], other["security_key"]) \
        .status_code == 201

    def alerted():
        """the alert about this link reached the user's mailbox"""
        return [m for m in mails_to(system, owner["email"])
                if other["account_number"] in text_of(m)]
    raw = eventually(alerted)[-1].as_bytes()
    mail = message_from_bytes(raw, policy=policy.default)
    parts = [p.get_content() for p in mail.walk() if p.get_content_type() in (
        "text/plain", "text/html")]
    assert len(parts) == 2
    assert other["security_key"] not in raw.decode("latin-1")
    assert not any(other["security_key"] in part for part in parts)
    links = set()
    for part in parts:
        links |= set(re.findall(r'https?://[^\s"<>]+', part))
    assert links, parts
    for link in links:
        assert link.startswith(system.base_url), link  # this portal, not another site
        assert "token=" not in link and other["account_number"] not in link
        opened = requests.get(link, timeout=10)
        assert opened.status_code == 200 and opened.url.startswith(system.base_url), link
        assert 'name="csrf_token"' in opened.text  # a portal page with its form


# --- the portal's pages under a hostile company name ---------------------------------------

HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>{{7*7}}'


def test_a_hostile_company_name_stays_text_on_every_multi_account_page(system):
    owner = new_user(system)
    api = bearer(system, owner["username"])
    opened = system.staff().post(system.url("/internal/v1/accounts"), timeout=20, json={
        **ACCOUNT, "company_name": HOSTILE, "email": f"{uuid.uuid4().hex[:8]}@x.example"})
    assert opened.status_code == 201, opened.text
    hostile = opened.json()
    assert link_from(system, api, hostile["account_number"], hostile["security_key"]) \
        .status_code == 201
    for number in (owner["account_number"], hostile["account_number"]):
        bill(system, number, "2026-11-15")
        add_method(system, api, number, CARD)
    portal = portal_session(system, owner["username"])

    form = portal.get(system.url("/accounts/pay"), timeout=20)
    rows = dict(re.findall(r'name="key-(\d+)" value="([^"]+)"', form.text))
    methods = dict(re.findall(r'name="method-(\d+)">\s*<option value="([^"]+)"', form.text))
    data = {"csrf_token": csrf(form.text)}
    for number, idempotency_key in rows.items():
        data.update({f"key-{number}": idempotency_key, f"amount-{number}": "1.00",
                     f"method-{number}": methods[number]})
    data[f"amount-{owner['account_number']}"] = "<b>1</b>"  # refused, its words shown
    forged = portal.post(system.url("/accounts/pay"), allow_redirects=False, timeout=20,
                         data={k: v for k, v in data.items() if k != "csrf_token"})
    assert forged.status_code == 400  # a cross-site form cannot pay
    assert api.get(system.url(f"/api/v1/accounts/{hostile['account_number']}/payments"),
                   timeout=10).json()["items"] == []
    confirmation = portal.post(system.url("/accounts/pay"), data=data, timeout=30)
    assert confirmation.url.endswith("/accounts/pay/confirmation")
    assert "Paid $1.00" in confirmation.text and "&lt;script&gt;alert(1)" in confirmation.text

    pages = [form, confirmation] + [portal.get(system.url(path), timeout=20)
                                    for path in ("/accounts", "/dashboard")]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
        assert "<b>1</b>" not in page.text
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


# --- what an account in credit owes -------------------------------------------------------

def test_an_account_in_credit_owes_nothing_on_every_list_and_summary(system):
    owner = new_user(system)
    api = bearer(system, owner["username"])
    number = owner["account_number"]
    bill(system, number, "2026-11-15")
    method = add_method(system, api, number, CARD)
    due = summary(system, api, number)["amount_due_cents"]
    assert paid(system, api, number, 2 * due - 100, method["id"])["status"] == "succeeded"

    eventually(lambda: summary(system, api, number)["balance_cents"] == 100 - due)
    assert summary(system, api, number)["amount_due_cents"] == 0
    [listed] = api.get(system.url("/api/v1/accounts"), timeout=10).json()["items"]
    assert listed["amount_due_cents"] == 0
    staff = overview(system, number)
    assert staff["amount_due_cents"] == 0 and staff["balance_cents"] == 100 - due
    page = portal_session(system, owner["username"]).get(system.url("/accounts"), timeout=20)
    assert "-$" not in page.text and "$-" not in page.text


# --- one submit, one guess at the security code -------------------------------------------

def test_a_wrong_security_code_on_the_multi_payment_form_costs_one_guess_not_one_per_account(
        system):
    owner = new_user(system)
    api = bearer(system, owner["username"])
    numbers = [owner["account_number"]]
    for _ in range(2):
        other = open_account(system)
        assert link_from(system, api, other["account_number"], other["security_key"]) \
            .status_code == 201
        numbers.append(other["account_number"])
    for number in numbers:
        bill(system, number, "2026-11-15")
        add_method(system, api, number, CARD)
    assert api.put(system.url("/api/v1/me/security-code"), timeout=10, json={
        "current_password": PASSWORD, "security_code": "4821"}).status_code == 204
    assert api.patch(system.url("/api/v1/me/security-preferences"), timeout=10, json={
        "require_security_code_for_payments": True}).status_code == 200
    portal = portal_session(system, owner["username"])

    form = portal.get(system.url("/accounts/pay"), timeout=20)
    rows = dict(re.findall(r'name="key-(\d+)" value="([^"]+)"', form.text))
    methods = dict(re.findall(r'name="method-(\d+)">\s*<option value="([^"]+)"', form.text))
    data = {"csrf_token": csrf(form.text), "security_code": "1111"}
    for number in numbers:
        data.update({f"key-{number}": rows[number], f"amount-{number}": "1.00",
                     f"method-{number}": methods[number]})
    confirmation = portal.post(system.url("/accounts/pay"), data=data, timeout=30)
    assert confirmation.text.count("The security code is not correct.") == 1
    assert confirmation.text.count("was not tried again") == 2
    for number in numbers:
        assert payments(system, api, number) == []

    # one wrong guess spent: three more wrong ones still leave the right code its payment
    # (had each account counted a guess, this would be the sixth wrong code: throttled)
    method = methods[numbers[0]]
    for _ in range(3):
        wrong = api.post(system.url(f"/api/v1/accounts/{numbers[0]}/payments"), timeout=10,
                         headers=key(), json={
                             "amount_cents": 100, "payment_method_id": method,
                             "security_code": "2222"})
        assert wrong.status_code == 422, wrong.text
    right = api.post(system.url(f"/api/v1/accounts/{numbers[0]}/payments"), timeout=10,
                     headers=key(), json={
                         "amount_cents": 100, "payment_method_id": method,
                         "security_code": "4821"})
    assert right.status_code == 201 and right.json()["status"] == "succeeded", right.text
