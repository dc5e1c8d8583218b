"""Passkeys through the JSON API on the real system: registering one from a signed-in
session with the current password, signing in with it alone, using it as the second step
instead of a TOTP code (recovery codes still work), listing, renaming and removing, the
security alert mails, and the attacks: a replayed challenge, another user's challenge or
passkey, a Host the relying party does not answer for, a counter gone back, removing with a
stolen session only. The browser's side is tests/support/soft_authenticator (a real browser:
tests/browser/test_passkey_pages.py). The portal is reached as localhost (a Host header on
the loopback address): passkeys are bound to a host name, never to 127.0.0.1."""
import pyotp
import requests

from services.identity import totp

from tests.support.auth_helpers import PASSWORD, mails_to, new_user, text_of
from tests.support.passkey_portal import Portal, signed_in
from tests.support.soft_authenticator import SoftAuthenticator
from tests.support.system import eventually


def alerts(system, user, words):
    return [m for m in mails_to(system, user["email"]) if words in text_of(m)]


def test_a_passkey_registered_with_the_password_signs_in_alone(system):
    user = new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    refused = portal.call("POST", "/api/v1/me/passkeys/options",
                          json={"current_password": "not it at all"})
    assert refused.status_code == 400 and "current_password" in refused.json()["errors"]
    added = portal.register(device)
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Work laptop"

    tokens = Portal(system).passkey_sign_in(device)
    assert tokens.status_code == 200, tokens.text
    me = requests.get(system.url("/api/v1/me"), timeout=10, headers={
        "Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["username"] == user["username"]
    (listed,) = portal.call("GET", "/api/v1/me/passkeys").json()["items"]
    assert listed["id"] == added.json()["id"] and listed["last_used_at"]
    eventually(lambda: alerts(system, user, "passkey was added"))


def test_a_passkey_sign_in_refuses_replays_forgeries_and_other_hosts(system):
    user = new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    assert portal.register(device).status_code == 201
    anyone = Portal(system)
    answer = anyone.assertion(device)
    assert anyone.call("POST", "/api/v1/auth/passkey", json=answer).status_code == 200
    replayed = anyone.call("POST", "/api/v1/auth/passkey", json=answer)
    assert replayed.status_code == 400 and "challenge_id" in replayed.json()["errors"]
    for forged in ({"rp_id": "evil.example"}, {"count": 1}):
        refused = anyone.passkey_sign_in(device, **forged)
        assert refused.status_code == 401, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
    phished = Portal(system, host="evil.example")
    for path, body in (("/api/v1/auth/passkey/options", {}), ("/api/v1/auth/passkey", answer)):
        refused = phished.call("POST", path, json=body)
        assert refused.status_code == 400 and "host" in refused.json()["errors"]
    # an answer made at the loopback address (its origin) for localhost's challenge
    other_origin = anyone.assertion(device)
    refused = Portal(system, host=f"127.0.0.1:{system.port}").call(
        "POST", "/api/v1/auth/passkey", json=other_origin)
    assert refused.status_code == 401
    assert anyone.passkey_sign_in(device).status_code == 200  # the real one still works


def test_a_passkey_is_the_second_step_of_its_own_user_only_and_recovery_codes_still_work(
        system):
    user, other = new_user(system), new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    setup = portal.call("POST", "/api/v1/me/2fa/totp", json={"current_password": PASSWORD})
    assert setup.status_code == 200, setup.text
    confirmed = portal.call("POST", "/api/v1/me/2fa/totp/confirm", json={
        "code": pyotp.TOTP(setup.json()["secret"]).now(), "current_password": PASSWORD})
    assert confirmed.status_code == 204, confirmed.text
    assert portal.register(device).status_code == 201
    theirs = SoftAuthenticator()
    assert signed_in(system, other).register(theirs).status_code == 201

    anyone = Portal(system)
    login = {"username": user["username"], "password": PASSWORD}
    needed = anyone.call("POST", "/api/v1/auth/login", json=login)
    assert needed.status_code == 401 and needed.json()["detail"] == totp.NEEDED
    answer = anyone.assertion(device, "second_step")
    assert anyone.call("POST", "/api/v1/auth/login",
                       json={**login, "passkey": answer}).status_code == 200
    for passkey in (answer, anyone.assertion(theirs, "second_step"),
                    anyone.assertion(device, "sign_in")):
        refused = anyone.call("POST", "/api/v1/auth/login", json={**login, "passkey": passkey})
        assert refused.status_code == 401 and refused.json()["detail"] == totp.WRONG
    code = setup.json()["recovery_codes"][0]
    assert anyone.call("POST", "/api/v1/auth/login",
                       json={**login, "totp_code": code}).status_code == 200


def test_passkeys_are_renamed_and_removed_only_with_the_password(system):
    user, other = new_user(system), new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    passkey_id = portal.register(device).json()["id"]
    renamed = portal.call("PATCH", f"/api/v1/me/passkeys/{passkey_id}", json={"name": "Phone"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Phone"
    thief = signed_in(system, other)
    for method, body in (("PATCH", {"name": "Mine"}), ("DELETE", {"current_password": PASSWORD})):
        refused = thief.call(method, f"/api/v1/me/passkeys/{passkey_id}", json=body)
        assert refused.status_code == 404, refused.text
    stolen = portal.call("DELETE", f"/api/v1/me/passkeys/{passkey_id}",
                         json={"current_password": "a guess"})
    assert stolen.status_code == 400 and "current_password" in stolen.json()["errors"]
    missing = portal.call("DELETE", f"/api/v1/me/passkeys/{passkey_id}", json={})
    assert missing.status_code == 400
    assert [p["name"] for p in portal.call("GET", "/api/v1/me/passkeys").json()["items"]] == [
        "Phone"]
    removed = portal.call("DELETE", f"/api/v1/me/passkeys/{passkey_id}",
                          json={"current_password": PASSWORD})
    assert removed.status_code == 204
    assert portal.call("GET", "/api/v1/me/passkeys").json()["items"] == []
    assert Portal(system).passkey_sign_in(device).status_code == 401
    eventually(lambda: alerts(system, user, "passkey was removed")
               and alerts(system, user, "passkeys was renamed"))
