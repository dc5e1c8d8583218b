"""identity: forgotten IDs and passwords, password changes and the profile, in a nameko
container on a real broker and database. The mail RPC is recorded by a fake
(tests/service/identity_fakes.py), so a test reads the link the user would get."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.contracts.errors import InvalidInput, Refused, Throttled, Unauthenticated
from services.identity import passwords, throttle
from services.runtime.database import engine_url
from tests.service import identity_fakes
from tests.service.identity_fakes import PASSWORD, IdentityUnderTest, signup_request

NEW_PASSWORD = "harbor lantern quiet 77"


@pytest.fixture
def identity(start_service):
    identity_fakes.SENT.clear()
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
    name, kwargs = identity_fakes.SENT[-1]
    assert name == "send_email" and kwargs["template"] == "password_reset"
    assert kwargs["secret_keys"] == ["link"]
    return re.search(r"token=([\w-]+)", kwargs["context"]["link"]).group(1)


def test_forgot_username_mails_the_ids_of_that_email_and_nothing_for_an_unknown_one(identity):
    rpc(identity, "request_username_reminder", "nobody@nowhere.example")
    assert identity_fakes.SENT == []
    rpc(identity, "request_username_reminder", "sam@BLUEBIRD.example")
    name, kwargs = identity_fakes.SENT[-1]
    assert kwargs["template"] == "username_reminder"
    assert kwargs["context"]["usernames"] == ["sam.lee"]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(identity):
    signed_in = rpc(identity, "sign_in", "sam.lee", PASSWORD)
    rpc(identity, "request_password_reset", "nobody.at.all")
    assert identity_fakes.SENT == []
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


def test_the_profile_changes_email_and_names(identity):
    user_id = rpc(identity, "sign_in", "sam.lee", PASSWORD)["user_id"]
    updated = rpc(identity, "update_user", user_id, {"email": "sam@new.example",
                                                     "first_name": " Samuel "})
    assert updated["email"] == "sam@new.example" and updated["first_name"] == "Samuel"
    with pytest.raises(InvalidInput):
        rpc(identity, "update_user", user_id, {"email": "not an email"})
