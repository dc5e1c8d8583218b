"""Users and roles end to end: an admin invites a viewer by email, who accepts with the mailed
link, can read but not pay or manage, is promoted, then removed and locked out at once (a
token already issued included); the last admin cannot be demoted or removed; the audit trail
shows it all. The real services and gateway on the real broker and PostgreSQL."""
import requests

from tests.support.auth_helpers import (PASSWORD, bearer, invite_and_accept, login, mails_to,
                                        new_user)
from tests.support.payment_methods import CARD
from tests.support.system import eventually


def test_an_invited_viewer_reads_is_promoted_then_removed_and_locked_out(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    users_url = system.url(f"/api/v1/accounts/{number}/users")
    assert admin.post(users_url, json={"email": "not an email", "role": "viewer"},
                      timeout=10).status_code == 400
    assert admin.post(users_url, json={"email": "a@b.example", "role": "owner"},
                      timeout=10).status_code == 400
    token, username, user_id = invite_and_accept(system, admin, number, "viewer")
    again = requests.post(system.url("/api/v1/invitations/accept"), json={
        "token": token, "username": "someone.else", "password": PASSWORD, "first_name": "A",
        "last_name": "B"}, timeout=10)
    assert again.status_code == 422
    viewer = bearer(system, username)
    me = viewer.get(system.url("/api/v1/me"), timeout=10).json()
    assert me["accounts"] == [{"account_number": number, "company_name": owner["company_name"],
                               "role": "viewer"}]
    assert viewer.get(system.url(f"/api/v1/accounts/{number}/summary"),
                      timeout=10).status_code == 200
    assert viewer.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                       timeout=10).status_code == 403
    assert viewer.post(users_url, json={"email": "x@y.example", "role": "admin"},
                       timeout=10).status_code == 403
    assert viewer.get(system.url(f"/api/v1/accounts/{number}/audit"),
                      timeout=10).status_code == 403
    listed = {u["username"]: u["role"] for u in admin.get(users_url, timeout=10).json()["items"]}
    assert listed == {owner["username"]: "admin", username: "viewer"}

    promoted = admin.patch(f"{users_url}/{user_id}", json={"role": "billing"}, timeout=10)
    assert promoted.status_code == 200 and promoted.json()["role"] == "billing"
    assert viewer.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                       timeout=10).status_code == 201

    assert admin.delete(f"{users_url}/{user_id}", timeout=10).status_code == 204
    locked = viewer.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10)
    assert locked.status_code in (401, 404)
    eventually(lambda: viewer.get(system.url("/api/v1/me"), timeout=10).status_code == 401)
    assert login(system, username).status_code == 200  # the ID exists, with no account
    assert bearer(system, username).get(system.url(f"/api/v1/accounts/{number}/summary"),
                                        timeout=10).status_code == 404

    actions = [e["action"] for e in admin.get(system.url(f"/api/v1/accounts/{number}/audit"),
                                               timeout=10).json()["items"]]
    for expected in ("user invited", "user joined", "role changed", "user removed"):
        assert expected in actions
    assert any("security alert" in m["Subject"] for m in mails_to(system, owner["email"]))


def test_the_last_admin_cannot_be_demoted_or_removed(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    me = f"/api/v1/accounts/{number}/users/{owner['user_id']}"
    demoted = admin.patch(system.url(me), json={"role": "viewer"}, timeout=10)
    assert demoted.status_code == 409 and "last admin" in demoted.json()["detail"]
    assert admin.delete(system.url(me), timeout=10).status_code == 409
    _, _, other = invite_and_accept(system, admin, number, "admin")
    assert admin.patch(system.url(me), json={"role": "viewer"}, timeout=10).status_code == 200
    listed = {u["user_id"]: u["role"] for u in admin.get(
        system.url(f"/api/v1/accounts/{number}/users"), timeout=10).json()["items"]}
    assert listed == {owner["user_id"]: "viewer", other: "admin"}


def test_another_company_s_users_are_not_found(system):
    mine, theirs = new_user(system), new_user(system)
    admin = bearer(system, mine["username"])
    url = system.url(f"/api/v1/accounts/{theirs['account_number']}/users")
    assert admin.get(url, timeout=10).status_code == 404
    assert admin.post(url, json={"email": "a@b.example", "role": "admin"},
                      timeout=10).status_code == 404
    assert admin.delete(f"{url}/{theirs['user_id']}", timeout=10).status_code == 404
    assert requests.get(url, timeout=10).status_code == 401
