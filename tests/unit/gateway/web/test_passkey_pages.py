"""The portal's passkey exchanges (gateway/web/passkey_pages.py and the sign-in form's
passkey) with identity replaced by a fake client: what identity is asked, with which relying
party, and what the script is answered. CSRF is off here (the browser tests send it)."""
import json

import pytest

from gateway.app import create_app
from services.contracts.errors import Unauthenticated
from services.runtime import config
from tests.support.fakes import FakeRpc

SIGNED_IN = {"user_id": "u1", "username": "sam.lee", "session_id": "s1", "refresh_token": "r"}
ANSWER = {"challenge_id": "c1", "credential": {"id": "abc", "type": "public-key"}}
LOCAL = {"id": "localhost", "origin": "http://localhost:8080", "name": "BizPortal"}


@pytest.fixture
def portal(tmp_path):
    def make(answers):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32,
                                "PUBLIC_URL": "https://portal.example"})
        rpc = FakeRpc(answers)
        app = create_app(settings, rpc_client=rpc)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.rpc = rpc
        return client
    return make


def asked(client, method):
    return [(args, kwargs) for _, m, args, kwargs, _ in client.rpc.calls if m == method]


def test_a_passkey_signs_the_browser_in_and_goes_only_to_a_local_page(portal):
    c = portal({("identity", "sign_in_with_passkey"): SIGNED_IN})
    answer = c.post("/sign-in/passkey", json={**ANSWER, "next": "/billing"},
                    base_url="http://localhost:8080")
    assert answer.status_code == 200 and answer.get_json() == {"redirect": "/billing"}
    ((args, _),) = asked(c, "sign_in_with_passkey")
    assert args == ("c1", ANSWER["credential"], LOCAL)
    assert "bizportal_session=" in answer.headers["Set-Cookie"]  # this browser signed in
    answer = c.post("/sign-in/passkey", json={**ANSWER, "next": "//evil.example/"},
                    base_url="http://localhost:8080")
    assert answer.get_json() == {"redirect": "/dashboard"}


def test_another_host_or_a_bad_body_is_a_problem_and_asks_identity_nothing(portal):
    c = portal({("identity", "sign_in_with_passkey"): SIGNED_IN,
                ("identity", "start_passkey_sign_in"): {"challenge_id": "c", "options": {}}})
    refused = c.post("/sign-in/passkey", json=ANSWER, base_url="http://evil.example")
    assert refused.status_code == 400 and "host" in refused.get_json()["errors"]
    refused = c.post("/sign-in/passkey", json=["not", "an", "object"],
                     base_url="http://localhost:8080")
    assert refused.status_code == 400 and {"challenge_id", "credential"} <= set(
        refused.get_json()["errors"])
    refused = c.post("/sign-in/passkey/options", json={"purpose": "register"},
                     base_url="https://portal.example")
    assert refused.status_code == 400
    assert asked(c, "sign_in_with_passkey") == [] and asked(c, "start_passkey_sign_in") == []
    options = c.post("/sign-in/passkey/options", json={}, base_url="https://portal.example")
    assert options.status_code == 200
    assert asked(c, "start_passkey_sign_in")[0][0][:2] == (
        {"id": "portal.example", "origin": "https://portal.example", "name": "BizPortal"},
        "sign_in")


def test_the_two_step_form_sends_its_passkey_answer_with_the_password(portal):
    c = portal({("identity", "sign_in"): SIGNED_IN})
    response = c.post("/", base_url="http://localhost:8080", data={
        "username": "sam.lee", "password": "pw", "totp_code": "",
        "passkey": json.dumps(ANSWER)})
    assert response.status_code == 302
    ((args, kwargs),) = asked(c, "sign_in")
    assert kwargs["passkey"] == ANSWER and kwargs["rp"] == LOCAL
    c = portal({("identity", "sign_in"): Unauthenticated("Enter the code.",
                                                         {"totp_required": True})})
    page = c.post("/", base_url="http://localhost:8080", data={
        "username": "sam.lee", "password": "pw", "passkey": "{not json"}).get_data(as_text=True)
    assert "Enter the code." in page  # a broken answer is no answer: the code is asked for
    ((args, kwargs),) = asked(c, "sign_in")
    assert kwargs["passkey"] is None and kwargs["rp"] is None
