"""identity: forgotten IDs and passwords, password changes and the profile, in a nameko
container on a real broker and database. The mail RPC is recorded by a fake
(tests/support/identity_service.py), so a test reads the link the user would get."""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.contracts.errors import InvalidInput, Refused, Throttled, Unauthenticated
from services.identity import passwords, throttle
from services.runtime import secret_tokens
from services.runtime.database import engine_url
from tests.support import identity_service
from tests.support.identity_service import PASSWORD, IdentityUnderTest, signup_request

NEW_PASSWORD = "harbor lantern quiet 77"


@pytest.fixture
def identity(start_service):
    identity_service.SENT.clear()
    container = start_service(IdentityUnderTest)
    rpc(container, "signup", signup_request())
    return container


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


def mailed_token():
    name, kwargs = identity_service.SENT[-1]
    assert name == "send_email" and kwargs["template"] == "password_reset"
    assert kwargs["secret_keys"] == ["link"]
    return re.search(r"token=([\w-]+)", kwargs["context"]["link"]).group(1)


def test_forgot_username_mails_the_ids_of_that_email_and_nothing_for_an_unknown_one(identity):
    rpc(identity, "request_username_reminder", "nobody@nowhere.example")
    assert identity_service.SENT == []
    rpc(identity, "request_username_reminder", "sam@BLUEBIRD.example")
    name, kwargs = identity_service.SENT[-1]
    assert kwargs["template"] == "username_reminder"
    assert kwargs["context"]["usernames"] == ["sam.lee"]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(identity):
    signed_in = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    rpc(identity, "request_password_reset", "nobody.at.all")
    assert identity_service.SENT == []
    rpc(identity, "request_password_reset", "SAM.LEE")
    token = mailed_token()
    assert token not in str(execute(identity, "SELECT * FROM password_resets"))
    with pytest.raises(InvalidInput):
        rpc(identity, "reset_password", token, "password1234")
    rpc(identity, "reset_password", token, NEW_PASSWORD)
    with pytest.raises(Refused):  # single use
        rpc(identity, "reset_password", token, NEW_PASSWORD + "x")
    assert not rpc(identity, "get_session", signed_in["session_id"])["active"]
    with pytest.raises(Unauthenticated):
        rpc(identity, "sign_in", "sam.lee", PASSWORD)
    assert rpc(identity, "sign_in", "sam.lee", NEW_PASSWORD)["session_id"]
    types = [r[0] for r in execute(identity, "SELECT event_type FROM outbox")]
    assert "identity.password_changed" in types and "identity.session_ended" in types
    assert token not in str(execute(identity, "SELECT body FROM outbox"))


def test_an_expired_reset_link_is_refused(identity):
    rpc(identity, "request_password_reset", "sam.lee")
    token = mailed_token()
    execute(identity, "UPDATE password_resets SET expires_at = :past",
            past=datetime.now(timezone.utc) - timedelta(minutes=1))
    with pytest.raises(Refused):
        rpc(identity, "reset_password", token, NEW_PASSWORD)


def test_a_reset_needs_the_challenge_answer_when_the_user_set_a_question(identity):
    execute(identity, "UPDATE users SET challenge_question_id = 1, challenge_answer_hash = :h",
            h=passwords.hasher.hash("blue whale"))
    rpc(identity, "request_password_reset", "sam.lee")
    token = mailed_token()
    with pytest.raises(Refused) as refused:
        rpc(identity, "reset_password", token, NEW_PASSWORD)
    assert refused.value.extra == {"challenge_required": True}
    with pytest.raises(Refused):
        rpc(identity, "reset_password", token, NEW_PASSWORD, "red whale")
    rpc(identity, "reset_password", token, NEW_PASSWORD, "  Blue   Whale ")


