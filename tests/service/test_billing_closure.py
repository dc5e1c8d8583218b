"""billing: closing an account in a nameko container, on SQLite and PostgreSQL. payments'
``get_refundable`` (what refunds could give back) is a fake answering a set figure; the rest
is the real service, database and broker.

The worked example: the account (cycle day 1, NY) has INT-500 ×1 at $129.99 and VOICE-LINE ×3
at $29.99; billed on Dec 1, 2026 for [Dec 1, Jan 1) (31 days, in advance), with 3 calls on
Dec 10; closed from Dec 17 (15 days left)."""
import uuid

import pytest
from nameko.testing.services import replace_dependencies
from sqlalchemy import func, select

from services.billing.models import Account, Closure, LedgerEntry, Statement
from services.billing.service import BillingService
from services.contracts.errors import Conflict, InvalidInput, Refused
from tests.support.billing_accounts import OPEN, calls
from tests.support.containers import events_queue, hook, rows, take

CLOSE = {"effective_date": "2026-12-17", "reason": "Moving to another provider"}


class FakePayments:
    def __init__(self):
        self.refundable_cents = 0

    def get_refundable(self, account_number):
        return {"account_number": account_number, "refundable_cents": self.refundable_cents}


@pytest.fixture
def closing(vhost, database, container_factory, tmp_path):
    """``(container, account_number, payments)``: billing with a fake payments proxy, and an
    account billed on Dec 1 with three calls on Dec 10."""
    container = container_factory(BillingService, {
        "AMQP_URI": vhost[1], "SERIALIZER": "json", "DATABASE_URL": database("billing"),
        "DATA_DIR": str(tmp_path), "PUBLIC_URL": "http://portal.test", "SMTP_URL": None,
        "RPC_TIMEOUT": 5, "SECRET_KEY": "service-tests-secret-key"})
    payments = FakePayments()
    replace_dependencies(container, payments_rpc=payments)
    container.start()
    number = hook(container, "open_account", OPEN)["account_number"]
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    hook(container, "load_usage", number, {"calls": calls(3, day=10, month=12)})
    return container, number, payments


def _close(container, number, body=CLOSE, key=None):
    return hook(container, "close_account", number, body, key or str(uuid.uuid4()))


def _lines(detail):
    return {s["code"]: [(l["description"], l["quantity"], l["amount_cents"])
                        for l in s["lines"]] for s in detail["sections"]}


