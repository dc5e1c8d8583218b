"""billing: the month so far (current_usage.py) in a nameko container, on SQLite and
PostgreSQL. The proof that the estimate is the bill: the estimate taken just before a bill run
equals, line for line and cent for cent, the statement that run issues for the same records:
usage of every call type, a service change's prorated lines, a credit, taxes and fees (the
account opened on cycle day 1 with INT-500 ×1 and VOICE-LINE ×3, in NY)."""
from datetime import date

from sqlalchemy import func, select

from services.billing.models import (LedgerEntry, ServiceChangeLine, Statement,
                                     StatementLine)
from tests.support.billing_accounts import billing, calls  # noqa: F401 (fixture)
from tests.support.containers import hook, rows

# from Dec 17 (15 days left of [Dec 1, Jan 1)) VOICE-LINE goes 3 -> 5 and STATIC-IP-1 0 -> 1
CHANGE = {"effective_date": "2026-12-17",
          "changes": [{"code": "VOICE-LINE", "quantity": 5},
                      {"code": "STATIC-IP-1", "quantity": 1}]}


def _state(container):
    """Everything an estimate could have written: statements, lines, ledger, the service
    changes' lines waiting for a statement, the outbox."""
    count = lambda table: rows(container, select(func.count()).select_from(table))[0][0]  # noqa
    waiting = rows(container, select(func.count()).select_from(ServiceChangeLine).where(
        ServiceChangeLine.statement_id.is_(None)))[0][0]
    return (count(Statement), count(StatementLine), count(LedgerEntry), waiting,
            rows(container, "SELECT count(*) FROM outbox")[0][0])


def _statement(container, number, day):
    invoice = rows(container, select(Statement.invoice_number).where(
        Statement.statement_date == day))[0][0]
    return hook(container, "get_statement", number, invoice)


def _as_billed(detail):
    """What the estimate says, read off an issued statement."""
    lines = [line for s in detail["sections"] for line in s["lines"]]
    usage = {line["description"]: (line["quantity"], line["amount_cents"]) for line in lines
             if line["description"].endswith(("calls", "calls (included)"))}
    taxes = sum(s["subtotal_cents"] for s in detail["sections"] if s["code"] == "taxes")
    return usage, taxes, detail["new_charges_cents"]


def _as_estimated(estimate):
    names = {"local": "Local calls (included)", "long_distance": "Long distance calls",
             "international": "International calls"}
    usage = {names[u["call_type"]]: (u["calls"], u["charge_cents"]) for u in estimate["usage"]
             if u["calls"]}
    return usage, estimate["estimated_taxes_cents"], estimate["estimated_total_cents"]


def test_the_estimate_is_the_statement_the_next_bill_run_issues(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": calls(30, day=20, month=11)})
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    # this month: calls on two days, a service change with proration, a staff credit
    hook(container, "load_usage", number, {"calls": calls(12, day=2, month=12)
                                           + calls(7, day=3, month=12)[1:]})
    hook(container, "change_account_services", number, CHANGE)
    hook(container, "issue_credit", number, {"amount_cents": 2500, "reason": "Outage"}, "k-1",
         actor={"user_id": None, "ip": "127.0.0.1", "user_agent": "test"})
    before = _state(container)
    estimate = hook(container, "get_current_usage", number)
    assert _state(container) == before  # nothing kept: no statement, no line, no event
    assert (estimate["period_start"], estimate["period_end"]) == ("2026-12-01", "2027-01-01")
    assert [(d["date"], d["calls"]) for d in estimate["daily"]] == [
        ("2026-12-02", 12), ("2026-12-03", 6)]
    assert sum(d["charge_cents"] for d in estimate["daily"]) == estimate["usage_cents"] > 0
    assert estimate["services_cents"] + estimate["usage_cents"] + \
        estimate["estimated_taxes_cents"] == estimate["estimated_total_cents"]
    international = next(u for u in estimate["usage"] if u["call_type"] == "international")
    assert international["calls"] == 6 and international["seconds"] > 0

    hook(container, "issue_statements", {"statement_date": "2027-01-01"})
    issued = _statement(container, number, date(2027, 1, 1))
    assert _as_estimated(estimate) == _as_billed(issued)
    assert issued["adjustments_cents"] == -2500  # the credit is on it, beside the new charges


def test_the_first_month_of_a_new_account_is_estimated_too(billing):
    container, number = billing
    hook(container, "load_usage", number, {"calls": calls(9, day=3, month=12)})
    estimate = hook(container, "get_current_usage", number)
    assert estimate["period_end"] == "2027-01-01"
    hook(container, "issue_statements", {"statement_date": "2027-01-01"})
    assert _as_estimated(estimate) == _as_billed(_statement(container, number, date(2027, 1, 1)))
