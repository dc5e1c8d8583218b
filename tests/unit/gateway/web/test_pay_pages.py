"""The /pay portal page with services replaced by a table-driven fake client and a signed-in
session cookie: forms post to the payments RPCs, refusals are flashed in words."""
import time

import pytest

from gateway.app import create_app
from services.contracts.errors import InvalidInput
from services.runtime import config
from tests.support.fakes import FakeRpc

ACCOUNT = "4929000000000006"
SUMMARY = {"account_number": ACCOUNT, "company_name": "Bluebird", "amount_due_cents": 12345,
           "currency": "USD", "due_date": "2026-12-20", "invoice_number": "INV-1",
           "past_due_cents": 0, "last_payment": None, "invoice_delivery": "paper"}
METHOD = {"id": "m1", "type": "card", "brand": "visa", "bank_name": None, "last4": "4242",
          "exp_month": 12, "exp_year": 2031}
PAYMENT = {"id": "p1", "status": "failed", "amount_cents": 12345, "currency": "USD",
           "scheduled_for": None, "failure_reason": "Your card was declined.",
           "payment_method_id": "m1", "method_type": "card", "last4": "0002",
           "kind": "one_time", "invoice_number": None, "created_at": "2026-11-24T00:00:00+00:00",
           "paid_at": None}


def fake_rpc(role="billing", extra=None):
    answers = {
        ("identity", "get_account_role"): lambda user_id, number: role,
        ("billing", "get_account_summary"): SUMMARY,
        ("payments", "get_autopay"): None,
        ("payments", "list_payment_methods"): [METHOD],
        ("payments", "list_payments"): {"items": [PAYMENT], "next_cursor": None},
        ("payments", "create_payment"): lambda *a, **k: PAYMENT,
        ("payments", "get_payment"): PAYMENT,
    }
    answers.update(extra or {})
    return FakeRpc(answers)


@pytest.fixture
def client_for(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        app = create_app(settings, rpc_client=rpc)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        with client.session_transaction() as session:
            session["auth"] = {"u": "u1", "s": "s1", "n": "sam", "checked": time.time()}
            session["account"] = ACCOUNT
        return client
    return make


def test_the_pay_page_shows_amount_due_methods_and_labelled_fields(client_for):
    page = client_for(fake_rpc()).get("/pay").get_data(as_text=True)
    assert "$123.45" in page and "Visa ending in 4242" in page
    for label in ("Card number", "Expiration month", "Expiration year", "CVC",
                  "Routing number", "Pay now", "Add card", "Turn autopay on"):
        assert label in page


def test_paying_amount_in_dollars_sends_cents_and_the_forms_key(client_for):
    rpc = fake_rpc()
    response = client_for(rpc).post("/pay", data={
        "amount": "1,234.50", "payment_method_id": "m1", "idempotency_key": "form-key"})
    assert response.status_code == 302 and response.location.endswith("/pay/payments/p1")
    call = [c for c in rpc.calls if c[1] == "create_payment"][0]
    assert call[2][1]["amount_cents"] == 123450 and call[2][2] == "form-key"


def test_a_declined_payment_shows_its_reason_on_the_confirmation(client_for):
    page = client_for(fake_rpc()).get("/pay/payments/p1").get_data(as_text=True)
    assert "did not go through" in page and "Your card was declined." in page


def test_an_invalid_card_is_flashed_with_the_fields_label(client_for):
    client = client_for(fake_rpc(extra={("payments", "add_payment_method"): InvalidInput(
        {"card_number": ["This card number is not valid."]})}))
    client.post("/pay/methods", data={"type": "card", "card_number": "4242424242424241"})
    page = client.get("/pay").get_data(as_text=True)
    assert "Card number: This card number is not valid." in page
    assert "4242424242424241" not in page


def test_a_bad_amount_is_refused_before_any_payment(client_for):
    rpc = fake_rpc()
    client = client_for(rpc)
    client.post("/pay", data={"amount": "12.345", "payment_method_id": "m1",
                              "idempotency_key": "k"})
    assert not [c for c in rpc.calls if c[1] == "create_payment"]
    assert "Amount: Enter dollars and cents" in client.get("/pay").get_data(as_text=True)


def test_a_viewer_sees_the_page_without_pay_forms_and_cannot_post(client_for):
    client = client_for(fake_rpc(role="viewer"))
    page = client.get("/pay").get_data(as_text=True)
    assert "Pay now" not in page and "not make them" in page
    assert client.post("/pay", data={"amount": "1.00", "payment_method_id": "m1",
                                      "idempotency_key": "k"}).status_code == 403
