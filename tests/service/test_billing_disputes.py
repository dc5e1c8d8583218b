"""billing: disputes of statement lines in a nameko container on a real database and broker:
opening one (a line of the account's own statement, at most its amount, one open per line),
what an open dispute keeps out of late fees and the autopay draft, staff resolving it once
(credited through the credit path, or rejected), the staff overview and the events."""
import base64
import json
from datetime import date

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.billing import ledger
from services.billing.models import Dispute, LedgerEntry
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from tests.support.billing_accounts import OPEN, billing, calls  # noqa: F401 (billing: fixture)
from tests.support.containers import events_queue, hook, rows, take

USER = {"user_id": "u-1", "ip": "203.0.113.9", "user_agent": "test"}
STAFF = {"user_id": None, "ip": "10.0.0.7", "user_agent": "desk"}


@pytest.fixture
def billed(billing):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    statement = hook(container, "list_statements", number)["items"][0]
    detail = hook(container, "get_statement", number, statement["invoice_number"])
    lines = [line for section in detail["sections"] for line in section["lines"]]
    return container, number, statement, lines


def dispute(container, number, invoice, body, actor=USER):
    return hook(container, "open_dispute", number, invoice, body, actor=actor)


def test_statement_lines_carry_a_stable_id_and_one_can_be_disputed_once(billed, vhost):
    container, number, statement, lines = billed
    queue = events_queue(vhost[1], "billing", "dispute_opened")
    invoice = statement["invoice_number"]
    assert all(line["line_id"].isdigit() for line in lines)
    again = hook(container, "get_statement", number, invoice)
    assert [l["line_id"] for s in again["sections"] for l in s["lines"]] == [
        l["line_id"] for l in lines]
    line = lines[0]
    opened = dispute(container, number, invoice, {"line_id": line["line_id"],
                                                  "amount_cents": 1000, "reason": "Not ours"})
    assert opened["status"] == "open" and opened["amount_cents"] == 1000
    assert opened["line_description"] == line["description"]
    assert opened["invoice_number"] == invoice and opened["credited_cents"] is None
    event = take(vhost[1], queue)
    assert event["data"] == {"account_number": number, "dispute_id": opened["id"],
                             "invoice_number": invoice, "line_id": line["line_id"],
                             "amount_cents": 1000, "reason": "Not ours",
                             "actor_user_id": "u-1", "ip": "203.0.113.9"}
    with pytest.raises(Conflict):
        dispute(container, number, invoice, {"line_id": line["line_id"], "amount_cents": 1,
                                             "reason": "again"})
    assert hook(container, "list_disputes", number)["items"] == [opened]
    assert hook(container, "list_disputes", number, 20, None, invoice)["items"] == [opened]
    assert hook(container, "list_all_disputes", "open")["items"][0]["id"] == opened["id"]
    overview = hook(container, "get_account_overview", number)
    assert [d["id"] for d in overview["open_disputes"]] == [opened["id"]]
    assert rows(container, select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.kind == "credit"))[0][0] == 0  # a dispute moves no money by itself


def test_a_bad_dispute_is_refused_and_opens_nothing(billed):
    container, number, statement, lines = billed
    invoice = statement["invoice_number"]
    other = hook(container, "open_account", {**OPEN, "company_name": "Other Co"})
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [other["account_number"]]})
    theirs = hook(container, "list_statements", other["account_number"])["items"][0]
    their_line = hook(container, "get_statement", other["account_number"],
                      theirs["invoice_number"])["sections"][0]["lines"][0]
    line = lines[0]
    ok = {"line_id": line["line_id"], "amount_cents": 100, "reason": "why"}
    for body in ({**ok, "amount_cents": 0}, {**ok, "amount_cents": -5},
                 {**ok, "amount_cents": 10 ** 12}, {**ok, "amount_cents": 2.5},
                 {**ok, "line_id": "x1"}, {**ok, "line_id": 5}, {**ok, "reason": ""},
                 {**ok, "reason": "a\x1bb"}, {**ok, "reason": "x" * 501}, {"line_id": "1"}):
        with pytest.raises(InvalidInput):
            dispute(container, number, invoice, body)
    with pytest.raises(Refused):
        dispute(container, number, invoice, {**ok, "amount_cents": line["amount_cents"] + 1})
    with pytest.raises(NotFound):  # another account's line, on this account's statement
        dispute(container, number, invoice, {**ok, "line_id": their_line["line_id"]})
    with pytest.raises(NotFound):  # another account's statement
        dispute(container, number, theirs["invoice_number"], ok)
    with pytest.raises(NotFound):
        dispute(container, number, invoice, {**ok, "line_id": "999999999"})
    assert rows(container, select(func.count()).select_from(Dispute))[0][0] == 0


