"""/security's sections (gateway/web/security_pages.py): each is a <details> under its own
header, closed on a plain visit; a form's round trip comes back with its own section open;
an unknown section name opens nothing. Identity is a fake client; CSRF is off here (the
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


@pytest.fixture
def client(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    app = create_app(settings, rpc_client=FakeRpc({
        ("identity", "get_security_settings"): SETTINGS, ("identity", "get_user"): USER,
        ("identity", "list_challenge_questions"): {"items": [{"id": "q1", "text": "First car?"}]},
        ("identity", "set_security_code"): InvalidInput({"security_code": ["Enter 4 digits."]}),
        ("identity", "change_password"): None}))
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
    assert headers == ["Your name and email", "2-step sign-in", "Password", "Security code",
                       "Challenge question", "Security preferences"]
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
