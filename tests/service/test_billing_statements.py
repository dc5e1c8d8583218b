"""billing: usage, bill runs, the ledger, statements, PDF and call-history CSV in a container."""
import base64
import uuid
from datetime import datetime, timezone

import pytest
from nameko.testing.services import entrypoint_waiter
from nameko.standalone.events import event_dispatcher
from sqlalchemy import func, select

from services.billing.models import Call, LedgerEntry, Statement
from services.billing.service import BillingService
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import clock
from tests.support.billing_accounts import OPEN, billing, calls  # noqa: F401 (billing: fixture)
from tests.support.containers import events_queue, hook, rows, take


def test_a_cycle_issues_one_statement_whose_lines_add_up_and_a_rerun_issues_nothing(billing):
    container, number = billing
    assert hook(container, "load_usage", number, {"calls": calls(60)}) == {
        "accepted": 60, "duplicates": 0}
    assert hook(container, "issue_statements", {"statement_date": "2026-11-01"}) == {
        "statements_issued": 1}
    assert hook(container, "issue_statements", {"statement_date": "2026-11-01"}) == {
        "statements_issued": 0}
    page = hook(container, "list_statements", number)
    assert len(page["items"]) == 1 and page["next_cursor"] is None
    invoice = page["items"][0]["invoice_number"]
    detail = hook(container, "get_statement", number, invoice)
    lines = [line for section in detail["sections"] for line in section["lines"]]
    assert sum(line["amount_cents"] for line in lines) == detail["new_charges_cents"]
    assert detail["due_date"] == "2026-11-22"
    names = [s["name"] for s in detail["sections"]]
    assert names == ["Internet", "Voice", "Taxes, fees and surcharges"]
    usage = {l["description"]: l for l in detail["sections"][1]["lines"]}
    assert usage["Local calls (included)"]["quantity"] == 20
    assert usage["Local calls (included)"]["amount_cents"] == 0
    fees = {l["description"] for l in detail["sections"][2]["lines"]}
    assert {"Federal Universal Service Fee", "911 service fee", "State sales tax (NY)"} <= fees
    summary = hook(container, "get_account_summary", number)
    assert summary["amount_due_cents"] == detail["amount_due_cents"] == detail["new_charges_cents"]
    assert summary["invoice_number"] == invoice and summary["due_date"] == "2026-11-22"
    assert rows(container, select(func.count()).select_from(Statement))[0][0] == 1


def test_duplicate_calls_are_ignored_and_a_bad_batch_loads_nothing(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": calls(5)})
    assert hook(container, "load_usage", number, {"calls": calls(6)}) == {
        "accepted": 1, "duplicates": 5}
    bad = calls(3, day=11)
    bad[1] = {**bad[1], "from_number": "555-0100", "duration_seconds": -1}
    bad[2] = {**bad[2], "started_at": "2026-10-11T10:00:00"}
    with pytest.raises(InvalidInput) as raised:
        hook(container, "load_usage", number, {"calls": bad})
    assert set(raised.value.errors["calls"]) == {"1", "2"} or set(
        raised.value.errors["calls"]) == {1, 2}
    assert rows(container, select(func.count()).select_from(Call))[0][0] == 6
    with pytest.raises(NotFound):
        hook(container, "load_usage", "4000000000000002", {"calls": calls(1)})


def test_international_calls_are_rated_per_started_minute_by_country(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": [
        {"started_at": "2026-10-05T10:00:00+02:00", "from_number": "+12125550147",
         "to_number": "+442071234567", "duration_seconds": 61, "call_type": "international"},
        {"started_at": "2026-10-05T10:00:00Z", "from_number": "+12125550147",
         "to_number": "+13125550100", "duration_seconds": 60, "call_type": "long_distance"}]})
    charges = sorted(r[0] for r in rows(container, select(Call.charge_cents)))
    assert charges == [5, 18]


def test_a_payment_event_is_applied_once_and_shows_on_the_next_statement(billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "payment_applied")
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    due = hook(container, "get_account_summary", number)["amount_due_cents"]
    payment = {"account_number": number, "payment_id": "pay-1", "amount_cents": 5000,
               "currency": "USD", "method_type": "card", "last4": "4242"}
    envelope = {"event_id": str(uuid.uuid4()), "type": "payments.payment_succeeded",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
                "version": 1, "request_id": None, "data": payment}
    dispatch = event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})
    for _ in range(2):
        with entrypoint_waiter(container, "on_payment_succeeded"):
            dispatch("payments", "payment_succeeded", envelope)
    summary = hook(container, "get_account_summary", number)
    assert summary["amount_due_cents"] == due - 5000
    assert summary["last_payment"]["amount_cents"] == 5000
    assert take(vhost[1], queue)["data"]["balance_cents"] == due - 5000
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    newest = hook(container, "list_statements", number)["items"][0]
    assert newest["payments_cents"] == 5000 and newest["previous_balance_cents"] == due
    assert newest["amount_due_cents"] == due - 5000 + newest["new_charges_cents"]
    activity = hook(container, "get_activity", number)["items"]
    assert activity[0]["balance_cents"] == newest["amount_due_cents"]
    assert [a["kind"] for a in activity] == ["charge", "payment", "charge"]


