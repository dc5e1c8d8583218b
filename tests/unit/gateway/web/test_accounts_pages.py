"""The portal's pages for many accounts under one online ID (gateway/web/accounts_pages.py),
with services replaced by a table-driven fake client and a signed-in session cookie: the
switcher, My accounts' figures from one billing call, and paying several accounts at once
(one payment and one Idempotency-Key per account; a decline, a refusal or a role that may not
pay on one account stops none of the others)."""
import re
import time

import pytest

from gateway.app import create_app
from gateway.rpc import ServiceUnavailable
from services.contracts.errors import InvalidInput, Refused
from services.runtime import config
from tests.support.fakes import FakeRpc
from tests.support.portal_client import CURRENT_USAGE

A, B, C = "4929000000000006", "4111111111111111", "4000000000000002"
ROLES = {A: "admin", B: "billing", C: "viewer"}
OWED = {A: 12345, B: 500, C: 70000}
METHODS = {A: [{"id": "ma", "type": "card", "brand": "visa", "bank_name": None,
                "last4": "4242", "exp_month": 12, "exp_year": 2031}],
           B: [{"id": "mb", "type": "card", "brand": "visa", "bank_name": None,
                "last4": "0002", "exp_month": 12, "exp_year": 2031}], C: []}


def payment(number, body, key, status):
    return {"id": f"pay-{number[-4:]}", "status": status, "amount_cents": body["amount_cents"],
            "currency": "USD", "scheduled_for": None, "payment_method_id":
            body["payment_method_id"], "method_type": "card",
            "failure_reason": "Your card was declined." if status == "failed" else None,
            "last4": "0002" if status == "failed" else "4242", "kind": "one_time",
            "invoice_number": None, "created_at": "2026-11-24T00:00:00+00:00", "paid_at": None}


def fake_rpc(create=None):
    made = {}

    def create_payment(number, body, key, user_id=None):
        if create and number in create:
            answer = create[number]
            if isinstance(answer, Exception):
                raise answer
        made[number] = payment(number, body, key, "failed" if number == B else "succeeded")
        made[number]["key"] = key
        return made[number]

    rpc = FakeRpc({
        ("identity", "list_user_accounts"): lambda user_id: [
            {"account_number": n, "role": r} for n, r in ROLES.items()],
        ("identity", "get_account_role"): lambda user_id, number: ROLES.get(number),
        ("billing", "get_company_names"): lambda numbers: {n: f"Site {n[-4:]}" for n in numbers},
        ("billing", "get_account_summaries"): lambda numbers: {n: {
            "account_number": n, "company_name": f"Site {n[-4:]}", "amount_due_cents": OWED[n],
            "currency": "USD", "due_date": "2026-12-20"} for n in numbers},
        ("billing", "get_account_summary"): lambda n: {
            "account_number": n, "company_name": f"Site {n[-4:]}", "amount_due_cents": OWED[n],
            "currency": "USD", "due_date": "2026-12-20", "invoice_number": None,
            "past_due_cents": 0, "last_payment": None, "invoice_delivery": "paper"},
        ("billing", "list_statements"): {"items": [], "next_cursor": None},
        ("billing", "list_disputes"): {"items": [], "next_cursor": None},
        ("billing", "list_fraud_alerts"): {"items": [], "next_cursor": None},
        ("billing", "get_activity"): {"items": []},
        ("billing", "get_current_usage"): lambda n: {**CURRENT_USAGE, "account_number": n},
        ("payments", "get_autopay"): None,
        ("payments", "list_payment_methods"): lambda n: METHODS[n],
        ("payments", "create_payment"): create_payment,
        ("payments", "get_payment"): lambda n, payment_id: made[n],
    })
    rpc.made = made
    return rpc


