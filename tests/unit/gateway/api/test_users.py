"""The security and users API in the gateway with identity replaced by a table-driven fake:
who may call what (one role table), field errors before any RPC, and who/where passed on for
the audit trail."""
import pytest

from gateway.app import create_app
from gateway.auth import tokens
from services.runtime import config
from tests.support.fakes import FakeRpc

VIEWED, MANAGED = "4929000000000006", "4111111111111111"
ROLES = {("u1", VIEWED): "viewer", ("u1", MANAGED): "admin"}


@pytest.fixture
def client(tmp_path):
    rpc = FakeRpc({
        ("identity", "get_account_role"): lambda user_id, number: ROLES.get((user_id, number)),
        ("identity", "list_account_users"): lambda number: [],
        ("identity", "invite_user"): lambda *a, **k: {"email": "a@b.example", "role": "viewer",
                                                      "expires_at": "2026-12-01T00:00:00+00:00"},
        ("identity", "list_account_audit"): {"items": [], "next_cursor": None},
        ("identity", "set_security_code"): None,
        ("identity", "check_current_password"): None,
        ("billing", "get_company_names"): lambda numbers: {n: "Bluebird" for n in numbers},
    })
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    app = create_app(settings, rpc_client=rpc)
    with app.app_context():
        token = tokens.issue_access_token("u1", "s1", "sam.lee")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    client.rpc = rpc
    return client


def methods(rpc):
    return [c[1] for c in rpc.calls if c[1] not in ("get_account_role", "get_session")]


def test_a_viewer_may_list_users_but_not_invite_or_read_the_audit_trail(client):
    assert client.get(f"/api/v1/accounts/{VIEWED}/users").status_code == 200
    refused = client.post(f"/api/v1/accounts/{VIEWED}/users",
                          json={"email": "a@b.example", "role": "viewer"})
    assert refused.status_code == 403
    assert client.get(f"/api/v1/accounts/{VIEWED}/audit").status_code == 403
    assert client.delete(f"/api/v1/accounts/{VIEWED}/users/u2").status_code == 403
    assert "invite_user" not in methods(client.rpc)


def test_an_account_the_caller_has_no_role_on_is_not_found(client):
    assert client.get("/api/v1/accounts/5555555555554444/users").status_code == 404


def test_an_admin_invites_with_who_and_where_passed_on(client):
    created = client.post(f"/api/v1/accounts/{MANAGED}/users", headers={"User-Agent": "unit"},
                          json={"email": "a@b.example", "role": "viewer",
                                "current_password": "mine"})
    assert created.status_code == 201
    # the admin's password is checked first and never passed on with the invitation
    assert methods(client.rpc)[:2] == ["check_current_password", "get_company_names"]
    (check,) = [c for c in client.rpc.calls if c[1] == "check_current_password"]
    assert check[2] == ("u1", "mine")
    (call,) = [c for c in client.rpc.calls if c[1] == "invite_user"]
    assert call[2][:2] == (MANAGED, "u1") and "current_password" not in call[2][2]
    assert call[3]["actor"]["user_agent"] == "unit" and call[3]["company_name"] == "Bluebird"


def test_malformed_bodies_are_field_errors_before_any_rpc(client):
    bad = client.post(f"/api/v1/accounts/{MANAGED}/users", json={"email": "x", "role": "boss"})
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"email", "role"}
    code = client.put("/api/v1/me/security-code",
                      json={"current_password": "p", "security_code": "١٢٣٤"})
    assert code.status_code == 400 and "security_code" in code.json["errors"]
    prefs = client.patch("/api/v1/me/security-preferences", json={"sign_in_alerts": "maybe"})
    assert prefs.status_code == 400
    assert client.post("/api/v1/me/2fa/totp/confirm", json={"code": "12"}).status_code == 400
    assert methods(client.rpc) == []


def test_challenge_questions_need_no_sign_in_but_security_settings_do(client):
    client.rpc.answers[("identity", "list_challenge_questions")] = {"items": [
        {"id": 1, "text": "What was the name of your first pet?"}]}
    del client.environ_base["HTTP_AUTHORIZATION"]
    assert client.get("/api/v1/challenge-questions").status_code == 200
    assert client.get("/api/v1/me/security-preferences").status_code == 401
