"""Invitations an admin can see and take back (issue 11 points 6 and 7), end to end on the
real services and gateway: the pending list, revoking one, an admin's invitations dying with
their admin role, and a token throttled after a few failed tries."""
import uuid

import requests

from tests.support.auth_helpers import (PASSWORD, bearer, invitation_token, invite_and_accept,
                                        new_user)


def send(system, admin, number, role="viewer"):
    email = f"guest-{uuid.uuid4().hex[:8]}@harbor.example"
    invited = admin.post(system.url(f"/api/v1/accounts/{number}/users"), timeout=10,
                         json={"email": email, "role": role, "current_password": PASSWORD})
    assert invited.status_code == 201, invited.text
    return email, invited.json()["id"], invitation_token(system, email)


def accept(system, token, username=None):
    return requests.post(system.url("/api/v1/invitations/accept"), json={
        "token": token, "username": username or f"guest.{uuid.uuid4().hex[:8]}",
        "password": PASSWORD, "first_name": "Lee", "last_name": "Park"}, timeout=10)


def test_an_admin_lists_pending_invitations_and_revokes_one(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    url = system.url(f"/api/v1/accounts/{number}/invitations")
    first_email, first_id, first_token = send(system, admin, number, "billing")
    second_email, second_id, second_token = send(system, admin, number)

    listed = admin.get(url, timeout=10)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["id"], i["email"], i["role"], i["invited_by"]) for i in items] == [
        (second_id, second_email, "viewer", owner["username"]),
        (first_id, first_email, "billing", owner["username"])]
    assert all(i["created_at"] < i["expires_at"] for i in items)
    assert listed.json()["next_cursor"] is None
    page = admin.get(url, params={"limit": 1}, timeout=10).json()
    assert [i["id"] for i in page["items"]] == [second_id] and page["next_cursor"]

    assert admin.delete(f"{url}/{first_id}", timeout=10).status_code == 204
    assert accept(system, first_token).status_code == 422
    assert admin.delete(f"{url}/{first_id}", timeout=10).status_code == 404
    assert [i["id"] for i in admin.get(url, timeout=10).json()["items"]] == [second_id]
    assert accept(system, second_token).status_code == 201
    assert admin.get(url, timeout=10).json()["items"] == []
    actions = [e["action"] for e in admin.get(system.url(f"/api/v1/accounts/{number}/audit"),
                                               timeout=10).json()["items"]]
    assert "invitation revoked" in actions


def test_an_admin_who_is_demoted_or_removed_takes_their_invitations_with_them(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    _, other_name, other_id = invite_and_accept(system, admin, number, "admin")
    other = bearer(system, other_name)
    _, _, demoted_token = send(system, other, number)
    users = system.url(f"/api/v1/accounts/{number}/users/{other_id}")
    assert admin.patch(users, json={"role": "viewer"}, timeout=10).status_code == 200
    refused = accept(system, demoted_token)
    assert refused.status_code == 422
    assert refused.json()["detail"] == accept(system, "not-a-token-" + "x" * 20).json()["detail"]

    assert admin.patch(users, json={"role": "admin"}, timeout=10).status_code == 200
    other = bearer(system, other_name)
    _, _, removed_token = send(system, other, number)
    assert admin.delete(users, timeout=10).status_code == 204
    assert accept(system, removed_token).status_code == 422
    assert admin.get(system.url(f"/api/v1/accounts/{number}/invitations"),
                     timeout=10).json()["items"] == []


def test_an_invitation_token_is_throttled_after_a_few_failed_tries(system):
    owner = new_user(system)
    admin = bearer(system, owner["username"])
    _, _, token = send(system, admin, owner["account_number"])
    taken = [accept(system, token, owner["username"]) for _ in range(5)]
    assert {r.status_code for r in taken} == {409}
    throttled = accept(system, token)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