@pytest.fixture
def client_for(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        app = create_app(settings, rpc_client=rpc)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        with client.session_transaction() as session:
            session["auth"] = {"u": "u1", "s": "s1", "n": "sam", "checked": time.time()}
            session["account"] = A
        return client
    return make


def calls(rpc, method):
    return [c for c in rpc.calls if c[1] == method]


def test_every_page_has_the_switcher_with_each_account_and_the_current_one_chosen(client_for):
    page = client_for(fake_rpc()).get("/dashboard").get_data(as_text=True)
    switcher = page[page.index('id="account-switcher"'):page.index("</select>")]
    assert re.findall(r'<option value="(\d+)"', switcher) == [A, B, C]
    assert re.search(rf'<option value="{A}" selected', switcher)
    assert "Switch account" in page and 'href="/accounts"' in page


def test_switching_changes_the_current_account_and_returns_to_the_page(client_for):
    client = client_for(fake_rpc())
    answer = client.post("/accounts/switch", data={"account_number": B, "next": "/billing"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/billing"
    with client.session_transaction() as session:
        assert session["account"] == B
    away = client.post("/accounts/switch", data={"account_number": B,
                                                 "next": "https://evil.example/"})
    assert away.headers["Location"] == "/dashboard"  # only a path on this site


def test_switching_to_an_account_one_has_no_role_on_is_not_found_and_changes_nothing(
        client_for):
    client = client_for(fake_rpc())
    answer = client.post("/accounts/switch", data={"account_number": "4242424242424242"},
                         headers={"Accept": "text/html"})
    assert answer.status_code == 404
    with client.session_transaction() as session:
        assert session["account"] == A


def test_my_accounts_shows_each_amount_and_the_total_from_one_billing_call(client_for):
    rpc = fake_rpc()
    page = client_for(rpc).get("/accounts").get_data(as_text=True)
    assert "$123.45" in page and "$5.00" in page and "$700.00" in page
    assert re.search(r'id="total-due"><strong>\$828\.45<', page)
    assert [c[2] for c in calls(rpc, "get_account_summaries")] == [([A, B, C],)]
    assert calls(rpc, "get_company_names") == []  # the switcher reuses the page's list
    for label in ("Account number", "Security key", "Add account"):
        assert label in page


def test_a_refused_link_is_flashed_and_a_linked_account_becomes_the_current_one(client_for):
    refusing = fake_rpc()
    refusing.answers[("identity", "link_account")] = Refused("We could not match that.")
    client = client_for(refusing)
    client.post("/accounts/link", data={"account_number": B, "security_key": "nope"})
    assert "We could not match that." in client.get("/accounts").get_data(as_text=True)
    linking = fake_rpc()
    linking.answers[("identity", "link_account")] = lambda user_id, body, actor=None: {
        "account_number": body["account_number"], "role": "admin"}
    client = client_for(linking)
    assert client.post("/accounts/link", data={"account_number": B, "security_key": "K"}
                       ).headers["Location"] == "/accounts"
    assert calls(linking, "link_account")[0][2][1] == {"account_number": B,
                                                       "security_key": "K"}
    with client.session_transaction() as session:
        assert session["account"] == B


def test_the_multi_pay_form_lists_only_accounts_one_may_pay_each_with_its_own_key(client_for):
    page = client_for(fake_rpc()).get("/accounts/pay").get_data(as_text=True)
    keys = re.findall(r'name="key-(\d+)" value="([0-9a-f-]{36})"', page)
    assert [n for n, _ in keys] == [A, B]  # the viewer's account C is not offered
    assert len({k for _, k in keys}) == 2
    assert f"Amount (USD) for {A}" in page and 'value="123.45"' in page


def test_one_payment_per_account_a_decline_and_a_refusal_stop_none_of_the_others(client_for):
    rpc = fake_rpc(create={A: InvalidInput({"amount_cents": ["More than this account may "
                                                             "pay at once."]})})
    client = client_for(rpc)
    form = {f"amount-{A}": "99999", f"method-{A}": "ma", f"key-{A}": "key-a",
            f"amount-{B}": "5.00", f"method-{B}": "mb", f"key-{B}": "key-b",
            f"amount-{C}": "1.00", f"method-{C}": "mc", f"key-{C}": "key-c"}
    answer = client.post("/accounts/pay", data=form)
    assert answer.headers["Location"] == "/accounts/pay/confirmation"
    made = calls(rpc, "create_payment")
    assert [(c[2][0], c[2][2]) for c in made] == [(A, "key-a"), (B, "key-b")]  # not C
    page = client.get("/accounts/pay/confirmation").get_data(as_text=True)
    assert page.count('class="payment-result') == 3
    assert "Amount: More than this account may pay at once." in page
    assert "Your card was declined." in page and "Nothing was charged." in page
    assert "Your role on this account (viewer) may not do that." in page


def test_each_account_is_paid_once_per_key_and_payments_down_is_unconfirmed_not_lost(
        client_for):
    rpc = fake_rpc(create={B: ServiceUnavailable("payments")})
    client = client_for(rpc)
    client.post("/accounts/pay", data={f"amount-{A}": "123.45", f"method-{A}": "ma",
                                       f"key-{A}": "key-a", f"amount-{B}": "5",
                                       f"method-{B}": "mb", f"key-{B}": "key-b"})
    page = client.get("/accounts/pay/confirmation").get_data(as_text=True)
    assert "Paid $123.45: received." in page
    assert "Submitting the same form again is safe" in page
    [(_, _, args, kwargs, _)] = [c for c in calls(rpc, "create_payment") if c[2][0] == A]
    assert args == (A, {"amount_cents": 12345, "payment_method_id": "ma"}, "key-a")


def test_the_pay_pages_read_the_accounts_once_for_the_page_and_its_switcher(client_for):
    rpc = fake_rpc()
    client = client_for(rpc)
    client.get("/accounts/pay")
    assert len(calls(rpc, "get_account_summaries")) == 1
    assert calls(rpc, "get_company_names") == []  # the switcher reuses the page's list
    client.post("/accounts/pay", data={f"amount-{A}": "1.00", f"method-{A}": "ma",
                                       f"key-{A}": "key-a"})
    rpc.calls.clear()
    page = client.get("/accounts/pay/confirmation").get_data(as_text=True)
    assert 'id="account-switcher"' in page
    assert len(calls(rpc, "list_user_accounts")) == len(calls(rpc, "get_company_names")) == 1


def test_a_form_without_any_amount_pays_nothing(client_for):
    rpc = fake_rpc()
    client = client_for(rpc)
    answer = client.post("/accounts/pay", data={f"amount-{A}": "", f"key-{A}": "k"})
    assert answer.headers["Location"] == "/accounts/pay"
    assert calls(rpc, "create_payment") == []