def test_the_final_statement_prorates_the_services_bills_the_usage_and_closes_the_account(
        closing, vhost):
    container, number, _ = closing
    queue = events_queue(vhost[1], "billing", "account_closed")
    closed = _close(container, number)
    assert (closed["status"], closed["effective_date"], closed["final_statement_date"]) == (
        "closed", "2026-12-17", "2026-12-17")
    assert closed["read_only_until"] == "2028-06-17"
    detail = hook(container, "get_statement", number, closed["final_invoice_number"])
    assert detail["final"] is True
    lines = _lines(detail)
    # the unused part of the month paid ahead: 15 of 31 days, each line rounded half up
    assert lines["internet"] == [(
        "Business Internet 500 Mbps: credit, unused Dec 17, 2026 to Dec 31, 2026 "
        "(15 of 31 days)", 1, -6290)]                       # 12999 × 15/31 = 6289.84
    usage = [l for l in lines["voice"] if "credit" not in l[0]]
    assert lines["voice"][0] == (
        "Business Voice line: credit, unused Dec 17, 2026 to Dec 31, 2026 (15 of 31 days)",
        3, -4353)                                            # 3 × 2999 × 15/31 = 4353.39
    usage_cents = sum(l[2] for l in usage)
    assert sum(l[1] for l in usage) == 3                    # the three calls of Dec 10
    taxes = {l[0]: l[2] for l in lines["taxes"]}
    # USF 5% of the voice section, half up; no 911 fee (no voice line is left); NY sales
    # tax 4% of the taxable lines: the two credits give back the tax charged on Dec 1
    voice = -4353 + usage_cents
    assert taxes["Federal Universal Service Fee"] == -((-voice * 5 + 50) // 100)
    assert "911 service fee" not in taxes
    assert taxes["State sales tax (NY)"] == -((10643 * 4 + 50) // 100) == -426
    assert sum(l[2] for s in lines.values() for l in s) == detail["new_charges_cents"]
    assert "Business Internet 500 Mbps" not in [l[0] for l in lines["internet"]]  # no month ahead

    event = take(vhost[1], queue)["data"]
    assert event["final_invoice_number"] == closed["final_invoice_number"]
    assert (event["balance_cents"], event["refund_cents"]) == (closed["balance_cents"], 0)
    status = rows(container, select(Account.status).where(Account.account_number == number))
    assert status == [("closed",)]
    summary = hook(container, "get_account_summary", number)
    assert summary["status"] == "closed"
    assert summary["closure"]["final_invoice_number"] == closed["final_invoice_number"]
    assert summary["closure"]["read_only_ended"] is False
    overview = hook(container, "get_account_overview", number)
    assert overview["status"] == "closed" and overview["services"] == []


def test_closing_again_answers_the_first_closure_and_a_different_closure_is_a_conflict(
        closing):
    container, number, _ = closing
    key = str(uuid.uuid4())
    first = _close(container, number, key=key)
    assert _close(container, number, key=key) == first           # the same key: a retry
    assert _close(container, number) == first                    # another key, same closure
    with pytest.raises(Conflict):
        _close(container, number, {**CLOSE, "reason": "Another reason"})
    with pytest.raises(Conflict):
        _close(container, number, {**CLOSE, "reason": "Another reason"}, key=key)
    assert rows(container, select(func.count()).select_from(Closure))[0][0] == 1
    assert rows(container, select(func.count()).select_from(Statement))[0][0] == 2


def test_a_closed_account_is_charged_nothing_new_but_can_still_be_credited(closing):
    container, number, _ = closing
    _close(container, number)
    assert hook(container, "issue_statements",
                {"statement_date": "2027-01-01"})["statements_issued"] == 0
    assert hook(container, "issue_statements", {"statement_date": "2027-01-01",
                                                "account_numbers": [number]}) == \
        {"statements_issued": 0}
    with pytest.raises(Refused):
        hook(container, "load_usage", number, {"calls": calls(1, day=20, month=12)})
    with pytest.raises(Refused):
        hook(container, "change_account_services", number,
             {"effective_date": "2026-12-20", "changes": [{"code": "VOICE-LINE", "quantity": 1}]})
    with pytest.raises(Refused):
        hook(container, "change_account_services", number,
             {"changes": [{"code": "VOICE-LINE", "quantity": 1}]}, self_service=True,
             actor={"user_id": "u"})
    note = hook(container, "issue_credit", number, {"amount_cents": 500, "reason": "Goodwill"},
                str(uuid.uuid4()))
    assert note["amount_cents"] == 500
    collected = hook(container, "run_collections", {"run_date": "2027-03-01"})
    assert collected["suspended"] == 0
    assert rows(container, select(Account.status))[0][0] == "closed"


def test_a_credit_balance_is_refunded_up_to_what_payments_can_refund_and_the_rest_is_said(
        closing, vhost):
    container, number, payments = closing
    queue = events_queue(vhost[1], "billing", "account_closed")
    hook(container, "issue_credit", number, {"amount_cents": 100000, "reason": "Overbilled"},
         str(uuid.uuid4()))
    payments.refundable_cents = 5000
    closed = _close(container, number)
    balance = rows(container, select(func.sum(LedgerEntry.amount_cents)))[0][0]
    assert closed["balance_cents"] == balance < -5000
    assert closed["amount_due_cents"] == 0
    assert closed["refund"] == {
        "due_cents": -balance, "refund_cents": 5000, "credit_left_cents": -balance - 5000,
        "note": closed["refund"]["note"]}
    assert "left as a credit" in closed["refund"]["note"]
    event = take(vhost[1], queue)["data"]
    assert (event["refund_cents"], event["credit_left_cents"]) == (5000, -balance - 5000)


def test_dates_outside_the_open_period_and_bad_requests_change_nothing(closing):
    container, number, _ = closing
    for day, words in [("2026-12-01", "is issued"), ("2026-11-20", "is issued"),
                       ("2027-01-02", "up to the next")]:
        with pytest.raises(Refused) as refused:
            _close(container, number, {**CLOSE, "effective_date": day})
        assert words in refused.value.detail
    for body in ({"reason": "x"}, {"effective_date": "2026-12-17"},
                 {**CLOSE, "reason": ""}, {**CLOSE, "effective_date": "17/12/2026"}):
        with pytest.raises(InvalidInput):
            _close(container, number, body)
    with pytest.raises(InvalidInput):
        hook(container, "close_account", number, CLOSE, None)
    assert rows(container, select(Account.status))[0][0] == "active"
    assert rows(container, select(func.count()).select_from(Statement))[0][0] == 1