def test_wrong_challenge_answers_are_throttled(identity):
    execute(identity, "UPDATE users SET challenge_question_id = 1, challenge_answer_hash = :h",
            h=passwords.hasher.hash("blue whale"))
    rpc(identity, "request_password_reset", "sam.lee")
    token = mailed_token()
    for guess in ("red", "green", "yellow"):
        with pytest.raises(Refused):
            rpc(identity, "reset_password", token, NEW_PASSWORD, guess)
    with pytest.raises(Throttled):  # even the right answer waits now
        rpc(identity, "reset_password", token, NEW_PASSWORD, "blue whale")


def test_a_throttled_user_can_still_reset_and_then_sign_in(identity):
    for _ in range(throttle.FREE["user"]):
        with pytest.raises(Unauthenticated):
            rpc(identity, "sign_in", "sam.lee", "not the password at all")
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "sam.lee", PASSWORD)
    rpc(identity, "request_password_reset", "sam.lee")
    rpc(identity, "reset_password", mailed_token(), NEW_PASSWORD)
    assert rpc(identity, "sign_in", "sam.lee", NEW_PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(identity):
    here = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    elsewhere = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    with pytest.raises(InvalidInput) as wrong:
        rpc(identity, "change_password", here["user_id"], here["session_id"], "wrong one!!",
            NEW_PASSWORD)
    assert "current_password" in wrong.value.errors
    rpc(identity, "change_password", here["user_id"], here["session_id"], PASSWORD, NEW_PASSWORD)
    assert rpc(identity, "get_session", here["session_id"])["active"]
    assert not rpc(identity, "get_session", elsewhere["session_id"])["active"]


def test_wrong_current_passwords_on_a_password_change_are_throttled_like_sign_ins(identity):
    here = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            rpc(identity, "change_password", here["user_id"], here["session_id"],
                "not the password", NEW_PASSWORD)
    with pytest.raises(Throttled):
        rpc(identity, "change_password", here["user_id"], here["session_id"], PASSWORD,
            NEW_PASSWORD)
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "sam.lee", PASSWORD)


def test_names_change_at_once_but_an_email_waits_for_the_password_and_its_link(identity):
    here = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    other = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    user_id = here["user_id"]
    renamed = rpc(identity, "update_user", user_id, {"first_name": " Samuel "})
    assert renamed["first_name"] == "Samuel" and renamed["pending_email"] is None
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "update_user", user_id, {"email": "sam@new.example"})
    assert "current_password" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "update_user", user_id, {"email": "sam@new.example",
                                               "last_name": "Changed"},
            current_password="not the password")
    assert "current_password" in refused.value.errors
    assert rpc(identity, "get_user", user_id)["last_name"] == "Lee"  # all or nothing
    with pytest.raises(InvalidInput):
        rpc(identity, "update_user", user_id, {"email": "not an email"})
    rpc(identity, "request_password_reset", "sam.lee")
    stale_reset = mailed_token()

    asked = rpc(identity, "update_user", user_id, {"email": "sam@new.example"},
                current_password=PASSWORD, session_id=here["session_id"])
    assert asked["email"] == "Sam@bluebird.example"
    assert asked["pending_email"] == "sam@new.example"
    name, kwargs = identity_service.SENT[-1]
    assert kwargs["template"] == "email_change" and kwargs["to"] == "sam@new.example"
    assert kwargs["secret_keys"] == ["link"]
    token = re.search(r"confirm-email\?token=([\w-]+)", kwargs["context"]["link"]).group(1)
    alerts = [json.loads(body)["data"] for (body,) in execute(
        identity, "SELECT body FROM outbox WHERE event_type = "
                  "'identity.security_alert_raised' ORDER BY created_at")]
    assert alerts[-1]["email"] == "Sam@bluebird.example" and "sam@new.example" in \
        alerts[-1]["detail"]

    with pytest.raises(Refused):
        rpc(identity, "confirm_email_change", "x" * 43)
    assert rpc(identity, "confirm_email_change", token) == {"user_id": user_id,
                                                            "email": "sam@new.example"}
    with pytest.raises(Refused):  # once
        rpc(identity, "confirm_email_change", token)
    me = rpc(identity, "get_user", user_id)
    assert me["email"] == "sam@new.example" and me["pending_email"] is None
    assert rpc(identity, "get_session", here["session_id"])["active"] is True
    assert rpc(identity, "get_session", other["session_id"])["active"] is False
    with pytest.raises(Refused):  # the reset link mailed to the old address
        rpc(identity, "reset_password", stale_reset, NEW_PASSWORD)
    actions = [a for (a,) in execute(identity, "SELECT action FROM audit_entries ORDER BY at")]
    assert actions[-2:] == ["email change requested", "email changed"]
    assert token not in str(execute(identity, "SELECT * FROM email_changes"))


