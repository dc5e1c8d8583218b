"""billing: why a bill changed (statement_changes.py) in a nameko container, on SQLite and
PostgreSQL, on statements the bill run really issued: the first has no reasons; the next one,
after a service change with proration, more calls and a credit, has a reason of each kind
that moved it, adding up exactly to the change (the account opened on cycle day 1 with
INT-500 ×1 and VOICE-LINE ×3, in NY)."""
from datetime import date

import pytest
from sqlalchemy import select

from services.billing.models import Statement
from services.contracts.errors import NotFound
from tests.support.billing_accounts import billing, calls  # noqa: F401 (fixture)
from tests.support.containers import hook, rows

# from Dec 17 (15 days left of [Dec 1, Jan 1)) VOICE-LINE goes 3 -> 5 and STATIC-IP-1 0 -> 1
CHANGE = {"effective_date": "2026-12-17",
          "changes": [{"code": "VOICE-LINE", "quantity": 5},
                      {"code": "STATIC-IP-1", "quantity": 1}]}
STAFF = {"user_id": None, "ip": "127.0.0.1", "user_agent": "test"}


def _invoice(container, day):
    return rows(container, select(Statement.invoice_number).where(
        Statement.statement_date == day))[0][0]


def test_the_first_statement_has_none_and_the_next_says_every_reason(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": calls(6, day=10, month=11)})
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    first = _invoice(container, date(2026, 12, 1))
    assert hook(container, "get_statement_changes", number, first) == {
        "invoice_number": first, "previous_invoice_number": None, "previous_total_cents": None,
        "total_cents": hook(container, "get_statement", number, first)["new_charges_cents"],
        "change_cents": 0, "reasons": [], "currency": "USD"}

    hook(container, "change_account_services", number, CHANGE)
    hook(container, "load_usage", number, {"calls": calls(15, day=10, month=12)})
    hook(container, "issue_credit", number, {"amount_cents": 2500, "reason": "<b>Outage</b>"},
         "k-1", actor=STAFF)
    hook(container, "issue_statements", {"statement_date": "2027-01-01"})
    second = _invoice(container, date(2027, 1, 1))
    answer = hook(container, "get_statement_changes", number, second)
    detail = hook(container, "get_statement", number, second)
    assert answer["previous_invoice_number"] == first
    assert answer["total_cents"] == detail["new_charges_cents"] + detail["adjustments_cents"]
    assert answer["change_cents"] == answer["total_cents"] - answer["previous_total_cents"]
    assert sum(r["change_cents"] for r in answer["reasons"]) == answer["change_cents"]
    said = sorted((r["kind"], r["description"]) for r in answer["reasons"])
    assert said == [
        ("credit", "Credits: $0.00 last time, -$25.00 now (Credit: <b>Outage</b>): -$25.00"),
        ("proration", "Prorated charges and credits for service changes (Add-ons): +$7.25"),
        ("proration", "Prorated charges and credits for service changes (Voice): +$29.03"),
        ("quantity_changed", "Business Voice line: 2 more (5 in all): +$59.98"),
        ("service_added", "Static IP address (1) added: +$14.99"),
        ("tax", "911 service fee: $2.85 last time, $4.75 now: +$1.90"),
        ("tax", "Federal Universal Service Fee: $4.53 last time, $9.02 now: +$4.49"),
        ("tax", "State sales tax (NY): $8.80 last time, $13.25 now: +$4.45"),
        ("usage", "3 more international calls: +$0.54"),
        ("usage", "3 more long distance calls: +$0.30")]


def test_an_unknown_invoice_is_not_found(billing):
    container, number = billing
    with pytest.raises(NotFound):
        hook(container, "get_statement_changes", number, "999")
