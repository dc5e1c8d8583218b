"""Input the fuzzing tests (tests/fuzz) found turning into 500s is refused by the gateway as a
problem document before any service sees it: text PostgreSQL cannot store (NUL, unpaired
surrogates) and run dates far enough off to overflow date arithmetic. Services are a fake."""
import pytest

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc

STAFF = {"Authorization": "Bearer staff-token"}


@pytest.fixture
def client(tmp_path):
    def make(answers=None):
        rpc = FakeRpc(answers or {})
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
        return create_app(settings, rpc_client=rpc).test_client(), rpc
    return make


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    return response.get_json()


def test_a_nul_character_in_a_json_field_is_a_400_naming_the_field(client):
    test_client, rpc = client()
    body = assert_problem(test_client.post("/api/v1/auth/forgot-password",
                                           json={"username": "ab\x00c"}), 400)
    assert list(body["errors"]) == ["username"]
    assert rpc.calls == []


def test_an_unpaired_surrogate_in_a_json_field_is_a_400(client):
    test_client, rpc = client()
    response = test_client.post("/api/v1/auth/forgot-username",
                                data='{"email": "a\\ud800@example.com"}',
                                content_type="application/json")
    assert assert_problem(response, 400)["errors"] == {"email": [
        "Contains a character we cannot accept (NUL or an unpaired surrogate)."]}
    assert rpc.calls == []


def test_a_nul_character_in_the_query_is_a_400(client):
    test_client, _ = client()
    response = test_client.get("/internal/v1/dead-letters?cursor=%00", headers=STAFF)
    assert "cursor" in assert_problem(response, 400)["errors"]


def test_a_nul_character_in_the_path_is_a_404_before_any_lookup(client):
    test_client, rpc = client()
    assert_problem(test_client.post("/internal/v1/accounts/12%0034/usage", json={"calls": []},
                                    headers=STAFF), 404)
    assert rpc.calls == []


def test_the_staff_token_is_still_checked_first(client):
    test_client, _ = client()
    assert_problem(test_client.get("/internal/v1/dead-letters?cursor=%00"), 401)


@pytest.mark.parametrize("path", ["/internal/v1/bill-runs", "/internal/v1/payment-runs",
                                  "/internal/v1/reminder-runs"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_run_dates_out_of_any_business_range_are_a_400(client, path, day):
    test_client, rpc = client()
    field = "statement_date" if path.endswith("bill-runs") else "run_date"
    response = test_client.post(path, json={field: day}, headers=STAFF)
    assert field in assert_problem(response, 400)["errors"]
    assert rpc.calls == []


def test_a_body_that_is_not_json_is_a_415_the_document_lists(client):
    from gateway.auth import tokens
    test_client, _ = client({("identity", "get_session"): {"active": True, "user_id": "u-1",
                                                           "username": "rosa"}})
    with test_client.application.test_request_context():
        token = tokens.issue_access_token("u-1", "s-1", "rosa")
    response = test_client.patch("/api/v1/me", data="email=a@b.example",
                                 content_type="application/x-www-form-urlencoded",
                                 headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 415)
    document = test_client.get("/api/v1/openapi.json").get_json()
    assert "415" in document["paths"]["/api/v1/me"]["patch"]["responses"]


def test_a_nul_character_in_a_portal_form_is_a_400_page_not_a_500(client):
    test_client, rpc = client()
    test_client.application.config["WTF_CSRF_ENABLED"] = False
    response = test_client.post("/forgot-password", data={"username": "ab\x00c"},
                                headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    assert rpc.calls == []
