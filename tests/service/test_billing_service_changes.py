"""billing: service changes with proration in a nameko container, on SQLite and PostgreSQL
(the account opened on cycle day 1 with INT-500 ×1 and VOICE-LINE ×3 at $29.99, in NY).

The worked example: billed on Dec 1, 2026 for [Dec 1, Jan 1) (31 days, in advance); from
Dec 17 (15 days left) VOICE-LINE goes 3 → 5 and STATIC-IP-1 0 → 1."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.billing import proration
from services.billing.models import (AccountService, LedgerEntry, ServiceChange,
                                     ServiceChangeLine, Statement)
from services.contracts.errors import InvalidInput, Refused
from services.runtime import clock
from tests.support.billing_accounts import billing  # noqa: F401 (fixture)
from tests.support.containers import events_queue, execute, hook, rows, take

CHANGE = {"effective_date": "2026-12-17",
          "changes": [{"code": "VOICE-LINE", "quantity": 5},
                      {"code": "STATIC-IP-1", "quantity": 1}]}


def _state(container):
    """Everything a change could touch: services, recorded changes and lines, the outbox."""
    return (sorted(rows(container, select(AccountService.product_code, AccountService.quantity))),
            rows(container, select(func.count()).select_from(ServiceChange))[0][0],
            rows(container, select(func.count()).select_from(ServiceChangeLine))[0][0],
            rows(container, "SELECT count(*) FROM outbox")[0][0],
            rows(container, select(func.count()).select_from(LedgerEntry))[0][0])


def test_a_preview_changes_nothing_and_answers_what_the_change_will_do(billing):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    before = _state(container)
    preview = hook(container, "change_account_services", number, {**CHANGE, "preview": True})
    assert _state(container) == before
    assert preview["preview"] is True
    assert preview["period"] == {"start": "2026-12-01", "end": "2027-01-01", "days": 31,
                                 "days_left": 15, "billed": True}
    assert [(l["code"], l["kind"], l["quantity"], l["amount_cents"]) for l in preview["lines"]] \
        == [("VOICE-LINE", "credit", 3, -4353),   # 3 × 2999 × 15/31 = 4353.39
            ("VOICE-LINE", "charge", 5, 7256),    # 5 × 2999 × 15/31 = 7255.65
            ("STATIC-IP-1", "charge", 1, 725)]    # 1499 × 15/31 = 725.32
    assert preview["lines"][0]["description"] == \
        "Business Voice line: credit, unused Dec 17, 2026 to Dec 31, 2026 (15 of 31 days)"
    assert preview["next_statement"] == {
        "statement_date": "2027-01-01", "services_cents": 12999 + 5 * 2999 + 1499,
        "prorated_cents": -4353 + 7256 + 725,
        "estimate_cents": 12999 + 5 * 2999 + 1499 - 4353 + 7256 + 725, "currency": "USD"}


def test_a_change_is_on_the_next_statement_in_its_sections_and_a_retry_adds_nothing(
        billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "services_changed")
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    done = hook(container, "change_account_services", number, CHANGE)
    assert done["preview"] is False and len(done["lines"]) == 3
    event = take(vhost[1], queue)
    assert event["data"]["changes"] == [
        {"code": "VOICE-LINE", "old_quantity": 3, "new_quantity": 5},
        {"code": "STATIC-IP-1", "old_quantity": 0, "new_quantity": 1}]
    assert (event["data"]["credit_cents"], event["data"]["charge_cents"]) == (-4353, 7981)
    assert event["data"]["requested_by"] == "staff"
    after = _state(container)
    assert after[0] == [("INT-500", 1), ("STATIC-IP-1", 1), ("VOICE-LINE", 5)]
    again = hook(container, "change_account_services", number, CHANGE)  # a retry
    assert again["changes"] == [] and again["lines"] == []
    assert _state(container) == after
    overview = hook(container, "get_account_overview", number)
    assert {(s["code"], s["quantity"]) for s in overview["services"]} == {
        ("INT-500", 1), ("STATIC-IP-1", 1), ("VOICE-LINE", 5)}

    hook(container, "issue_statements", {"statement_date": "2027-01-01"})
    invoice = rows(container, select(Statement.invoice_number).where(
        Statement.statement_date == date(2027, 1, 1)))[0][0]
    detail = hook(container, "get_statement", number, invoice)
    by_section = {s["code"]: s["lines"] for s in detail["sections"]}
    voice = [(l["description"], l["quantity"], l["amount_cents"]) for l in by_section["voice"]]
    assert voice == [
        ("Business Voice line", 5, 14995),
        ("Business Voice line: credit, unused Dec 17, 2026 to Dec 31, 2026 (15 of 31 days)",
         3, -4353),
        ("Business Voice line: Dec 17, 2026 to Dec 31, 2026 (15 of 31 days)", 5, 7256)]
    assert [(l["quantity"], l["amount_cents"]) for l in by_section["add-ons"]] == [
        (1, 1499), (1, 725)]
    lines = [l for s in detail["sections"] for l in s["lines"]]
    assert sum(l["amount_cents"] for l in lines) == detail["new_charges_cents"]
    taxes = {l["description"]: l["amount_cents"] for l in by_section["taxes"]}
    # USF 5% of the voice section (14995 - 4353 + 7256 = 17898) = 894.9 -> 895
    assert taxes["Federal Universal Service Fee"] == 895
    # NY 4% of the taxable: 12999 + 14995 + 1499 + (-4353 + 7256 + 725) = 33121 -> 1324.84
    assert taxes["State sales tax (NY)"] == 1325
    charge = rows(container, select(LedgerEntry.amount_cents).where(
        LedgerEntry.reference == invoice, LedgerEntry.kind == "charge"))[0][0]
    assert charge == detail["new_charges_cents"]
    assert rows(container, select(func.count()).select_from(ServiceChangeLine).where(
        ServiceChangeLine.statement_id.is_(None)))[0][0] == 0


def test_dates_in_a_billed_period_after_the_next_statement_or_before_a_change_are_refused(
        billing):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    before = _state(container)
    for day, words in [("2026-11-30", "billed period"), ("2027-01-02", "up to the next")]:
        with pytest.raises(Refused) as refused:
            hook(container, "change_account_services", number,
                 {**CHANGE, "effective_date": day})
        assert words in refused.value.detail
    assert _state(container) == before
    hook(container, "change_account_services", number, CHANGE)
    with pytest.raises(Refused) as refused:
        hook(container, "change_account_services", number,
             {"effective_date": "2026-12-10", "changes": [{"code": "VOICE-LINE", "quantity": 1}]})
    assert "already recorded" in refused.value.detail
    # on the next statement's own date: nothing left to prorate, the quantity simply changes
    on_end = hook(container, "change_account_services", number,
                  {"effective_date": "2027-01-01", "changes": [{"code": "VOICE-LINE",
                                                                "quantity": 4}]})
    assert on_end["lines"] == [] and on_end["changes"][0]["new_quantity"] == 4


def test_unknown_codes_repeated_codes_and_quantities_out_of_range_are_field_errors(billing):
    container, number = billing
    before = _state(container)
    for changes in ([{"code": "NOPE-1", "quantity": 1}],
                    [{"code": "VOICE-LINE", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 2}],
                    [{"code": "VOICE-LINE", "quantity": -1}],
                    [{"code": "VOICE-LINE", "quantity": 10 ** 12}],
                    [{"code": "VOICE-LINE", "quantity": "2"}], []):
        with pytest.raises(InvalidInput):
            hook(container, "change_account_services", number,
                 {"effective_date": "2026-12-17", "changes": changes})
    assert _state(container) == before


def test_an_admin_changes_self_service_products_only_and_never_in_the_past(billing):
    container, number = billing
    today = clock.today()
    hook(container, "issue_statements", {"statement_date": today.replace(day=1).isoformat()})
    for change, words in [({"code": "TV-PREMIER", "quantity": 1}, "cannot be changed online"),
                          ({"code": "INT-500", "quantity": 0, "date": "yesterday"}, "past")]:
        body = {"changes": [{"code": change["code"], "quantity": change["quantity"]}]}
        if change.get("date"):
            if today.day == 1:
                continue  # yesterday is in the billed period then: refused for that instead
            body["effective_date"] = today.replace(day=today.day - 1).isoformat()
        with pytest.raises(Refused) as refused:
            hook(container, "change_account_services", number, body, self_service=True)
        assert words in refused.value.detail
    done = hook(container, "change_account_services", number,
                {"changes": [{"code": "INT-500", "quantity": 0}, {"code": "INT-1G", "quantity": 1}]},
                self_service=True, actor={"user_id": "u-1", "ip": "203.0.113.7"})
    assert done["effective_date"] == today.isoformat()
    period = proration.Period(today.replace(day=1), proration.next_cycle_date(today, 1))
    left = period.days_left(today)
    assert [l["amount_cents"] for l in done["lines"]] == [
        -proration.prorate(12999, left, period.days), proration.prorate(19999, left, period.days)]
    assert rows(container, select(ServiceChange.requested_by, ServiceChange.actor_user_id)) == [
        ("customer", "u-1")]


def test_an_account_not_yet_billed_changes_without_proration(billing):
    container, number = billing
    done = hook(container, "change_account_services", number,
                {"changes": [{"code": "VOICE-LINE", "quantity": 1}]})
    assert done["period"]["billed"] is False and done["lines"] == []
    listed = hook(container, "get_account_services", number)
    assert [(i["code"], i["quantity"], i["self_service"]) for i in listed["items"]] == [
        ("INT-500", 1, True), ("VOICE-LINE", 1, True)]
    assert listed["monthly_cents"] == 12999 + 2999
    assert {p["code"] for p in listed["self_service_products"]} >= {"VOICE-LINE", "STATIC-IP-1"}


def test_an_admin_of_a_suspended_account_cannot_change_services_but_staff_can(billing):
    container, number = billing
    execute(container, "UPDATE accounts SET status = 'suspended'")
    add = {"changes": [{"code": "STATIC-IP-1", "quantity": 1}]}
    with pytest.raises(Refused) as refused:
        hook(container, "change_account_services", number, add, self_service=True)
    assert "suspended" in refused.value.detail
    assert hook(container, "change_account_services", number, add)["changes"][0][
        "new_quantity"] == 1
