"""Many accounts under one online ID (issue 17 part 1), end to end on the real services and
gateway: linking another account with its number and invoice key, the one refusal for a
claimed account or a wrong key, sign-up's throttle, the account list with what each owes
(from one billing RPC), and roles that stay per account. Refused attempts are sent from an
address of their own (tests/support/client_addresses.py), so they spend nothing of
127.0.0.1's sign-up allowance."""
import requests

from tests.support.auth_helpers import (PASSWORD, bearer, invite_and_accept, mails_to, new_user,
                                        open_account, text_of)
from tests.support.api_client import bill
from tests.support.client_addresses import client_at
from tests.support.system import eventually

GENERIC = "We could not match that account number and security key."


def link(session, system, opened, **changes):
    body = {"account_number": opened["account_number"],
            "security_key": opened["security_key"], **changes}
    return session.post(system.url("/api/v1/me/accounts"), json=body, timeout=10)


def signed_in_at(system, username):
    """``username``'s bearer session, connecting from an address of its own."""
    session = client_at()
    session.headers.update(bearer(system, username).headers)
    return session


def signup_refusal(system):
    """What sign-up answers for a wrong key: the refusal linking must repeat word for word."""
    opened = open_account(system)
    response = client_at().post(system.url("/api/v1/signup"), timeout=10, json={
        "account_number": opened["account_number"], "security_key": "WRONG2345",
        "username": "nobody.here", "password": PASSWORD, "email": "nobody@harbor.example",
        "first_name": "No", "last_name": "Body"})
    assert response.status_code == 422, response.text
    return response.json()


def test_a_signed_in_user_links_an_account_without_an_online_id_and_is_alerted(system):
    owner = new_user(system)
    session = bearer(system, owner["username"])
    second = open_account(system)

    linked = link(session, system, second)

    assert linked.status_code == 201, linked.text
    assert linked.json() == {"account_number": second["account_number"], "role": "admin"}
    assert second["security_key"] not in linked.text
    accounts = session.get(system.url("/api/v1/accounts"), timeout=10).json()["items"]
    assert [(a["account_number"], a["role"], a["company_name"]) for a in accounts] == [
        (owner["account_number"], "admin", owner["company_name"]),
        (second["account_number"], "admin", second["company_name"])]
    me = session.get(system.url("/api/v1/me"), timeout=10).json()
    assert {a["account_number"] for a in me["accounts"]} == {
        owner["account_number"], second["account_number"]}
    summary = session.get(system.url(
        f"/api/v1/accounts/{second['account_number']}/summary"), timeout=10)
    assert summary.status_code == 200  # the new account opens to its admin at once

    def alerted():
        """the security alert reached the user's mailbox"""
        return [m for m in mails_to(system, owner["email"])
                if second["account_number"] in text_of(m)]
    mail = eventually(alerted)[-1]
    assert "Another account was added to your online ID" in text_of(mail)
    assert second["security_key"] not in text_of(mail)


def test_an_account_that_has_an_online_id_is_refused_as_a_wrong_key_is(system):
    expected = signup_refusal(system)
    assert expected["detail"].startswith(GENERIC)
    first, second = new_user(system), new_user(system)
    session = signed_in_at(system, first["username"])
    refusals = [
        link(session, system, second),  # someone else's account, with its right key
        link(session, system, first),   # one's own account again
        link(session, system, open_account(system), security_key="WRONG2345"),
        link(session, system, {"account_number": "4000000000000002",
                               "security_key": "ZZZZ9999"})]  # no such account
    for refused in refusals:
        assert refused.status_code == 422, refused.text
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert {k: refused.json()[k] for k in ("type", "title", "status", "detail")} == {
            k: expected[k] for k in ("type", "title", "status", "detail")}
    assert [a["account_number"] for a in session.get(system.url("/api/v1/accounts"),
                                                     timeout=10).json()["items"]] == [
        first["account_number"]]
    assert requests.post(system.url("/api/v1/me/accounts"), timeout=10, json={
        "account_number": second["account_number"],
        "security_key": second["security_key"]}).status_code == 401  # signed in first
    bad = link(session, system, {"account_number": "12", "security_key": ""})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {
        "account_number", "security_key"}


def test_links_are_throttled_per_account_number_like_sign_up(system):
    user = new_user(system)
    target = open_account(system)
    answers = [link(signed_in_at(system, user["username"]), system, target,
                    security_key=f"WRONG{n:03}").status_code for n in range(10)]
    assert answers == [422] * 10
    throttled = link(signed_in_at(system, user["username"]), system, target)  # the right key
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    signup = client_at().post(system.url("/api/v1/signup"), timeout=10, json={
        "account_number": target["account_number"], "security_key": target["security_key"],
        "username": "late.comer", "password": PASSWORD, "email": "late@harbor.example",
        "first_name": "Late", "last_name": "Comer"})
    assert signup.status_code == 429  # one allowance for both ways in


def test_the_account_list_shows_what_each_account_owes_and_by_when(system):
    owner = new_user(system)
    session = bearer(system, owner["username"])
    second = open_account(system)
    assert link(session, system, second).status_code == 201
    bill(system, owner["account_number"])

    items = {a["account_number"]: a for a in session.get(
        system.url("/api/v1/accounts"), timeout=10).json()["items"]}

    billed = session.get(system.url(f"/api/v1/accounts/{owner['account_number']}/summary"),
                         timeout=10).json()
    assert billed["amount_due_cents"] > 0
    assert items[owner["account_number"]]["amount_due_cents"] == billed["amount_due_cents"]
    assert items[owner["account_number"]]["due_date"] == billed["due_date"] is not None
    assert items[owner["account_number"]]["currency"] == "USD"
    assert items[second["account_number"]]["amount_due_cents"] == 0
    assert items[second["account_number"]]["due_date"] is None  # not billed yet


def test_roles_stay_per_account_for_a_user_of_two_accounts(system):
    owner = new_user(system)
    admin = bearer(system, owner["username"])
    _, username, _ = invite_and_accept(system, admin, owner["account_number"], "viewer")
    own = open_account(system)
    user = bearer(system, username)
    assert link(user, system, own).status_code == 201
    roles = {a["account_number"]: a["role"] for a in user.get(
        system.url("/api/v1/accounts"), timeout=10).json()["items"]}
    assert roles == {owner["account_number"]: "viewer", own["account_number"]: "admin"}

    change = {"company_name": "Renamed By Its Admin"}
    mine = user.patch(system.url(f"/api/v1/accounts/{own['account_number']}/profile"),
                      json=change, timeout=10)
    assert mine.status_code == 200, mine.text
    theirs = user.patch(system.url(f"/api/v1/accounts/{owner['account_number']}/profile"),
                        json=change, timeout=10)
    assert theirs.status_code == 403
    invited = user.post(system.url(f"/api/v1/accounts/{owner['account_number']}/users"),
                        json={"email": "x@harbor.example", "role": "admin",
                              "current_password": PASSWORD}, timeout=10)
    assert invited.status_code == 403
    assert admin.get(system.url(f"/api/v1/accounts/{owner['account_number']}/profile"),
                     timeout=10).json()["company_name"] == owner["company_name"]
