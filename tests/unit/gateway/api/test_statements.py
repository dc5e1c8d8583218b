"""The gateway's billing endpoints with a fake RPC client: staff usage and bill runs, and the
account-scoped statement endpoints (authorisation, CSV streaming, PDF)."""
import base64

import pytest

from gateway.app import create_app
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import config
from tests.support.fakes import FakeRpc

STAFF = {"Authorization": "Bearer staff-token"}
NUMBER = "4000000000000002"


@pytest.fixture
def make_app(tmp_path):
    def make(answers):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token",
                                "SECRET_KEY": "k" * 32})
        rpc = FakeRpc(answers)
        app = create_app(settings, rpc_client=rpc)
        return app, rpc
    return make


def bearer(app, user_id="u1"):
    from gateway.auth import tokens
    with app.test_request_context():
        return {"Authorization": "Bearer " + tokens.issue_access_token(user_id, "s1", "dana")}


def test_usage_goes_to_billing_unparsed_and_its_field_errors_are_a_400(make_app):
    errors = InvalidInput({"calls": {"0": {"from_number": ["A phone number in E.164 form."]}}})
    app, rpc = make_app({("billing", "load_usage"): errors})
    response = app.test_client().post(f"/internal/v1/accounts/{NUMBER}/usage", headers=STAFF,
                                      json={"calls": [{"from_number": "x"}]})
    assert response.status_code == 400
    assert response.get_json()["errors"]["calls"]["0"]["from_number"]
    assert rpc.calls[0][2] == (NUMBER, {"calls": [{"from_number": "x"}]})


def test_a_bill_run_needs_a_date_and_returns_the_count(make_app):
    app, rpc = make_app({("billing", "issue_statements"): {"statements_issued": 3}})
    client = app.test_client()
    assert client.post("/internal/v1/bill-runs", headers=STAFF, json={}).status_code == 400
    response = client.post("/internal/v1/bill-runs", headers=STAFF,
                           json={"statement_date": "2026-11-01"})
    assert response.status_code == 200 and response.get_json() == {"statements_issued": 3}


def test_statement_endpoints_answer_404_for_an_account_the_caller_is_not_a_user_of(make_app):
    app, rpc = make_app({("identity", "get_account_role"): None})
    client = app.test_client()
    headers = bearer(app)
    for path in ("summary", "statements", "statements/2611011/pdf", "statements/2611011",
                 "statements/2611011/calls.csv", "activity"):
        response = client.get(f"/api/v1/accounts/{NUMBER}/{path}", headers=headers)
        assert response.status_code == 404, path
    assert not [c for c in rpc.calls if c[0] == "billing"]
    assert client.get(f"/api/v1/accounts/{NUMBER}/summary").status_code == 401


def test_the_calls_csv_is_streamed_page_by_page(make_app):
    pages = {None: {"csv": "date,time,from,to,type,duration_seconds,charge\r\n", "cursor": "a"},
             "a": {"csv": "2026-10-01,09:00:00,+1,+2,local,60,0.00\r\n", "cursor": "b"},
             "b": {"csv": "2026-10-01,09:01:00,+1,+2,local,61,0.00\r\n", "cursor": None}}
    app, rpc = make_app({("identity", "get_account_role"): "viewer",
                         ("billing", "get_calls_csv_page"): lambda n, i, c, **_: pages[c]})
    response = app.test_client().get(f"/api/v1/accounts/{NUMBER}/statements/X1/calls.csv",
                                     headers=bearer(app))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.get_data(as_text=True).splitlines()[1:] == [
        "2026-10-01,09:00:00,+1,+2,local,60,0.00", "2026-10-01,09:01:00,+1,+2,local,61,0.00"]


def test_an_unknown_invoice_csv_is_a_404_problem_not_a_broken_stream(make_app):
    app, _ = make_app({("identity", "get_account_role"): "viewer",
                       ("billing", "get_calls_csv_page"): NotFound("No statement.")})
    response = app.test_client().get(f"/api/v1/accounts/{NUMBER}/statements/X1/calls.csv",
                                     headers=bearer(app))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_the_pdf_is_served_as_application_pdf(make_app):
    app, _ = make_app({("identity", "get_account_role"): "billing",
                       ("billing", "get_statement_pdf"): base64.b64encode(b"%PDF-1.4 x").decode()})
    response = app.test_client().get(f"/api/v1/accounts/{NUMBER}/statements/X1/pdf",
                                     headers=bearer(app))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_accounts_list_carries_names_and_what_each_owes_from_one_billing_call(make_app):
    other = "4111111111111111"
    app, rpc = make_app({
        ("identity", "list_user_accounts"): [{"account_number": NUMBER, "role": "admin"},
                                             {"account_number": other, "role": "viewer"}],
        ("billing", "get_account_summaries"): {NUMBER: {
            "account_number": NUMBER, "company_name": "Harbor Street Dental, LLC",
            "amount_due_cents": 12345, "currency": "USD", "due_date": "2026-12-22"}}})
    response = app.test_client().get("/api/v1/accounts", headers=bearer(app))
    assert response.get_json() == {"items": [
        {"account_number": NUMBER, "role": "admin", "company_name": "Harbor Street Dental, LLC",
         "amount_due_cents": 12345, "currency": "USD", "due_date": "2026-12-22"},
        # one billing does not know: listed, its figures null rather than made up
        {"account_number": other, "role": "viewer", "company_name": None,
         "amount_due_cents": None, "currency": None, "due_date": None}]}
    billing_calls = [c for c in rpc.calls if c[0] == "billing"]
    assert [(c[1], c[2]) for c in billing_calls] == [
        ("get_account_summaries", ([NUMBER, other],))]


def test_the_summary_still_answers_when_payments_is_down_and_says_autopay_is_unknown(make_app):
    summary = {"account_number": NUMBER, "company_name": "Acme", "amount_due_cents": 1234,
               "currency": "USD", "due_date": "2026-12-01", "invoice_number": "I-1",
               "past_due_cents": 0, "last_payment": None, "invoice_delivery": "paper"}
    app, rpc = make_app({("identity", "get_account_role"): "viewer",
                         ("billing", "get_account_summary"): dict(summary)})
    rpc.down.add("payments")
    response = app.test_client().get(f"/api/v1/accounts/{NUMBER}/summary", headers=bearer(app))
    assert response.status_code == 200
    body = response.get_json()
    assert body["amount_due_cents"] == 1234
    assert body["autopay"] is None and body["autopay_unavailable"] is True
