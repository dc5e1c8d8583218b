"""identity's security settings in a nameko container on a real broker and database (SQLite
and PostgreSQL): the security code, the challenge question, preferences, 2-step sign-in,
sign-in alerts. billing and notifications are fakes (tests/support/identity_service.py): the
mails identity asks for are recorded in SENT."""
import itertools
import json
import re
import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from services.contracts.errors import Conflict, InvalidInput, Throttled, Unauthenticated
from services.runtime import clock as clock_module
from tests.support import identity_service
from tests.support.containers import hook as rpc
from tests.support.containers import rows
from tests.support.identity_service import PASSWORD, from_ip, start_identity


def holds_code(code, text):
    """The code as a number of its own: timestamps ("11:50:59.148210") hold any four digits."""
    return re.search(rf"(?<!\d){code}(?!\d)", str(text)) is not None


def mails(template, container=None):
    """Mails identity asked for: secret-bearing ones by RPC (the fake records them), alerts
    as ``security_alert_raised`` events in identity's outbox (written with the change)."""
    if template in ("security_alert", "sign_in_alert"):
        kind = "sign_in" if template == "sign_in_alert" else "security"
        bodies = [json.loads(body) for (body,) in rows(
            container, "SELECT body FROM outbox WHERE event_type = "
            "'identity.security_alert_raised' ORDER BY created_at")]
        return [{"template": template, "context": b["data"]} for b in bodies
                if b["data"]["kind"] == kind]
    return [kwargs for name, kwargs in identity_service.SENT
            if name == "send_email" and kwargs["template"] == template]


@pytest.fixture
def identity(start_service):
    container = start_identity(start_service)
    container.user_id = container.admin
    return container


WHERE = {"ip": "203.0.113.9", "user_agent": "pytest"}


@pytest.fixture
def clock(monkeypatch):
    """identity's clock held in the middle of a 30-second TOTP step, moving a microsecond at
    each read (so what happened keeps its order), instead of the wall clock: which step is
    current must not depend on how long the test took to get there. (On the wall clock a code
    computed just before a step ended was one step older than the window allowed by the time
    identity checked it, and the test failed now and then.) Returns that instant."""
    start = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 15, timezone.utc)
    ticks = itertools.count()

    def now():
        return start + timedelta(microseconds=next(ticks))
    monkeypatch.setattr(clock_module, "now", now)
    return start


def test_a_security_code_is_stored_hashed_checked_and_alerted(identity):
    uid = identity.user_id
    rpc(identity, "set_security_code", uid, PASSWORD, "4821", actor=WHERE)
    (stored,) = rows(identity, "SELECT security_code_hash FROM users")
    assert stored[0].startswith("$argon2id$") and "4821" not in stored[0]
    assert mails("security_alert", identity)[-1]["context"]["what"].startswith("Your security code")
    assert not holds_code("4821", identity_service.SENT)
    audit = rows(identity, "SELECT action, ip, user_agent FROM audit_entries")
    assert audit == [("security settings changed: security_code", "203.0.113.9", "pytest")]
    assert "security_code" in str(rows(identity, "SELECT body FROM outbox"))
    assert not holds_code("4821", rows(identity, "SELECT body FROM outbox"))
    rpc(identity, "update_security_preferences", uid, {"require_security_code_for_payments": True})
    assert rpc(identity, "check_payment_security", uid, "4821")["code_valid"] is True
    assert rpc(identity, "check_payment_security", uid, "1111")["code_valid"] is False


def test_a_security_code_needs_the_current_password_and_four_digits(identity):
    with pytest.raises(InvalidInput) as invalid:
        rpc(identity, "set_security_code", identity.user_id, "wrong password!!", "4821")
    assert "current_password" in invalid.value.errors
    with pytest.raises(InvalidInput) as invalid:
        rpc(identity, "set_security_code", identity.user_id, PASSWORD, "48a1")
    assert "security_code" in invalid.value.errors
    assert rows(identity, "SELECT security_code_hash FROM users") == [(None,)]


def test_a_payment_asks_once_whether_a_code_is_required_and_whether_the_one_given_is_right(
        identity):
    uid = identity.user_id
    # not required: nothing is checked, so even a wrong code costs no guess
    for _ in range(6):
        assert rpc(identity, "check_payment_security", uid, "0000") == {
            "code_required": False, "code_valid": None}
    rpc(identity, "set_security_code", uid, PASSWORD, "4821")
    rpc(identity, "update_security_preferences", uid,
        {"require_security_code_for_payments": True})
    assert rpc(identity, "check_payment_security", uid, None) == {
        "code_required": True, "code_valid": None}
    assert rpc(identity, "check_payment_security", uid, "4821") == {
        "code_required": True, "code_valid": True}
    for _ in range(5):
        assert rpc(identity, "check_payment_security", uid, "1111") == {
            "code_required": True, "code_valid": False}
    with pytest.raises(Throttled):  # wrong codes count like failed sign-ins: throttled
        rpc(identity, "check_payment_security", uid, "4821")
    assert not holds_code("4821", rows(identity, "SELECT body FROM outbox"))


def test_preferences_default_off_and_requiring_a_code_needs_one(identity):
    uid = identity.user_id
    assert rpc(identity, "get_security_preferences", uid) == {
        "sign_in_alerts": False, "require_security_code_for_payments": False}
    with pytest.raises(InvalidInput):
        rpc(identity, "update_security_preferences", uid,
            {"require_security_code_for_payments": True})
    with pytest.raises(InvalidInput):
        rpc(identity, "update_security_preferences", uid, {"sign_in_alerts": "yes"})
    rpc(identity, "set_security_code", uid, PASSWORD, "4821")
    assert rpc(identity, "update_security_preferences", uid,
               {"require_security_code_for_payments": True}) == {
        "sign_in_alerts": False, "require_security_code_for_payments": True}