def test_two_disputes_of_one_line_racing_open_one(billed):
    container, number, statement, lines = billed
    body = {"line_id": lines[0]["line_id"], "amount_cents": 100, "reason": "race"}

    def attempt(_):  # a proxy each: one entrypoint_hook cannot be shared by concurrent calls
        with ServiceRpcProxy("billing", container.config) as billing_rpc:
            try:
                return billing_rpc.open_dispute(number, statement["invoice_number"], body,
                                                actor=USER)["id"]
            except Conflict:
                return None
    opened = [d for d in eventlet.GreenPool(4).imap(attempt, range(4)) if d]
    assert len(opened) == 1
    assert rows(container, select(func.count()).select_from(Dispute))[0][0] == 1


def test_an_open_dispute_is_kept_out_of_the_autopay_draft_and_of_late_fees(billed):
    container, number, statement, lines = billed
    due = statement["amount_due_cents"]
    allowance = hook(container, "get_payment_allowance", number)
    assert allowance["amount_due_cents"] == due and allowance["disputed_cents"] == 0
    line = max(lines, key=lambda l: l["amount_cents"])
    opened = dispute(container, number, statement["invoice_number"], {
        "line_id": line["line_id"], "amount_cents": line["amount_cents"], "reason": "x"})
    allowance = hook(container, "get_payment_allowance", number)
    assert allowance["amount_due_cents"] == due - line["amount_cents"]
    assert allowance["disputed_cents"] == line["amount_cents"]
    assert allowance["max_payment_cents"] == due + due  # paying it by hand stays possible

    # an account owing only what it disputes is charged no late fee; owing more, it is
    late = date(2026, 12, 1)
    hook(container, "issue_credit", number, {
        "amount_cents": due - line["amount_cents"], "reason": "paid the rest"}, "k1",
        actor=STAFF)
    assess = lambda: rows(container, select(func.count()).select_from(LedgerEntry).where(  # noqa: E731
        LedgerEntry.kind == "late_fee"))[0][0]
    _assess_late_fees(container, late)
    assert assess() == 0
    hook(container, "resolve_dispute", opened["id"], {"outcome": "rejected",
                                                     "note": "Correct charge"}, actor=STAFF)
    _assess_late_fees(container, late)
    assert assess() == 1
    assert hook(container, "get_payment_allowance", number)["disputed_cents"] == 0


def _assess_late_fees(container, today):
    """billing's daily late-fee step, on the container's database (the timer's own code)."""
    from services.billing.models import metadata
    from services.runtime.database import standalone
    db = standalone("billing", container.config["DATABASE_URL"], metadata)
    try:
        with db.transaction() as tx:
            ledger.assess_late_fees(tx, today)
    finally:
        db.engine.dispose()


