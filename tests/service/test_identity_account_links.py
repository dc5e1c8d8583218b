"""identity: many accounts under one online ID, in a nameko container on a real broker and
database (SQLite and PostgreSQL). A signed-in user links another account with its number and
invoice key as its admin; a claimed account, a wrong key and a wrong number are one refusal;
the attempts count against sign-up's allowances. billing and notifications are fakes
(tests/support/identity_service.py: OTHER_ACCOUNT has the same key and no online ID)."""
import json

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text
from stdnum import luhn

from services.contracts.errors import InvalidInput, Refused, Throttled
from services.identity import throttle
from services.identity.onlineids import WRONG_KEY
from services.runtime.database import engine_url
from tests.support import identity_service
from tests.support.identity_service import (ACCOUNT, KEY, OTHER_ACCOUNT, IdentityUnderTest,
                                            from_ip, signup_request)

WHERE = {"ip": "198.51.100.7", "user_agent": "pytest"}
UNKNOWN = "4000000000000002"


def rpc(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def execute(container, sql, **params):
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = result.all() if result.returns_rows else None
    engine.dispose()
    return rows


def events(container, event_type):
    return [json.loads(body)["data"] for (body,) in execute(
        container, "SELECT body FROM outbox WHERE event_type = :t ORDER BY created_at",
        t=f"identity.{event_type}")]


@pytest.fixture
def identity(start_service):
    identity_service.SENT.clear()
    container = start_service(IdentityUnderTest)
    container.user = rpc(container, "signup", signup_request(), actor=from_ip("203.0.113.1"))["user_id"]
    return container


def link(container, number=OTHER_ACCOUNT, key=KEY, user_id=None, ip=WHERE["ip"]):
    return rpc(container, "link_account", user_id or container.user,
               {"account_number": number, "security_key": key},
               actor={"user_id": user_id or container.user, "ip": ip, "user_agent": "pytest"})


def test_a_signed_in_user_links_an_account_without_an_online_id_as_its_admin(identity):
    assert link(identity) == {"account_number": OTHER_ACCOUNT, "role": "admin"}

    assert rpc(identity, "list_user_accounts", identity.user) == [
        {"account_number": ACCOUNT, "role": "admin"},
        {"account_number": OTHER_ACCOUNT, "role": "admin"}]
    assert rpc(identity, "get_account_role", identity.user, OTHER_ACCOUNT) == "admin"
    assert events(identity, "account_linked") == [
        {"account_number": OTHER_ACCOUNT, "user_id": identity.user, "role": "admin"}]
    alert, = [a for a in events(identity, "security_alert_raised")
              if a["what"] == "Another account was added to your online ID."]
    assert alert["user_id"] == identity.user and alert["email"].lower() == "sam@bluebird.example"
    assert alert["ip"] == WHERE["ip"] and OTHER_ACCOUNT in alert["detail"]
    assert KEY not in str(execute(identity, "SELECT body FROM outbox"))
    assert KEY not in str(execute(identity, "SELECT * FROM audit_entries"))
    assert execute(identity, "SELECT action FROM audit_entries WHERE account_number = :n",
                   n=OTHER_ACCOUNT) == [("account linked",)]


def test_a_claimed_account_a_wrong_key_and_a_wrong_number_are_one_refusal(identity):
    other = rpc(identity, "signup", signup_request(
        account_number=OTHER_ACCOUNT, username="kim.ortiz", email="kim@harbor.example"),
        actor=from_ip("203.0.113.2"))["user_id"]
    details = set()
    for number, key, user_id in ((OTHER_ACCOUNT, KEY, None),   # someone else's account
                                 (ACCOUNT, KEY, None),          # one's own account again
                                 (ACCOUNT, KEY, other),          # someone else's, the other way
                                 (UNKNOWN, KEY, None),           # no such account
                                 (OTHER_ACCOUNT, "WRONG2345", None)):
        with pytest.raises(Refused) as refused:
            link(identity, number, key, user_id)
        details.add(refused.value.detail)
    assert details == {WRONG_KEY}  # sign-up's wrong-key message, for every case
    assert rpc(identity, "list_user_accounts", identity.user) == [
        {"account_number": ACCOUNT, "role": "admin"}]
    assert rpc(identity, "list_user_accounts", other) == [
        {"account_number": OTHER_ACCOUNT, "role": "admin"}]
    assert events(identity, "account_linked") == []


def test_a_malformed_request_is_refused_with_its_fields_and_counts_nothing(identity):
    counters = execute(identity, "SELECT key, count FROM sign_in_failures ORDER BY key")
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "link_account", identity.user, {"account_number": "123"}, actor=WHERE)
    assert set(refused.value.errors) == {"account_number", "security_key"}
    assert execute(identity, "SELECT key, count FROM sign_in_failures ORDER BY key") == counters


def test_links_are_limited_per_account_number_together_with_sign_ups(identity):
    for n in range(throttle.QUOTAS["signup_account"]):
        with pytest.raises(Refused):
            link(identity, OTHER_ACCOUNT, "WRONG2345", ip=f"192.0.2.{n}")
    with pytest.raises(Throttled) as throttled:
        link(identity, OTHER_ACCOUNT, KEY, ip="192.0.2.200")  # even with the right key
    assert throttled.value.retry_after >= 1
    with pytest.raises(Throttled):  # and sign-up on that number is spent too
        rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT,
                                               username="kim.ortiz"),
            actor=from_ip("192.0.2.201"))
    assert rpc(identity, "list_user_accounts", identity.user) == [
        {"account_number": ACCOUNT, "role": "admin"}]


def test_failed_links_from_one_address_are_limited_and_a_success_gives_its_attempt_back(
        identity):
    assert link(identity, ip="192.0.2.9")["role"] == "admin"  # given back: not counted
    numbers = iter(f"4000000000{n:05d}" + luhn.calc_check_digit(f"4000000000{n:05d}")
                   for n in range(100, 1000))
    for _ in range(throttle.QUOTAS["signup_ip"] - 1):  # the fixture's sign-up came from elsewhere
        with pytest.raises(Refused):
            link(identity, next(numbers), KEY, ip="192.0.2.9")
    with pytest.raises(Refused):
        link(identity, next(numbers), KEY, ip="192.0.2.9")
    with pytest.raises(Throttled):
        link(identity, next(numbers), KEY, ip="192.0.2.9")