def test_no_longer_requiring_the_code_for_payments_needs_the_password_and_is_throttled(
        identity):
    uid = identity.user_id
    rpc(identity, "set_security_code", uid, PASSWORD, "4821")
    rpc(identity, "update_security_preferences", uid,
        {"require_security_code_for_payments": True})
    off = {"require_security_code_for_payments": False}
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "update_security_preferences", uid, off)
    assert "current_password" in refused.value.errors
    assert rpc(identity, "get_security_preferences", uid)[
        "require_security_code_for_payments"] is True
    assert rpc(identity, "update_security_preferences", uid, {"sign_in_alerts": True})[
        "sign_in_alerts"] is True  # what does not weaken needs nothing
    for attempt in range(5):
        with pytest.raises(InvalidInput):
            rpc(identity, "update_security_preferences", uid, off,
                current_password=f"wrong guess {attempt}")
    with pytest.raises(Throttled) as throttled:
        rpc(identity, "update_security_preferences", uid, off, current_password=PASSWORD)
    assert throttled.value.retry_after > 0


def test_the_challenge_answer_is_normalised_and_asked_on_a_reset(identity):
    questions = rpc(identity, "list_challenge_questions")["items"]
    rpc(identity, "set_challenge", identity.user_id, PASSWORD, questions[0]["id"],
        "  Rex   The Dog ")
    (stored,) = rows(identity, "SELECT challenge_question_id, challenge_answer_hash FROM users")
    assert stored[0] == questions[0]["id"] and stored[1].startswith("$argon2id$")
    rpc(identity, "request_password_reset", "sam.lee")
    link = mails("password_reset")[-1]["context"]["link"]
    token = link.split("token=")[1]
    rpc(identity, "reset_password", token, "harbor lantern quiet 77", "rex the dog")
    with pytest.raises(InvalidInput):
        rpc(identity, "set_challenge", identity.user_id, "harbor lantern quiet 77", 99, "x")


def test_sign_in_alerts_mail_a_new_browser_or_address_only(identity):
    rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=from_ip("10.0.0.1", "A"))
    rpc(identity, "update_security_preferences", identity.user_id, {"sign_in_alerts": True})
    rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=from_ip("10.0.0.1", "A"))
    assert mails("sign_in_alert", identity) == []
    rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=from_ip("10.0.0.2", "A"))
    rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=from_ip("10.0.0.1", "B"))
    assert [m["context"]["ip"] for m in mails("sign_in_alert", identity)] == ["10.0.0.2", "10.0.0.1"]


def test_two_step_sign_in_needs_a_current_code_once_and_recovery_codes_work_once(clock,
                                                                                 identity):
    uid = identity.user_id
    with pytest.raises(InvalidInput) as refused:  # step-up: the password first
        rpc(identity, "start_totp", uid)
    assert "current_password" in refused.value.errors
    setup = rpc(identity, "start_totp", uid, current_password=PASSWORD)
    assert setup["otpauth_uri"].startswith("otpauth://totp/BizPortal:sam.lee?secret=")
    assert len(setup["recovery_codes"]) == 10
    with pytest.raises(InvalidInput):
        rpc(identity, "confirm_totp", uid, "000000", current_password=PASSWORD)
    totp = pyotp.TOTP(setup["secret"])
    step = totp.timecode(clock)
    with pytest.raises(InvalidInput):  # one step of drift either side, no more
        rpc(identity, "confirm_totp", uid, totp.generate_otp(step - 2),
            current_password=PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "confirm_totp", uid, totp.generate_otp(step - 1),
            current_password="not my password!")
    assert "current_password" in refused.value.errors
    rpc(identity, "confirm_totp", uid, totp.generate_otp(step - 1), current_password=PASSWORD)
    with pytest.raises(Unauthenticated) as refused:
        rpc(identity, "sign_in", "sam.lee", PASSWORD)
    assert "6-digit code" in refused.value.detail
    signed_in = rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=totp.generate_otp(step))
    assert signed_in["user_id"] == uid
    with pytest.raises(Unauthenticated):  # the same code again
        rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=totp.generate_otp(step))
    with pytest.raises(Unauthenticated):  # nor an earlier one still inside the window
        rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=totp.generate_otp(step - 1))
    code = setup["recovery_codes"][0]
    assert rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=code.lower())
    with pytest.raises(Unauthenticated):
        rpc(identity, "sign_in", "sam.lee", PASSWORD, totp_code=code)
    assert rpc(identity, "get_security_settings", uid)["recovery_codes_left"] == 9
    stored = str(rows(identity, "SELECT * FROM recovery_codes"))
    assert code not in stored and code.replace("-", "") not in stored
    with pytest.raises(Conflict):
        rpc(identity, "start_totp", uid, current_password=PASSWORD)
    with pytest.raises(InvalidInput):
        rpc(identity, "disable_totp", uid, "not my password!")
    rpc(identity, "disable_totp", uid, PASSWORD)
    assert rpc(identity, "sign_in", "sam.lee", PASSWORD)["user_id"] == uid
    whats = [r[0] for r in rows(identity, "SELECT action FROM audit_entries ORDER BY at")]
    assert whats == ["security settings changed: totp_enabled",
                     "security settings changed: recovery_code_used",
                     "security settings changed: totp_disabled"]


def test_wrong_current_passwords_on_security_forms_are_throttled_like_sign_ins(identity):
    for _ in range(5):
        with pytest.raises(InvalidInput):
            rpc(identity, "set_security_code", identity.user_id, "not the password", "4821")
    with pytest.raises(Throttled):
        rpc(identity, "set_challenge", identity.user_id, PASSWORD, 1, "rex")
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "sam.lee", PASSWORD)
