"""Access is checked before anything reads the request (gateway.auth.access.authorize as each API
blueprint's first hook), and the OpenAPI document says who may call each operation. The gateway
in-process; identity is a table-driven fake client."""
import pytest

from gateway.api import ApiBlueprint, access_doc
from gateway.app import create_app
from gateway.auth import access, tokens
from services.runtime import config
from tests.support.fakes import FakeRpc

NUMBER = "4929000000000006"
INVALID = ["not", "an", "object"]


@pytest.fixture
def app(tmp_path):
    rpc = FakeRpc({("identity", "get_account_role"):
                   lambda user_id, number: {"viewer-1": "viewer"}.get(user_id)})
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32,
                            "ADMIN_TOKEN": "staff-token"})
    return create_app(settings, rpc_client=rpc)


def bearer(app, user_id):
    with app.app_context():
        return {"Authorization": f"Bearer {tokens.issue_access_token(user_id, 's1', 'lee')}"}


@pytest.mark.parametrize("path", [f"/api/v1/accounts/{NUMBER}/payments",
                                  f"/api/v1/accounts/{NUMBER}/users"])
def test_an_invalid_body_from_a_caller_without_the_right_is_refused_for_who_they_are(app, path):
    client = app.test_client()
    assert client.post(path, json=INVALID).status_code == 401
    assert client.post(path, json=INVALID, headers=bearer(app, "viewer-1")).status_code == 403
    assert client.post(path, json=INVALID, headers=bearer(app, "stranger")).status_code == 404
    assert client.post("/internal/v1/bill-runs", json=INVALID).status_code == 401
    assert client.post("/internal/v1/bill-runs", json=INVALID,
                       headers=bearer(app, "viewer-1")).status_code == 403


def test_the_document_says_who_may_call_each_operation(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    pay = paths["/api/v1/accounts/{account_number}/payments"]["post"]
    assert pay["x-required-role"] == "billing" and pay["x-allowed-roles"] == ["billing", "admin"]
    assert paths["/api/v1/me"]["get"]["x-required-role"] == "signed-in"
    assert paths["/api/v1/auth/login"]["post"]["x-required-role"] == "public"
    staff = app.test_client().get("/internal/v1/openapi.json", headers={
        "Authorization": f"Bearer {app.config['ADMIN_TOKEN']}"}).get_json()["paths"]
    assert staff["/internal/v1/bill-runs"]["post"]["x-required-role"] == "staff"
    assert access_doc((access.ACCOUNT, "manage")) == {"x-required-role": "admin",
                                                    "x-allowed-roles": ["admin"]}


def test_a_view_nobody_classified_is_left_out_of_the_document_s_roles():
    bp = ApiBlueprint("unclassified", __name__)

    @bp.get("/forgotten")
    @bp.doc(operationId="getForgotten")
    def forgotten():
        return {}
    docs = bp._docs["forgotten"]["get"]
    assert "x-required-role" not in docs.get("manual_doc", {})
    assert access.access_of(forgotten) is None


def test_a_view_without_a_chosen_operation_id_is_refused_at_import():
    bp = ApiBlueprint("unnamed", __name__)
    with pytest.raises(TypeError, match="operationId"):
        @bp.get("/unnamed")
        @access.public
        def unnamed():
            return {}
