"""/security's sections (gateway/web/security_pages.py): each is a <details> under its own
header, closed on a plain visit; a form's round trip comes back with its own section open;
an unknown section name opens nothing; where you are signed in lists each session, with a
"Sign out" for each but this browser's. Identity is a fake client; CSRF is off here (the
browser tests post the real forms)."""
import re
import time

import pytest

from gateway.app import create_app
from services.contracts.errors import InvalidInput
from services.runtime import config
from tests.support.fakes import FakeRpc

SETTINGS = {"security_code_set": False, "challenge_question_id": None, "totp_enabled": False,
            "totp_pending": False, "recovery_codes_left": 0,
            "preferences": {"sign_in_alerts": False, "require_security_code_for_payments": False}}
USER = {"user_id": "u1", "username": "sam.lee", "email": "sam@harbor.example",
        "first_name": "Sam", "last_name": "Lee", "pending_email": None}
SESSIONS = {"items": [
    {"id": "s1", "created_at": "2026-12-03T08:00:00.123456+00:00",
     "last_seen_at": "2026-12-03T09:15:00+00:00", "ip": "10.0.0.1",
     "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "current": True},
    {"id": "s2", "created_at": "2026-12-02T22:30:00+00:00",
     "last_seen_at": "2026-12-02T22:30:00+00:00", "ip": None, "user_agent": None,
     "current": False}], "next_cursor": None}


@pytest.fixture
def rpc():
    return FakeRpc({
        ("identity", "get_security_settings"): SETTINGS, ("identity", "get_user"): USER,
        ("identity", "list_challenge_questions"): {"items": [{"id": "q1", "text": "First car?"}]},
        ("identity", "set_security_code"): InvalidInput({"security_code": ["Enter 4 digits."]}),
        ("identity", "change_password"): None, ("identity", "list_sessions"): SESSIONS,
        ("identity", "end_user_session"): None, ("identity", "end_other_sessions"): ["s2"],
        ("identity", "list_passkeys"): {"items": []}})


@pytest.fixture
def client(tmp_path, rpc):
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    app = create_app(settings, rpc_client=rpc)
    app.config["WTF_CSRF_ENABLED"] = False
    test_client = app.test_client()
    with test_client.session_transaction() as session:
        session["auth"] = {"u": "u1", "s": "s1", "n": "sam.lee", "checked": time.time()}
    return test_client


def open_sections(html):
    return re.findall(r'<details class="card expander" id="([\w-]+)" open>', html)


def test_every_section_has_its_own_header_and_a_plain_visit_opens_none(client):
    html = client.get("/security").get_data(as_text=True)
    headers = re.findall(r'<details class="card expander" id="[\w-]+">\s*<summary><h2>([^<]+)',
                         html)
    assert headers == ["Your name and email", "2-step sign-in", "Passkeys", "Password",
                       "Where you're signed in", "Security code", "Challenge question",
                       "Security preferences"]
    assert open_sections(html) == []


@pytest.mark.parametrize("path, form, section", [
    ("/security/code", {"current_password": "x" * 12, "security_code": "12"}, "code"),
    ("/security/password", {"current_password": "x" * 12, "new_password": "y" * 12},
     "password"),
])
def test_a_refused_or_saved_form_comes_back_with_its_section_open(client, path, form, section):
    response = client.post(path, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/security?open={section}"
    assert open_sections(client.get(response.headers["Location"]).get_data(as_text=True)) \
        == [section]


def test_an_unknown_section_opens_nothing(client):
    assert open_sections(client.get("/security?open=x%22%3E").get_data(as_text=True)) == []


def test_each_session_is_a_row_and_every_one_but_this_browsers_has_a_sign_out(client, rpc):
    html = client.get("/security").get_data(as_text=True)
    assert any(c[1] == "list_sessions" and c[2][:2] == ("u1", "s1") for c in rpc.calls)
    rows = re.findall(r'<tr data-session-id="(\w+)"(?: class="current")?>(.*?)</tr>', html, re.S)
    assert [session_id for session_id, _ in rows] == ["s1", "s2"]
    current, other = rows[0][1], rows[1][1]
    assert "This browser" in current and "<button" not in current
    assert "Chrome/131.0" in current and "Dec 3, 2026, 8:00 AM UTC" in current
    assert 'action="/security/sessions/s2/end"' in other and ">Sign out</button>" in other
    assert "Unknown" in other  # no address or browser recorded
    assert 'id="sessions-end-others-form"' in html


def test_alone_there_is_nothing_to_sign_out_elsewhere(client, rpc):
    rpc.answers[("identity", "list_sessions")] = {"items": SESSIONS["items"][:1],
                                                  "next_cursor": None}
    html = client.get("/security").get_data(as_text=True)
    assert 'id="sessions-end-others-form"' not in html and 'id="no-other-sessions"' in html


def test_signing_out_another_session_ends_that_one_for_this_user(client, rpc):
    response = client.post("/security/sessions/s2/end")
    assert response.headers["Location"] == "/security?open=sessions"
    (call,) = [c for c in rpc.calls if c[1] == "end_user_session"]
    assert call[2][:2] == ("u1", "s2")  # the signed-in user's id, never one from the form


def test_signing_out_everywhere_else_keeps_this_session(client, rpc):
    response = client.post("/security/sessions/end-others")
    assert response.headers["Location"] == "/security?open=sessions"
    (call,) = [c for c in rpc.calls if c[1] == "end_other_sessions"]
    assert call[2][:2] == ("u1", "s1")
    html = client.get("/security?open=sessions").get_data(as_text=True)
    assert "Signed out of 1 other session." in html