def test_staff_credit_a_dispute_once_through_the_credit_path(billed, vhost):
    container, number, statement, lines = billed
    resolved_q = events_queue(vhost[1], "billing", "dispute_resolved")
    credited_q = events_queue(vhost[1], "billing", "credit_issued")
    line = lines[0]
    opened = dispute(container, number, statement["invoice_number"], {
        "line_id": line["line_id"], "amount_cents": 900, "reason": "<script>x</script>"})
    with pytest.raises(Refused):
        hook(container, "resolve_dispute", opened["id"], {
            "outcome": "credited", "amount_cents": 901, "note": "n"}, actor=STAFF)
    for body in ({"outcome": "rejected", "amount_cents": 5, "note": "n"},
                 {"outcome": "maybe", "note": "n"}, {"outcome": "credited"},
                 {"outcome": "credited", "amount_cents": 0, "note": "n"}):
        with pytest.raises(InvalidInput):
            hook(container, "resolve_dispute", opened["id"], body, actor=STAFF)
    with pytest.raises(NotFound):
        hook(container, "resolve_dispute", "no-such-dispute", {
            "outcome": "rejected", "note": "n"}, actor=STAFF)
    resolved = hook(container, "resolve_dispute", opened["id"], {
        "outcome": "credited", "amount_cents": 600, "note": "Sorry"}, actor=STAFF)
    assert resolved["status"] == "credited" and resolved["credited_cents"] == 600
    assert resolved["resolution_note"] == "Sorry" and resolved["credit_id"]
    for body in ({"outcome": "credited", "note": "twice"}, {"outcome": "rejected", "note": "x"}):
        with pytest.raises(Conflict):
            hook(container, "resolve_dispute", opened["id"], body, actor=STAFF)
    credits = rows(container, select(LedgerEntry.amount_cents, LedgerEntry.description).where(
        LedgerEntry.kind == "credit"))
    assert [(c.amount_cents, c.description) for c in credits] == [
        (-600, f"Credit: Disputed charge: {line['description']}")]
    event = take(vhost[1], resolved_q)["data"]
    assert event["outcome"] == "credited" and event["credited_cents"] == 600
    assert event["opened_by"] == "u-1" and event["note"] == "Sorry"
    credit = take(vhost[1], credited_q)["data"]
    assert credit["via"] == "dispute" and credit["dispute_id"] == opened["id"]
    assert credit["invoice_number"] == statement["invoice_number"]
    assert hook(container, "get_account_overview", number)["open_disputes"] == []
    # once answered, the line is not disputed again (credited twice over, or held back for
    # ever dispute after dispute: tests/e2e/test_account_life_attack.py)
    with pytest.raises(Conflict):
        dispute(container, number, statement["invoice_number"], {
            "line_id": line["line_id"], "amount_cents": 1, "reason": "again"})


def test_two_resolutions_racing_credit_once(billed):
    container, number, statement, lines = billed
    opened = dispute(container, number, statement["invoice_number"], {
        "line_id": lines[0]["line_id"], "amount_cents": 500, "reason": "r"})

    def attempt(_):
        with ServiceRpcProxy("billing", container.config) as billing_rpc:
            try:
                return billing_rpc.resolve_dispute(opened["id"], {
                    "outcome": "credited", "note": "n"}, actor=STAFF)["status"]
            except Conflict:
                return None
    assert [s for s in eventlet.GreenPool(4).imap(attempt, range(4)) if s] == ["credited"]
    assert rows(container, select(func.sum(LedgerEntry.amount_cents)).where(
        LedgerEntry.kind == "credit"))[0][0] == -500


def test_disputes_page_newest_first_with_a_cursor(billed):
    container, number, statement, lines = billed
    made = [dispute(container, number, statement["invoice_number"], {
        "line_id": line["line_id"], "amount_cents": 1, "reason": f"r{i}"})["id"]
        for i, line in enumerate([l for l in lines if l["amount_cents"] > 0][:3])]
    first = hook(container, "list_disputes", number, 2)
    second = hook(container, "list_disputes", number, 2, first["next_cursor"])
    assert [d["id"] for d in first["items"] + second["items"]] == list(reversed(made))
    assert second["next_cursor"] is None
    year_one = base64.urlsafe_b64encode(json.dumps(  # before year 1 once in UTC
        ["disputes", "0001-01-01T00:00:00+05:00", "x"]).encode()).decode()
    nul = base64.urlsafe_b64encode(json.dumps(
        ["disputes", "2026-11-01T00:00:00+00:00", "a\u0000b"]).encode()).decode()
    statements = hook(container, "list_statements", number, 1)["next_cursor"]
    for bad in ("nope", "W10=", "WyJ4IiwgMV0=", year_one, nul, statements or "x"):
        with pytest.raises(InvalidInput):
            hook(container, "list_disputes", number, 2, bad)
    with pytest.raises(InvalidInput):
        hook(container, "list_all_disputes", "closed")
