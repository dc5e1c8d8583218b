"""The portal with its services replaced by a table-driven fake client and a signed-in session
cookie, for the unit tests of its pages: one account, its summary, and the answers a page needs."""
import time

import pytest

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc

ACCOUNT = "4929000000000006"
SUMMARY = {"account_number": ACCOUNT, "company_name": "Bluebird Bakery", "amount_due_cents": 0,
           "balance_cents": 0, "currency": "USD", "due_date": None, "invoice_number": None,
           "past_due_cents": 0, "last_payment": None, "invoice_delivery": "paperless"}
CURRENT_USAGE = {  # the month so far (billing's get_current_usage) of an account without calls
    "account_number": ACCOUNT, "period_start": "2026-11-15", "period_end": "2026-12-15",
    "statement_date": "2026-12-15", "as_of": "2026-11-20T12:00:00+00:00",
    "usage": [{"call_type": t, "calls": 0, "seconds": 0, "charge_cents": 0}
              for t in ("local", "long_distance", "international")],
    "daily": [], "services_cents": 5998, "usage_cents": 0, "estimated_taxes_cents": 490,
    "estimated_total_cents": 6488, "currency": "USD"}


def fake_rpc(extra=None):
    answers = {
        ("identity", "get_account_role"): lambda user_id, number: "viewer",
        ("billing", "get_account_summary"): SUMMARY,
        ("payments", "get_autopay"): None,
        ("billing", "list_statements"): {"items": [], "next_cursor": None},
        ("billing", "get_activity"): {"items": []},
        ("billing", "list_disputes"): {"items": [], "next_cursor": None},
        ("billing", "list_fraud_alerts"): {"items": [], "next_cursor": None},
        ("billing", "get_international_calling"): {"account_number": ACCOUNT,
                                                   "blocked": False, "changed_at": None},
        ("billing", "get_current_usage"): CURRENT_USAGE,
    }
    answers.update(extra or {})
    return FakeRpc(answers)


@pytest.fixture
def client_for(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        client = create_app(settings, rpc_client=rpc).test_client()
        with client.session_transaction() as session:
            session["auth"] = {"u": "u1", "s": "s1", "n": "sam", "checked": time.time()}
            session["account"] = ACCOUNT
        return client
    return make
