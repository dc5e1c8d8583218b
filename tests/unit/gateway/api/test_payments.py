"""The payments API in the gateway with services replaced by a table-driven fake client:
role checks, the Idempotency-Key passed through, 400s before any RPC, the staff payment run."""
import pytest

from gateway.app import create_app
from gateway.auth import tokens
from services.contracts.errors import Conflict
from services.runtime import config
from tests.support.fakes import FakeRpc

ACCOUNT = "4929000000000006"
ROLES = {("payer", ACCOUNT): "billing", ("looker", ACCOUNT): "viewer"}
PAYMENT = {"id": "p1", "status": "succeeded", "amount_cents": 100, "currency": "USD",
           "scheduled_for": None, "failure_reason": None, "payment_method_id": "m1",
           "method_type": "card", "last4": "4242", "kind": "one_time", "invoice_number": None,
           "created_at": "2026-11-24T00:00:00+00:00", "paid_at": "2026-11-24T00:00:00+00:00"}


def fake_rpc(extra=None):
    answers = {
        ("identity", "get_account_role"): lambda user_id, number: ROLES.get((user_id, number)),
        ("payments", "create_payment"): lambda *a, **k: PAYMENT,
        ("payments", "add_payment_method"): lambda n, body: {"id": "m1", "type": "card",
                                                             "brand": "visa", "last4": "4242"},
        ("payments", "get_autopay"): None,
        ("payments", "run_payments"): {"payments_attempted": 3, "settled": 0, "returned": 0},
    }
    answers.update(extra or {})
    return FakeRpc(answers)


@pytest.fixture
def make(tmp_path):
    def build(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32,
                                "ADMIN_TOKEN": "staff-token"})
        app = create_app(settings, rpc_client=rpc)
        return app, app.test_client()
    return build


def bearer(app, user_id):
    with app.app_context():
        return {"Authorization": f"Bearer {tokens.issue_access_token(user_id, 's1', user_id)}"}


def test_a_billing_user_pays_with_the_idempotency_key_passed_to_the_service(make):
    rpc = fake_rpc()
    app, client = make(rpc)
    response = client.post(f"/api/v1/accounts/{ACCOUNT}/payments",
                           json={"amount_cents": 100, "payment_method_id": "m1"},
                           headers={**bearer(app, "payer"), "Idempotency-Key": "abc"})
    assert response.status_code == 201 and response.get_json()["id"] == "p1"
    call = [c for c in rpc.calls if c[1] == "create_payment"][0]
    assert call[2][2] == "abc" and call[3] == {"user_id": "payer"}


def test_a_viewer_may_look_but_not_pay_or_add_a_card(make):
    rpc = fake_rpc()
    app, client = make(rpc)
    headers = {**bearer(app, "looker"), "Idempotency-Key": "abc"}
    assert client.post(f"/api/v1/accounts/{ACCOUNT}/payments",
                       json={"amount_cents": 100, "payment_method_id": "m1"},
                       headers=headers).status_code == 403
    card = {"type": "card", "card_number": "4242424242424242", "exp_month": 1,
            "exp_year": 2031, "cvc": "123", "name": "x", "postal_code": "10004"}
    assert client.post(f"/api/v1/accounts/{ACCOUNT}/payment-methods", json=card,
                       headers=headers).status_code == 403
    assert client.get(f"/api/v1/accounts/{ACCOUNT}/autopay", headers=headers).get_json() == {
        "enabled": False, "payment_method_id": None, "max_amount_cents": None,
        "next_draft": None}
    assert not [c for c in rpc.calls if c[0] == "payments" and c[1] != "get_autopay"]


def test_a_malformed_amount_is_a_400_and_nothing_reaches_the_service(make):
    rpc = fake_rpc()
    app, client = make(rpc)
    response = client.post(f"/api/v1/accounts/{ACCOUNT}/payments",
                           json={"amount_cents": -5, "payment_method_id": "m1"},
                           headers={**bearer(app, "payer"), "Idempotency-Key": "abc"})
    assert response.status_code == 400 and "amount_cents" in response.get_json()["errors"]
    assert not [c for c in rpc.calls if c[0] == "payments"]


def test_a_reused_key_with_another_body_is_a_409_problem(make):
    app, client = make(fake_rpc({("payments", "create_payment"): Conflict("reused")}))
    response = client.post(f"/api/v1/accounts/{ACCOUNT}/payments",
                           json={"amount_cents": 100, "payment_method_id": "m1"},
                           headers={**bearer(app, "payer"), "Idempotency-Key": "abc"})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"


def test_another_persons_account_is_not_found(make):
    app, client = make(fake_rpc())
    response = client.get("/api/v1/accounts/4111111111111111/payments",
                          headers=bearer(app, "payer"))
    assert response.status_code == 404


def test_staff_run_payments_for_a_date(make):
    rpc = fake_rpc()
    _app, client = make(rpc)
    headers = {"Authorization": "Bearer staff-token"}
    response = client.post("/internal/v1/payment-runs", json={"run_date": "2026-12-20"},
                           headers=headers)
    assert response.status_code == 200 and response.get_json()["payments_attempted"] == 3
    assert rpc.calls[-1][2] == ("2026-12-20",)
    assert client.post("/internal/v1/payment-runs", json={"run_date": "soon"},
                       headers=headers).status_code == 400


def test_the_payment_endpoints_are_in_the_openapi_document(make):
    _app, client = make(fake_rpc())
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/accounts/{account_number}/payments" in paths
    staff = client.get("/internal/v1/openapi.json", headers={
        "Authorization": f"Bearer {_app.config['ADMIN_TOKEN']}"}).get_json()["paths"]
    assert "/internal/v1/payment-runs" in staff
    post = paths["/api/v1/accounts/{account_number}/payments"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
