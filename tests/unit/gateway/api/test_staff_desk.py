"""The staff desk's endpoints with a fake RPC client: finding an account (the query checked
before billing is asked) and one account's overview (billing, payments and identity joined;
any of them down is a 503 naming it)."""
import pytest

from gateway.app import create_app
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import config
from tests.support.fakes import FakeRpc

STAFF = {"Authorization": "Bearer staff-token"}
NUMBER = "4000000000000002"
ITEM = {"account_number": NUMBER, "company_name": "Harbor Co", "email": "ops@harbor.example",
        "phone": "+13125550101", "status": "active", "balance_cents": 1250}
OVERVIEW = {"account_number": NUMBER, "status": "active",
            "profile": {"company_name": "Harbor Co", "contact_name": "Pat",
                        "email": "ops@harbor.example", "phone": "+13125550101",
                        "billing_address": {"line1": "1 Main St", "line2": None,
                                            "city": "Chicago", "state": "IL",
                                            "postal_code": "60611"}},
            "invoice_delivery": "paper", "bill_cycle_day": 1, "opened_on": "2026-01-01",
            "services": [], "balance_cents": 0, "amount_due_cents": 0, "past_due_cents": 0,
            "currency": "USD", "statements": [], "open_disputes": []}  # billing's, as of issue 15
PAYMENT = {"id": "p1", "status": "succeeded", "amount_cents": 500, "currency": "USD"}
USER = {"user_id": "u1", "username": "pat", "email": "pat@harbor.example", "role": "admin"}
DESK = {("billing", "search_accounts"): {"items": [ITEM], "next_cursor": "abc"},
        ("billing", "get_account_overview"): lambda n: dict(OVERVIEW),
        ("payments", "list_payments"): {"items": [PAYMENT], "next_cursor": None},
        ("identity", "list_account_users"): [USER]}


@pytest.fixture
def make_client(tmp_path):
    def make(answers=None, down=()):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token",
                                "SECRET_KEY": "k" * 32})
        rpc = FakeRpc({**DESK, **(answers or {})}, down=down)
        return create_app(settings, rpc_client=rpc).test_client(), rpc
    return make


def test_a_search_passes_q_limit_and_cursor_to_billing(make_client):
    client, rpc = make_client()
    response = client.get("/internal/v1/accounts?q=harbor&limit=5&cursor=xyz", headers=STAFF)
    assert response.status_code == 200
    assert response.get_json() == {"items": [ITEM], "next_cursor": "abc"}
    assert rpc.calls[-1][:3] == ("billing", "search_accounts", ("harbor", 5, "xyz"))


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("q=", "q"), ("q=" + "x" * 101, "q"), ("q=a%0Ab", "q"), ("q=a%E2%80%AEb", "q"),
    ("q=a&limit=0", "limit"), ("q=a&limit=101", "limit"), ("q=a&limit=x", "limit"),
])
def test_a_bad_query_is_a_400_naming_the_field_and_billing_is_not_asked(make_client, query,
                                                                         field):
    client, rpc = make_client()
    response = client.get(f"/internal/v1/accounts?{query}", headers=STAFF)
    assert response.status_code == 400, response.get_json()
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert not [c for c in rpc.calls if c[1] == "search_accounts"]


def test_billing_refusing_a_cursor_is_a_400(make_client):
    client, _ = make_client({("billing", "search_accounts"): InvalidInput(
        {"cursor": ["Not a cursor this search gave out."]})})
    response = client.get("/internal/v1/accounts?q=a&cursor=zz", headers=STAFF)
    assert response.status_code == 400 and "cursor" in response.get_json()["errors"]


def test_search_and_overview_refuse_a_customer_token_and_no_token(make_client):
    client, rpc = make_client()
    for url in ("/internal/v1/accounts?q=a", f"/internal/v1/accounts/{NUMBER}"):
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"Authorization": "Bearer not-the-token"}
                          ).status_code in (401, 403)
    assert not rpc.calls


def test_the_overview_joins_billing_payments_and_identity(make_client):
    client, rpc = make_client()
    response = client.get(f"/internal/v1/accounts/{NUMBER}", headers=STAFF)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "active" and body["profile"]["company_name"] == "Harbor Co"
    assert body["recent_payments"][0]["id"] == "p1"
    assert body["users"] == [USER] and body["open_disputes"] == []
    assert [(c[0], c[1]) for c in rpc.calls] == [("billing", "get_account_overview"),
                                                 ("payments", "list_payments"),
                                                 ("identity", "list_account_users")]


def test_an_unknown_account_is_a_404_and_nobody_else_is_asked(make_client):
    client, rpc = make_client({("billing", "get_account_overview"): NotFound("No account.")})
    response = client.get(f"/internal/v1/accounts/{NUMBER}", headers=STAFF)
    assert response.status_code == 404
    assert [c[0] for c in rpc.calls] == ["billing"]


@pytest.mark.parametrize("service", ["billing", "payments", "identity"])
def test_the_overview_is_a_503_naming_a_service_that_does_not_answer(make_client, service):
    client, _ = make_client(down={service})
    response = client.get(f"/internal/v1/accounts/{NUMBER}", headers=STAFF)
    assert response.status_code == 503 and response.headers.get("Retry-After")
    assert response.get_json()["service"] == service


def test_the_search_is_a_503_while_billing_does_not_answer(make_client):
    client, _ = make_client(down={"billing"})
    response = client.get("/internal/v1/accounts?q=a", headers=STAFF)
    assert response.status_code == 503 and response.headers.get("Retry-After")
