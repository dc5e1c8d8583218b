"""gateway/clients/accounts.py with the services replaced by a table-driven fake client: the
join of identity's accounts and billing's company names, the summary while payments is down,
and the request id each call passes on."""
import pytest
from flask import g

from gateway.app import create_app
from gateway.clients import accounts, billing
from services.runtime import config
from tests.support.fakes import FakeRpc

ACCOUNT, OTHER = "4929000000000006", "4111111111111111"
SUMMARY = {"account_number": ACCOUNT, "amount_due_cents": 100}


@pytest.fixture
def within(tmp_path):
    """Runs a function inside a request of an app on ``rpc``; returns its result."""
    def run(rpc, function, *args):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32,
                                "ADMIN_TOKEN": "staff-token"})
        app = create_app(settings, rpc_client=rpc)
        with app.test_request_context("/"):
            g.request_id = "req-1"
            return function(*args)
    return run


def test_the_accounts_a_user_may_see_come_with_their_company_names_in_two_calls(within):
    rpc = FakeRpc({
        ("identity", "list_user_accounts"): [{"account_number": ACCOUNT, "role": "admin"},
                                             {"account_number": OTHER, "role": "viewer"}],
        ("billing", "get_company_names"): lambda numbers: {ACCOUNT: "Northwind"}})
    assert within(rpc, accounts.accounts_of, "u1") == [
        {"account_number": ACCOUNT, "role": "admin", "company_name": "Northwind"},
        {"account_number": OTHER, "role": "viewer", "company_name": None}]
    assert [(c[1], c[2], c[4]) for c in rpc.calls] == [
        ("list_user_accounts", ("u1",), "req-1"),
        ("get_company_names", ([ACCOUNT, OTHER],), "req-1")]


def test_a_user_without_accounts_costs_billing_nothing(within):
    rpc = FakeRpc({("identity", "list_user_accounts"): []})
    assert within(rpc, accounts.with_accounts, {"user_id": "u1"}) == {"user_id": "u1",
                                                                      "accounts": []}
    assert [c[0] for c in rpc.calls] == ["identity"]


def test_the_summary_says_autopay_is_unknown_while_payments_is_down(within):
    answers = {("billing", "get_account_summary"): lambda number: dict(SUMMARY)}
    assert within(FakeRpc(answers, down={"payments"}), accounts.account_summary, ACCOUNT) == \
        dict(SUMMARY, autopay=None, autopay_unavailable=True)
    up = FakeRpc({**answers, ("payments", "get_autopay"): None})
    assert within(up, accounts.account_summary, ACCOUNT) == dict(SUMMARY, autopay=None)


def test_a_statement_pdf_waits_longer_than_an_ordinary_call(within):
    seen = {}

    class Recording(FakeRpc):
        def call(self, service, method, *args, timeout=None, request_id=None, **kwargs):
            seen[method] = timeout
            return super().call(service, method, *args, request_id=request_id, **kwargs)
    rpc = Recording({("billing", "get_statement_pdf"): "JVBERi0=",
                     ("billing", "get_profile"): {}})
    within(rpc, billing.get_statement_pdf, ACCOUNT, "INV-1")
    within(rpc, billing.get_profile, ACCOUNT)
    assert seen == {"get_statement_pdf": billing.DOCUMENT_TIMEOUT, "get_profile": None}
