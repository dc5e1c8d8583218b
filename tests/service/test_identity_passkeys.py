"""Passkeys in identity, in a nameko container on a real broker and database (SQLite and
PostgreSQL): registering one (the current password first), signing in with it alone or as
the second step instead of a TOTP code, listing, renaming and removing, with the attacks on
each (a replayed or another user's challenge, another site's origin or RP id, a counter that
went back, another user's passkey). The browser's side is tests/support/soft_authenticator;
billing and notifications are fakes (tests/support/identity_service.py); alerts are read
from identity's outbox."""
import json

import pyotp
import pytest

from services.contracts.errors import Conflict, InvalidInput, NotFound, Throttled, Unauthenticated
from services.identity import passkeys, throttle
from services.identity.service_passkeys import PASSKEY_REFUSED
from tests.support.containers import rows
from tests.support.containers import hook as rpc
from tests.support.identity_service import (OTHER_ACCOUNT, PASSWORD, from_ip, signup_request,
                                            start_identity)
from tests.support.soft_authenticator import SoftAuthenticator

RP = {"id": "localhost", "origin": "http://localhost:8080", "name": "BizPortal"}
WHERE = {"ip": "203.0.113.9", "user_agent": "pytest"}


def outbox(container, event_type):
    return [json.loads(body)["data"] for (body,) in rows(
        container, "SELECT body FROM outbox WHERE event_type = :t ORDER BY created_at",
        t=event_type)]


@pytest.fixture
def identity(start_service):
    return start_identity(start_service)


def register(identity, user_id, device, name="Work laptop", rp=RP):
    started = rpc(identity, "start_passkey_registration", user_id, PASSWORD, rp)
    credential = device.create(started["options"], rp["origin"])
    return rpc(identity, "add_passkey", user_id, started["challenge_id"], credential, name, rp,
               actor=WHERE)


def assertion(identity, device, purpose="sign_in", origin=RP["origin"], **forged):
    started = rpc(identity, "start_passkey_sign_in", RP, purpose)
    return started["challenge_id"], device.get(started["options"], origin, **forged)


def passkey_sign_in(identity, device, **forged):
    challenge_id, credential = assertion(identity, device, **forged)
    return rpc(identity, "sign_in_with_passkey", challenge_id, credential, RP,
               actor=from_ip("198.51.100.7", "Chrome/131"))


def test_a_registered_passkey_signs_in_without_a_password_and_is_alerted(identity):
    device = SoftAuthenticator()
    added = register(identity, identity.admin, device)
    assert set(added) == {"id", "name", "created_at", "last_used_at", "transports"}
    assert (added["name"], added["last_used_at"], added["transports"]) == (
        "Work laptop", None, ["internal"])

    signed_in = passkey_sign_in(identity, device)
    assert signed_in["user_id"] == identity.admin and signed_in["username"] == "sam.lee"
    assert rpc(identity, "get_session", signed_in["session_id"])["active"]
    (listed,) = rpc(identity, "list_passkeys", identity.admin)["items"]
    assert listed["last_used_at"] is not None
    assert outbox(identity, "identity.security_settings_changed") == [
        {"user_id": identity.admin, "what": "passkey_added"}]
    (alert,) = outbox(identity, "identity.security_alert_raised")
    assert "passkey was added" in alert["what"] and alert["ip"] == "203.0.113.9"
    assert outbox(identity, "identity.signed_in")[-1]["ip"] == "198.51.100.7"
    stored = rows(identity, "SELECT public_key, sign_count FROM passkeys")
    assert stored[0][1] == 1  # the counter the authenticator sent


