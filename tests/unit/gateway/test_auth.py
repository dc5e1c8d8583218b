"""The gateway's authentication and role checks (gateway/auth/) with identity replaced by a
table-driven fake client: tokens verified locally, revoked sessions refused, account scope."""
import time

import pytest
from flask import g
from itsdangerous import URLSafeTimedSerializer

from gateway.auth import access, sessions, tokens
from gateway.app import create_app
from services.contracts.errors import Throttled, Unauthenticated
from services.runtime import config
from tests.support.fakes import FakeRpc

ROLES = {("u1", "4929000000000006"): "viewer", ("u1", "4111111111111111"): "admin"}


def fake_rpc(extra=None):
    answers = {
        ("identity", "get_account_role"): lambda user_id, number: ROLES.get((user_id, number)),
        ("identity", "get_user"): lambda user_id: {
            "user_id": user_id, "username": "sam.lee", "email": "sam@bluebird.example",
            "first_name": "Sam", "last_name": "Lee"},
        ("identity", "list_user_accounts"): lambda user_id: [
            {"account_number": "4929000000000006", "role": "viewer"}],
        ("identity", "end_session"): None,
        ("billing", "get_company_names"): lambda numbers: {n: "Bluebird Bakery" for n in numbers},
    }
    answers.update(extra or {})
    return FakeRpc(answers)


@pytest.fixture
def app(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        app = create_app(settings, rpc_client=rpc)

        @app.get("/api/v1/test-accounts/<account_number>/pay")
        @access.account_scope("pay")
        def pay(account_number):
            return {"role": g.account_role, "account": g.account_number}
        return app
    return make


def bearer(app, user_id="u1", session_id="s1"):
    with app.app_context():
        return {"Authorization": f"Bearer {tokens.issue_access_token(user_id, session_id, 'sam.lee')}"}


def test_a_valid_access_token_signs_the_caller_in_after_one_session_check(app):
    rpc = fake_rpc()
    application = app(rpc)
    response = application.test_client().get("/api/v1/me", headers=bearer(application))
    assert response.status_code == 200
    assert response.get_json()["username"] == "sam.lee"
    assert response.get_json()["accounts"] == [{"account_number": "4929000000000006",
                                                "company_name": "Bluebird Bakery",
                                                "role": "viewer"}]
    assert [c[1] for c in rpc.calls] == ["get_session", "get_user", "list_user_accounts",
                                         "get_company_names"]
    rpc.calls.clear()
    assert application.test_client().get("/api/v1/me", headers=bearer(application)).status_code == 200
    assert "get_session" not in [c[1] for c in rpc.calls]  # remembered (gateway/session_cache.py)


def test_missing_forged_and_expired_tokens_are_401_problems(app):
    application = app(fake_rpc())
    client = application.test_client()
    assert client.get("/api/v1/me").status_code == 401
    forged = URLSafeTimedSerializer("another key", salt=tokens._SALT).dumps(
        {"u": "u1", "s": "s1", "n": "sam.lee"})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    headers = bearer(application)
    real_time = time.time
    try:
        time.time = lambda: real_time() + sessions.ACCESS_TOKEN_SECONDS + 5
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    finally:
        time.time = real_time


def test_a_token_of_an_ended_session_is_refused(app):
    application = app(fake_rpc())
    client = application.test_client()
    headers = bearer(application, session_id="s-ended")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with application.app_context():
        sessions.revocations().add("s-ended")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_logout_ends_the_session_and_its_token_stops_working(app):
    rpc = fake_rpc()
    application = app(rpc)
    client = application.test_client()
    headers = bearer(application, session_id="s-out")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert ("identity", "end_session", ("s-out",), {}, rpc.calls[-1][4]) == rpc.calls[-1]
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_account_the_caller_has_no_role_on_is_404_and_a_role_without_the_action_403(app):
    application = app(fake_rpc())
    client = application.test_client()
    headers = bearer(application)
    assert client.get("/api/v1/test-accounts/4000000000000002/pay", headers=headers).status_code == 404
    assert client.get("/api/v1/test-accounts/4929000000000006/pay", headers=headers).status_code == 403
    ok = client.get("/api/v1/test-accounts/4111111111111111/pay", headers=headers)
    assert ok.status_code == 200 and ok.get_json() == {"role": "admin", "account": "4111111111111111"}
    assert client.get("/api/v1/test-accounts/4111111111111111/pay").status_code == 401


def test_login_returns_a_token_pair_that_the_gateway_accepts(app):
    rpc = fake_rpc({("identity", "sign_in"): {
        "user_id": "u1", "username": "sam.lee", "session_id": "s9", "refresh_token": "r" * 43}})
    application = app(rpc)
    client = application.test_client()
    body = client.post("/api/v1/auth/login",
                       json={"username": "sam.lee", "password": "violet staple orbit"}).get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == sessions.ACCESS_TOKEN_SECONDS
    assert body["refresh_token"] == "r" * 43
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


def test_bad_credentials_are_401_and_throttling_is_429_with_retry_after(app):
    client = app(fake_rpc({("identity", "sign_in"): Unauthenticated("No.")})).test_client()
    assert client.post("/api/v1/auth/login", json={"username": "a", "password": "b"}).status_code == 401
    client = app(fake_rpc({("identity", "sign_in"): Throttled("Wait.", 8)})).test_client()
    response = client.post("/api/v1/auth/login", json={"username": "a", "password": "b"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "8"


def test_signup_fields_are_validated_before_any_rpc(app):
    rpc = fake_rpc()
    client = app(rpc).test_client()
    response = client.post("/api/v1/signup", json={"account_number": "12", "username": "a b"})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert {"account_number", "username", "password", "email", "first_name", "last_name",
            "security_key"} <= set(errors)
    assert rpc.calls == []


def test_a_signed_out_browser_is_sent_to_sign_in_with_next(app):
    application = app(fake_rpc())

    @application.get("/test-page")
    @access.web_account_scope("view")
    def page():
        return "ok"
    response = application.test_client().get("/test-page")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/?next=")


def test_an_oversized_body_is_refused_before_any_rpc(app):
    rpc = fake_rpc()
    client = app(rpc).test_client()
    response = client.post("/api/v1/signup", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                           content_type="application/json")
    assert response.status_code == 413 and rpc.calls == []


def test_portal_pages_act_on_the_users_first_account_with_one_role_lookup(app):
    rpc = fake_rpc({("identity", "sign_in"): {
        "user_id": "u1", "username": "sam.lee", "session_id": "s9", "refresh_token": "r"}})
    application = app(rpc)
    application.config["WTF_CSRF_ENABLED"] = False

    @application.get("/test-view")
    @access.web_account_scope("view")
    def test_view():
        return {"account": g.account_number, "role": g.account_role}

    @application.get("/test-pay")
    @access.web_account_scope("pay")
    def test_pay():
        return "paid"
    client = application.test_client()
    client.post("/", data={"username": "sam.lee", "password": "pw"})
    rpc.calls.clear()
    assert client.get("/test-view").get_json() == {"account": "4929000000000006", "role": "viewer"}
    assert [c[1] for c in rpc.calls] == ["list_user_accounts"]
    rpc.calls.clear()
    client.get("/test-view")
    assert [c[1] for c in rpc.calls] == ["get_account_role"]  # the selection is re-checked
    assert client.get("/test-pay", headers={"Accept": "text/html"}).status_code == 403