def test_an_email_link_expires_after_30_minutes(identity):
    user_id = rpc(identity, "sign_in", "sam.lee", PASSWORD)["user_id"]
    rpc(identity, "update_user", user_id, {"email": "sam@new.example"},
        current_password=PASSWORD)
    link = identity_service.SENT[-1][1]["context"]["link"]
    execute(identity, "UPDATE email_changes SET expires_at = :t",
            t=datetime.now(timezone.utc) - timedelta(seconds=1))
    with pytest.raises(Refused):
        rpc(identity, "confirm_email_change", link.split("token=")[1])
    assert rpc(identity, "get_user", user_id)["pending_email"] is None


def test_email_change_links_are_throttled_per_address_and_per_user(identity):
    user_id = rpc(identity, "sign_in", "sam.lee", PASSWORD)["user_id"]
    for _ in range(3):
        rpc(identity, "update_user", user_id, {"email": "sam@new.example"},
            current_password=PASSWORD)
    with pytest.raises(Throttled) as refused:
        rpc(identity, "update_user", user_id, {"email": "SAM@new.example"},
            current_password=PASSWORD)
    assert refused.value.retry_after > 0
    for address in ("a@new.example", "b@new.example"):
        rpc(identity, "update_user", user_id, {"email": address}, current_password=PASSWORD)
    with pytest.raises(Throttled):
        rpc(identity, "update_user", user_id, {"email": "c@new.example"},
            current_password=PASSWORD)
    assert len([k for n, k in identity_service.SENT if k["template"] == "email_change"]) == 5


def test_reset_tokens_die_together_when_one_is_used_issued_or_the_password_changes(identity):
    here = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    rpc(identity, "request_password_reset", "sam.lee")
    first = mailed_token()
    rpc(identity, "request_password_reset", "sam.lee")
    second = mailed_token()
    with pytest.raises(Refused):  # issuing a new one ended the older
        rpc(identity, "reset_password", first, NEW_PASSWORD)
    # two outstanding at once (say, asked for in the same instant): using one ends the other
    (row,) = execute(identity, "SELECT user_id, created_at, expires_at FROM password_resets "
                               "WHERE used_at IS NULL")
    execute(identity, "INSERT INTO password_resets (token_hash, user_id, created_at, "
                      "expires_at) VALUES (:h, :u, :c, :e)",
            h=secret_tokens.digest("a-twin-token-issued-alongside"), u=row[0], c=row[1], e=row[2])
    rpc(identity, "reset_password", second, NEW_PASSWORD)
    with pytest.raises(Refused):
        rpc(identity, "reset_password", "a-twin-token-issued-alongside", "amber quarry falcon 31")
    rpc(identity, "request_password_reset", "sam.lee")
    third = mailed_token()
    here = rpc(identity, "sign_in", "sam.lee", NEW_PASSWORD)
    rpc(identity, "change_password", here["user_id"], here["session_id"], NEW_PASSWORD,
        "amber quarry falcon 31")
    with pytest.raises(Refused):
        rpc(identity, "reset_password", third, "one more phrase here 5")