def test_registering_needs_the_current_password_and_the_users_own_fresh_challenge(identity):
    device = SoftAuthenticator()
    for wrong in (None, "not my password"):
        with pytest.raises(InvalidInput) as refused:
            rpc(identity, "start_passkey_registration", identity.admin, wrong, RP)
        assert "current_password" in refused.value.errors
    other = rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT,
                                                   username="kim.ortiz",
                                                   email="kim@bluebird.example"))["user_id"]
    started = rpc(identity, "start_passkey_registration", identity.admin, PASSWORD, RP)
    credential = device.create(started["options"], RP["origin"])
    with pytest.raises(InvalidInput) as refused:  # another user's challenge
        rpc(identity, "add_passkey", other, started["challenge_id"], credential, "Mine", RP)
    assert "challenge_id" in refused.value.errors
    rpc(identity, "add_passkey", identity.admin, started["challenge_id"], credential, "Key", RP)
    with pytest.raises(InvalidInput):  # replayed: single use
        rpc(identity, "add_passkey", identity.admin, started["challenge_id"], credential,
            "Key", RP)
    assert rpc(identity, "list_passkeys", other)["items"] == []
    assert len(rpc(identity, "list_passkeys", identity.admin)["items"]) == 1


def test_a_credential_made_for_another_origin_or_already_registered_is_refused(identity):
    device = SoftAuthenticator()
    started = rpc(identity, "start_passkey_registration", identity.admin, PASSWORD, RP)
    phished = device.create(started["options"], "http://evil.example")
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "add_passkey", identity.admin, started["challenge_id"], phished, "x", RP)
    assert refused.value.errors == {"credential": [passkeys.NOT_VERIFIED]}
    with pytest.raises(InvalidInput):  # the failed attempt spent the challenge
        rpc(identity, "add_passkey", identity.admin, started["challenge_id"],
            device.create(started["options"], RP["origin"]), "x", RP)
    started = rpc(identity, "start_passkey_registration", identity.admin, PASSWORD, RP)
    with pytest.raises(InvalidInput):  # not a credential at all
        rpc(identity, "add_passkey", identity.admin, started["challenge_id"],
            {"id": "AAAA", "response": {"clientDataJSON": "%%%"}}, "x", RP)
    first = register(identity, identity.admin, device)
    registered = list(device.credentials)[-1]
    started = rpc(identity, "start_passkey_registration", identity.admin, PASSWORD, RP)
    assert [c["id"] for c in started["options"]["excludeCredentials"]] == [registered]
    # the same credential registered again (a browser would refuse: excludeCredentials)
    again = device.create(started["options"], RP["origin"], credential_id=registered)
    with pytest.raises(Conflict):
        rpc(identity, "add_passkey", identity.admin, started["challenge_id"], again, "x", RP)
    assert [p["id"] for p in rpc(identity, "list_passkeys", identity.admin)["items"]] == [
        first["id"]]


def test_a_passkey_sign_in_refuses_replays_other_sites_and_a_counter_gone_back(identity):
    device = SoftAuthenticator()
    register(identity, identity.admin, device)
    challenge_id, credential = assertion(identity, device)
    rpc(identity, "sign_in_with_passkey", challenge_id, credential, RP)
    with pytest.raises(InvalidInput):  # the same answer again: the challenge is spent
        rpc(identity, "sign_in_with_passkey", challenge_id, credential, RP)
    cases = [dict(origin="http://evil.example"), dict(rp_id="evil.example"), dict(count=1),
             dict(user_verified=False)]
    for forged in cases:
        with pytest.raises(Unauthenticated) as refused:
            passkey_sign_in(identity, device, **forged)
        assert refused.value.detail == PASSKEY_REFUSED  # one answer for every forgery
    challenge_id, credential = assertion(identity, device)
    with pytest.raises(Unauthenticated):  # a registration's relying party of another host
        rpc(identity, "sign_in_with_passkey", challenge_id, credential,
            dict(RP, id="portal.example", origin="https://portal.example"))
    second_step_id, credential = assertion(identity, device, purpose="second_step")
    with pytest.raises(InvalidInput):  # a second-step challenge is no sign-in
        rpc(identity, "sign_in_with_passkey", second_step_id, credential, RP)
    assert passkey_sign_in(identity, device)["user_id"] == identity.admin
    assert len(outbox(identity, "identity.signed_in")) == 2