def test_a_returned_payment_is_reversed_with_a_fee_once(billing, vhost):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    due = hook(container, "get_account_summary", number)["amount_due_cents"]
    dispatch = event_dispatcher({"AMQP_URI": vhost[1], "SERIALIZER": "json"})
    for kind, data in (("payment_succeeded", {"currency": "USD", "method_type": "bank_account",
                                              "last4": "6789"}),
                       ("payment_returned", {"reason": "insufficient funds"}),
                       ("payment_returned", {"reason": "insufficient funds"})):
        envelope = {"event_id": str(uuid.uuid4()), "type": f"payments.{kind}",
                    "occurred_at": datetime.now(timezone.utc).isoformat(), "source": "payments",
                    "version": 1, "request_id": None,
                    "data": {"account_number": number, "payment_id": "pay-9",
                             "amount_cents": 1000, **data}}
        with entrypoint_waiter(container, f"on_{kind}"):
            dispatch("payments", kind, envelope)
    assert hook(container, "get_account_summary", number)["amount_due_cents"] == due + 2500


def test_a_late_fee_is_charged_once_per_unpaid_statement(billing, vhost, monkeypatch):
    """The daily cycle (billing's timer) assesses them: not within the grace days after the
    due date, once after, never again for the same statement."""
    container, number = billing
    queue = events_queue(vhost[1], "billing", "late_fee_assessed")
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    charged = []
    for day in (25, 28, 29):
        monkeypatch.setattr(clock, "now", lambda day=day: datetime(2026, 11, day, 12,
                                                                   tzinfo=timezone.utc))
        hook(container, "run_daily_cycle")
        charged.append([f[0] for f in rows(container, select(LedgerEntry.amount_cents).where(
            LedgerEntry.kind == "late_fee"))])
    assert charged == [[], [1500], [1500]]
    event = take(vhost[1], queue)
    assert event["data"]["account_number"] == number and event["data"]["amount_cents"] == 1500


def test_the_statement_issued_event_carries_the_amount_due(billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "statement_issued")
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [number]})
    event = take(vhost[1], queue)
    summary = hook(container, "get_account_summary", number)
    assert event["data"]["account_number"] == number
    assert event["data"]["amount_due_cents"] == summary["amount_due_cents"]
    assert event["data"]["due_date"] == "2026-11-22"


def test_the_call_history_csv_comes_in_pages_with_one_row_per_call(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": calls(25)})
    hook(container, "load_usage", number, {"calls": calls(5, month=11)})  # next period
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    invoice = hook(container, "list_statements", number)["items"][0]["invoice_number"]
    import services.billing.calls_csv as calls_csv
    size, calls_csv.PAGE = calls_csv.PAGE, 10
    try:
        text_, cursor, pages = "", None, 0
        while True:
            page = hook(container, "get_calls_csv_page", number, invoice, cursor)
            text_ += page["csv"]
            pages += 1
            cursor = page["cursor"]
            if cursor is None:
                break
    finally:
        calls_csv.PAGE = size
    lines = text_.splitlines()
    assert lines[0] == "date,time,from,to,type,duration_seconds,charge"
    assert len(lines) == 26 and pages == 3
    assert lines[1] == "2026-10-10,09:00:00,+12125550147,+13125550100,local,61,0.00"
    assert lines[3] == "2026-10-10,09:02:00,+12125550147,+442071234567,international,63,0.18"


def test_the_pdf_statement_is_a_pdf_and_unknown_invoices_are_not_found(billing):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    invoice = hook(container, "list_statements", number)["items"][0]["invoice_number"]
    document = base64.b64decode(hook(container, "get_statement_pdf", number, invoice))
    assert document.startswith(b"%PDF")
    with pytest.raises(NotFound):
        hook(container, "get_statement", number, "999999-1")
    with pytest.raises(NotFound):
        hook(container, "get_statement_pdf", "4000000000000002", invoice)


def test_statements_page_newest_first_with_a_cursor(billing):
    container, number = billing
    for month in (9, 10, 11):
        hook(container, "issue_statements", {"statement_date": f"2026-{month:02d}-01",
                                             "account_numbers": [number]})
    first = hook(container, "list_statements", number, 2)
    assert [s["statement_date"] for s in first["items"]] == ["2026-11-01", "2026-10-01"]
    second = hook(container, "list_statements", number, 2, first["next_cursor"])
    assert [s["statement_date"] for s in second["items"]] == ["2026-09-01"]
    assert second["next_cursor"] is None
    for limit, cursor in ((0, None), (101, None), (2, "MjAyNi0xMC0wMQ")):  # the old format
        with pytest.raises(InvalidInput):
            hook(container, "list_statements", number, limit, cursor)


def test_the_lists_answered_whole_refuse_a_limit_beyond_theirs(billing):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [number]})
    invoice = hook(container, "list_statements", number)["items"][0]["invoice_number"]
    assert hook(container, "get_activity", number, 1000)["items"]
    assert hook(container, "get_statement_calls", number, invoice, 1000) is not None
    for limit in (0, 1001, "50"):
        with pytest.raises(InvalidInput) as refused:
            hook(container, "get_activity", number, limit)
        assert refused.value.errors == {"limit": ["A number from 1 to 1000."]}
        with pytest.raises(InvalidInput):
            hook(container, "get_statement_calls", number, invoice, limit)


def test_the_daily_cycle_bills_todays_cycle_day_once(start_service):
    today = datetime.now(timezone.utc).date()
    if today.day > 28:
        pytest.skip("no account has a cycle day after the 28th")
    container = start_service(BillingService)
    number = hook(container, "open_account", {**OPEN, "bill_cycle_day": today.day})["account_number"]
    hook(container, "run_daily_cycle")
    hook(container, "run_daily_cycle")
    statements = rows(container, select(Statement.statement_date))
    assert [s[0] for s in statements] == [today]
    assert hook(container, "get_account_summary", number)["invoice_number"]
