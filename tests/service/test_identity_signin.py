"""identity in a nameko container on a real broker and database (SQLite and PostgreSQL):
sign-up, sign-in, sessions and refresh tokens, throttling. billing's key check and
notifications' mail RPC are replaced with fakes (tests/support/identity_service.py)."""
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.contracts.errors import (Conflict, InvalidInput, Refused, Throttled,
                                       Unauthenticated)
from services.identity import throttle
from services.runtime.database import engine_url
from tests.support.identity_service import (ACCOUNT, PASSWORD, IdentityUnderTest, from_ip,
                                            signup_request)
from tests.support.containers import rows


def outbox_types(container):
    return [r[0] for r in rows(container, "SELECT event_type FROM outbox ORDER BY created_at")]


@pytest.fixture
def identity(start_service):
    return start_service(IdentityUnderTest)


def rpc(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def test_the_first_online_id_of_an_account_becomes_its_admin(identity):
    created = rpc(identity, "signup", signup_request())
    assert created["username"] == "sam.lee"
    assert rpc(identity, "get_account_role", created["user_id"], ACCOUNT) == "admin"
    assert rpc(identity, "list_user_accounts", created["user_id"]) == [
        {"account_number": ACCOUNT, "role": "admin"}]
    assert rpc(identity, "list_account_users", ACCOUNT) == [
        {"user_id": created["user_id"], "username": "sam.lee", "email": "Sam@bluebird.example",
         "role": "admin"}]
    (stored,) = rows(identity, "SELECT password_hash FROM users")
    assert stored[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert outbox_types(identity) == ["identity.user_registered"]


def test_a_wrong_key_is_refused_and_leaves_no_user(identity):
    with pytest.raises(Refused) as refused:
        rpc(identity, "signup", signup_request(security_key="WRONG999"))
    assert "account number and security key" in refused.value.detail
    assert rows(identity, "SELECT id FROM users") == []
    assert outbox_types(identity) == []


def test_a_taken_username_and_a_second_id_on_an_account_are_conflicts(identity):
    rpc(identity, "signup", signup_request())
    with pytest.raises(Conflict):
        rpc(identity, "signup", signup_request(username="SAM.LEE"))
    with pytest.raises(Conflict):
        rpc(identity, "signup", signup_request(username="other.person"))
    assert len(rows(identity, "SELECT id FROM users")) == 1


def test_a_common_password_or_one_containing_the_username_is_a_field_error(identity):
    with pytest.raises(InvalidInput) as invalid:
        rpc(identity, "signup", signup_request(password="123qweasdzxc"))
    assert "password" in invalid.value.errors
    with pytest.raises(InvalidInput):
        rpc(identity, "signup", signup_request(password="sam.lee is my password"))


def test_sign_in_opens_a_session_and_the_refresh_token_rotates(identity):
    rpc(identity, "signup", signup_request())
    first = rpc(identity, "sign_in", "Sam.Lee", PASSWORD, actor=from_ip("10.0.0.1", "test"))
    assert len(first["refresh_token"]) >= 22  # >= 128 bits
    assert first["refresh_token"] not in str(rows(identity, "SELECT * FROM refresh_tokens"))
    second = rpc(identity, "refresh_session", first["refresh_token"])
    assert second["session_id"] == first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    third = rpc(identity, "refresh_session", second["refresh_token"])
    assert rpc(identity, "get_session", first["session_id"])["active"]
    assert third["username"] == "sam.lee"
    assert "identity.signed_in" in outbox_types(identity)


def test_a_spent_refresh_token_ends_the_session(identity):
    rpc(identity, "signup", signup_request())
    first = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    second = rpc(identity, "refresh_session", first["refresh_token"])
    with pytest.raises(Unauthenticated):
        rpc(identity, "refresh_session", first["refresh_token"])
    assert not rpc(identity, "get_session", first["session_id"])["active"]
    with pytest.raises(Unauthenticated):  # the thief's use ended the honest holder's too
        rpc(identity, "refresh_session", second["refresh_token"])
    assert first["session_id"] in rpc(identity, "list_ended_sessions", 600)
    assert "identity.session_ended" in outbox_types(identity)


def test_sign_out_ends_the_session(identity):
    rpc(identity, "signup", signup_request())
    signed_in = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    rpc(identity, "end_session", signed_in["session_id"])
    assert not rpc(identity, "get_session", signed_in["session_id"])["active"]
    with pytest.raises(Unauthenticated):
        rpc(identity, "refresh_session", signed_in["refresh_token"])


def test_an_unknown_user_and_a_wrong_password_get_the_same_refusal(identity):
    rpc(identity, "signup", signup_request())
    with pytest.raises(Unauthenticated) as unknown:
        rpc(identity, "sign_in", "nobody.here", PASSWORD)
    with pytest.raises(Unauthenticated) as wrong:
        rpc(identity, "sign_in", "sam.lee", PASSWORD + "x")
    assert unknown.value.detail == wrong.value.detail


def test_repeated_failures_are_throttled_and_the_lock_is_announced_once(identity):
    rpc(identity, "signup", signup_request())
    for _ in range(throttle.FREE["user"]):
        with pytest.raises(Unauthenticated):
            rpc(identity, "sign_in", "sam.lee", "wrong password here", actor=from_ip("10.0.0.9"))
    with pytest.raises(Throttled) as throttled:  # even the right password waits
        rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=from_ip("10.0.0.9"))
    assert throttled.value.retry_after >= 1
    assert outbox_types(identity).count("identity.sign_in_locked") == 1


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(identity):
    from argon2 import PasswordHasher
    rpc(identity, "signup", signup_request())
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    engine = create_engine(engine_url(identity.config["DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h"), {"h": weak})
    engine.dispose()
    rpc(identity, "sign_in", "sam.lee", PASSWORD)
    (stored,) = rows(identity, "SELECT password_hash FROM users")
    assert stored[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