def test_failed_passkey_sign_ins_are_throttled_by_address(identity):
    device = SoftAuthenticator()
    register(identity, identity.admin, device)
    for _ in range(throttle.FREE["ip"]):
        with pytest.raises(Unauthenticated):
            passkey_sign_in(identity, device, origin="http://evil.example")
    with pytest.raises(Throttled) as refused:  # even a good one waits now
        passkey_sign_in(identity, device)
    assert refused.value.retry_after > 0


def test_a_passkey_stands_for_the_totp_code_of_its_own_user_only(identity):
    uid = identity.admin
    setup = rpc(identity, "start_totp", uid, current_password=PASSWORD)
    rpc(identity, "confirm_totp", uid, pyotp.TOTP(setup["secret"]).now(),
        current_password=PASSWORD)
    device = SoftAuthenticator()
    register(identity, uid, device)
    other = rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT,
                                                   username="kim.ortiz",
                                                   email="kim@bluebird.example"))["user_id"]
    theirs = SoftAuthenticator()
    register(identity, other, theirs)

    challenge_id, credential = assertion(identity, device, purpose="second_step")
    signed_in = rpc(identity, "sign_in", "sam.lee", PASSWORD,
                    passkey={"challenge_id": challenge_id, "credential": credential}, rp=RP)
    assert signed_in["user_id"] == uid
    with pytest.raises(Unauthenticated) as refused:  # replayed
        rpc(identity, "sign_in", "sam.lee", PASSWORD,
            passkey={"challenge_id": challenge_id, "credential": credential}, rp=RP)
    assert refused.value.extra == {"totp_required": True}
    challenge_id, credential = assertion(identity, theirs, purpose="second_step")
    with pytest.raises(Unauthenticated):  # another user's passkey
        rpc(identity, "sign_in", "sam.lee", PASSWORD,
            passkey={"challenge_id": challenge_id, "credential": credential}, rp=RP)
    challenge_id, credential = assertion(identity, device)  # a sign-in challenge
    with pytest.raises(Unauthenticated):
        rpc(identity, "sign_in", "sam.lee", PASSWORD,
            passkey={"challenge_id": challenge_id, "credential": credential}, rp=RP)
    code = setup["recovery_codes"][0]  # recovery codes still work
    assert rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=code)["user_id"] == uid


def test_passkeys_are_renamed_and_removed_by_their_owner_with_the_password(identity):
    device = SoftAuthenticator()
    added = register(identity, identity.admin, device)
    renamed = rpc(identity, "rename_passkey", identity.admin, added["id"], " Phone ",
                  actor=WHERE)
    assert renamed["name"] == "Phone"
    with pytest.raises(InvalidInput):
        rpc(identity, "rename_passkey", identity.admin, added["id"], "\x00bad")
    other = rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT,
                                                   username="kim.ortiz",
                                                   email="kim@bluebird.example"))["user_id"]
    for passkey_id in (added["id"], "no-such", "x" * 5000):
        with pytest.raises(NotFound):
            rpc(identity, "rename_passkey", other, passkey_id, "Mine now")
        with pytest.raises(NotFound):
            rpc(identity, "remove_passkey", other, passkey_id, PASSWORD)
    for wrong in (None, "stolen session, no password"):
        with pytest.raises(InvalidInput) as refused:
            rpc(identity, "remove_passkey", identity.admin, added["id"], wrong)
        assert "current_password" in refused.value.errors
    rpc(identity, "remove_passkey", identity.admin, added["id"], PASSWORD, actor=WHERE)
    assert rpc(identity, "list_passkeys", identity.admin)["items"] == []
    with pytest.raises(Unauthenticated):  # a removed passkey signs nobody in
        passkey_sign_in(identity, device)
    assert [e["what"] for e in outbox(identity, "identity.security_settings_changed")] == [
        "passkey_added", "passkey_renamed", "passkey_removed"]
    assert len(outbox(identity, "identity.security_alert_raised")) == 3


def test_at_most_ten_passkeys(identity):
    device = SoftAuthenticator()
    for n in range(passkeys.MAX_PER_USER):
        register(identity, identity.admin, device, name=f"Key {n}")
    with pytest.raises(Conflict):
        rpc(identity, "start_passkey_registration", identity.admin, PASSWORD, RP)
