"""billing: staff credits in a nameko container on a real database and broker: the ledger
entry and its note, the next statement's Adjustments, the event, and the Idempotency-Key
(the same key and body answer the first credit; another body is refused, changing nothing)."""
import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.billing.models import CreditNote, IdempotencyKey, LedgerEntry
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from tests.support.billing_accounts import OPEN, billing, calls  # noqa: F401 (billing: fixture)
from tests.support.containers import events_queue, hook, rows, take

STAFF = {"user_id": None, "ip": "10.0.0.7", "user_agent": "desk"}


def ledger(container):
    return rows(container, select(LedgerEntry.kind, LedgerEntry.amount_cents,
                                  LedgerEntry.description).order_by(LedgerEntry.id))


def credit(container, number, body, key="key-1"):
    return hook(container, "issue_credit", number, body, key, actor=STAFF)


def test_a_credit_is_one_ledger_entry_shown_with_its_reason_and_on_the_next_statement(
        billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "credit_issued")
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    first = hook(container, "list_statements", number)["items"][0]
    note = credit(container, number, {"amount_cents": 1500, "reason": "Outage on Nov 3",
                                      "invoice_number": first["invoice_number"]})
    assert note["amount_cents"] == 1500 and note["reason"] == "Outage on Nov 3"
    assert note["invoice_number"] == first["invoice_number"] and note["dispute_id"] is None
    assert note["balance_cents"] == first["amount_due_cents"] - 1500
    [entry] = [e for e in ledger(container) if e.kind == "credit"]
    assert entry.amount_cents == -1500 and entry.description == "Credit: Outage on Nov 3"
    activity = hook(container, "get_activity", number)["items"]
    assert activity[0]["kind"] == "credit" and activity[0]["amount_cents"] == -1500
    assert activity[0]["description"] == "Credit: Outage on Nov 3"
    assert hook(container, "get_account_summary", number)["balance_cents"] == \
        first["amount_due_cents"] - 1500

    event = take(vhost[1], queue)
    assert event["type"] == "billing.credit_issued"
    assert event["data"] == {"account_number": number, "credit_id": note["credit_id"],
                             "amount_cents": 1500, "currency": "USD",
                             "reason": "Outage on Nov 3",
                             "invoice_number": first["invoice_number"], "dispute_id": None,
                             "balance_cents": note["balance_cents"], "via": "staff",
                             "actor_user_id": None, "ip": "10.0.0.7"}

    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    second = hook(container, "list_statements", number)["items"][0]
    assert second["adjustments_cents"] == -1500
    detail = hook(container, "get_statement", number, second["invoice_number"])
    assert detail["adjustments"] == [{"date": note["entry_date"], "kind": "credit",
                                      "description": "Credit: Outage on Nov 3",
                                      "amount_cents": -1500}]
    assert hook(container, "get_statement", number, first["invoice_number"])[
        "adjustments"] == []
    assert second["amount_due_cents"] == first["amount_due_cents"] - 1500 + \
        second["new_charges_cents"]


def test_the_same_key_and_body_credit_once_and_another_body_is_refused(billing):
    container, number = billing
    body = {"amount_cents": 2500, "reason": "Goodwill"}
    first = credit(container, number, body)
    assert credit(container, number, dict(body)) == first
    for other in ({**body, "amount_cents": 2501}, {**body, "reason": "Goodwill!"}):
        with pytest.raises(Conflict):
            credit(container, number, other)
    assert [e.amount_cents for e in ledger(container)] == [-2500]
    # another key is another credit
    assert credit(container, number, body, key="key-2")["credit_id"] != first["credit_id"]
    assert rows(container, select(func.count()).select_from(CreditNote))[0][0] == 2


def test_two_requests_racing_with_one_key_make_one_credit(billing):
    container, number = billing
    body = {"amount_cents": 700, "reason": "Race"}
    def one(_):  # a proxy each: one entrypoint_hook cannot be shared by concurrent calls
        with ServiceRpcProxy("billing", container.config) as billing_rpc:
            return billing_rpc.issue_credit(number, body, "raced", actor=STAFF)
    answers = list(eventlet.GreenPool(4).imap(one, range(4)))
    assert len({a["credit_id"] for a in answers}) == 1
    assert [e.amount_cents for e in ledger(container)] == [-700]


@pytest.mark.parametrize("body", [
    {"amount_cents": 0, "reason": "zero"}, {"amount_cents": -500, "reason": "negative"},
    {"amount_cents": 10_000_001, "reason": "huge"}, {"amount_cents": 2 ** 63, "reason": "x"},
    {"amount_cents": 1.5, "reason": "fraction"}, {"amount_cents": "500", "reason": "text"},
    {"amount_cents": True, "reason": "boolean"}, {"amount_cents": 500},
    {"amount_cents": 500, "reason": ""}, {"amount_cents": 500, "reason": "x" * 101},
    {"amount_cents": 500, "reason": "line\nbreak"},
    {"amount_cents": 500, "reason": "ok", "invoice_number": "INV'; --"}, [], "credit",
])
def test_a_bad_credit_is_refused_and_changes_nothing(billing, body):
    container, number = billing
    with pytest.raises(InvalidInput):
        credit(container, number, body)
    assert ledger(container) == []
    assert rows(container, select(func.count()).select_from(IdempotencyKey))[0][0] == 0


def test_no_key_an_unknown_account_or_another_accounts_invoice_credit_nothing(billing):
    container, number = billing
    other = hook(container, "open_account", {**OPEN, "company_name": "Other Co"})
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    theirs = hook(container, "list_statements", other["account_number"])["items"][0]
    before = ledger(container)
    body = {"amount_cents": 500, "reason": "ok"}
    for key in (None, "", "   ", "k" * 256):
        with pytest.raises(InvalidInput):
            credit(container, number, body, key=key)
    with pytest.raises(NotFound):
        credit(container, "4000000000000002", body)
    with pytest.raises(Refused):
        credit(container, number, {**body, "invoice_number": theirs["invoice_number"]})
    with pytest.raises(Refused):
        credit(container, number, {**body, "invoice_number": "999999999"})
    assert ledger(container) == before
    # a refused request does not spend its key: the corrected one goes through under it
    assert credit(container, number, body)["amount_cents"] == 500
