"""gateway/api/accounts.py with a fake RPC client: linking another account (the body reaches
identity as sent, with the caller and their address; identity's refusals become problem
documents: 422, 429 with Retry-After) and the account list while billing is away (503)."""
import pytest

from gateway.app import create_app
from gateway.auth import tokens
from services.contracts.errors import Refused, Throttled
from services.runtime import config
from tests.support.fakes import FakeRpc

NUMBER = "4111111111111111"
BODY = {"account_number": NUMBER, "security_key": "ABCD2345"}


@pytest.fixture
def make_app(tmp_path):
    def make(answers, down=()):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token",
                                "SECRET_KEY": "k" * 32})
        rpc = FakeRpc(answers, down=down)
        return create_app(settings, rpc_client=rpc), rpc
    return make


def bearer(app, user_id="u1"):
    with app.test_request_context():
        return {"Authorization": "Bearer " + tokens.issue_access_token(user_id, "s1", "dana")}


def test_a_link_goes_to_identity_for_the_caller_and_answers_201(make_app):
    app, rpc = make_app({("identity", "link_account"): lambda user_id, body, actor=None: {
        "account_number": body["account_number"], "role": "admin"}})
    response = app.test_client().post("/api/v1/me/accounts", json=BODY, headers=bearer(app))
    assert response.status_code == 201
    assert response.get_json() == {"account_number": NUMBER, "role": "admin"}
    [(_, _, args, kwargs, _)] = [c for c in rpc.calls if c[1] == "link_account"]
    assert args == ("u1", BODY)
    assert kwargs["actor"]["user_id"] == "u1" and kwargs["actor"]["ip"]


def test_identitys_refusal_is_a_422_and_its_throttle_a_429_with_retry_after(make_app):
    app, _ = make_app({("identity", "link_account"): Refused("We could not match that.")})
    refused = app.test_client().post("/api/v1/me/accounts", json=BODY, headers=bearer(app))
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == "We could not match that."
    app, _ = make_app({("identity", "link_account"): Throttled("Too many.", retry_after=42)})
    throttled = app.test_client().post("/api/v1/me/accounts", json=BODY, headers=bearer(app))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "42"


def test_a_malformed_link_never_reaches_identity(make_app):
    app, rpc = make_app({})
    response = app.test_client().post("/api/v1/me/accounts", headers=bearer(app),
                                      json={"account_number": "1234"})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"account_number", "security_key"}
    assert [c for c in rpc.calls if c[1] == "link_account"] == []


def test_the_account_list_is_a_503_while_billing_is_away(make_app):
    app, _ = make_app({("identity", "list_user_accounts"): [
        {"account_number": NUMBER, "role": "admin"}]}, down={"billing"})
    response = app.test_client().get("/api/v1/accounts", headers=bearer(app))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.mimetype == "application/problem+json"
