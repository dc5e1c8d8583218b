"""Autopay with guardrails end to end, through the gateway on the running system: a limit
(``max_amount_cents``) below the bill means no draft, a mail to the admin and a bill that
stays due; a limit above it drafts as before; the pre-draft notice is mailed once however
often the payment run runs; a card that will have expired by the draft date is warned about
when the statement is issued; a limit that is not whole cents in range is refused with a
problem document and changes nothing."""
from datetime import date, timedelta

import pytest

from tests.support.auth_helpers import mails_to, text_of
from tests.support.payment_methods import CARD
from tests.support.api_client import (add_method, bill, customer, payment_run, payments,
                                      summary)
from tests.support.system import eventually


def autopay(system, session, number, **body):
    return session.put(system.url(f"/api/v1/accounts/{number}/autopay"), json=body, timeout=10)


def admin_email(system, session):
    return session.get(system.url("/api/v1/me"), timeout=10).json()["email"]


def autopay_payments(system, session, number):
    return [p for p in payments(system, session, number) if p["kind"] == "autopay"]


def with_subject(system, to, part):
    return [m for m in mails_to(system, to) if part.lower() in m["Subject"].lower()]


def test_a_bill_above_the_limit_is_not_drafted_the_admin_is_mailed_and_it_stays_due(system):
    number, session = customer(system)
    card = add_method(system, session, number, CARD)
    enrolled = autopay(system, session, number, payment_method_id=card["id"],
                       max_amount_cents=100)
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["max_amount_cents"] == 100
    bill(system, number, "2026-11-15")
    due = summary(system, session, number)
    assert due["amount_due_cents"] > 100
    [mail] = eventually(lambda: with_subject(system, admin_email(system, session),
                                             "above your autopay limit of $1.00"))
    text = text_of(mail)
    assert "Nothing was drafted" in text and "/pay" in text
    [skipped] = autopay_payments(system, session, number)
    assert skipped["status"] == "canceled" and "autopay limit" in skipped["failure_reason"]
    notices = session.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
    assert any("Autopay did not pay" in n["subject"] for n in notices)
    payment_run(system, due["due_date"])
    after = summary(system, session, number)
    assert after["amount_due_cents"] == due["amount_due_cents"]  # still due, for collections
    assert [p["status"] for p in autopay_payments(system, session, number)] == ["canceled"]
    assert session.get(system.url(f"/api/v1/accounts/{number}/autopay"),
                       timeout=10).json()["next_draft"] is None


def test_a_bill_within_the_limit_is_announced_once_then_drafted_on_its_due_date(system):
    number, session = customer(system)
    card = add_method(system, session, number, dict(CARD, card_number="5555555555554444"))
    assert autopay(system, session, number, payment_method_id=card["id"],
                   max_amount_cents=10_000_000).status_code == 200
    bill(system, number, "2026-11-15")
    due = summary(system, session, number)
    [waiting] = eventually(lambda: autopay_payments(system, session, number))
    shown = session.get(system.url(f"/api/v1/accounts/{number}/autopay"), timeout=10).json()
    assert shown["next_draft"] == {"payment_id": waiting["id"],
                                   "scheduled_for": due["due_date"],
                                   "amount_cents": due["amount_due_cents"],
                                   "invoice_number": due["invoice_number"]}
    notice_day = (date.fromisoformat(due["due_date"]) - timedelta(days=3)).isoformat()
    for _ in range(2):  # the daily timer and a staff run on the same day
        payment_run(system, notice_day)
    to = admin_email(system, session)
    [notice] = eventually(lambda: with_subject(system, to, "Coming up: autopay will pay"))
    text = text_of(notice)
    assert "card ending in 4444" in text and "5555555555554444" not in text
    assert shown["next_draft"]["invoice_number"] in text
    payment_run(system, due["due_date"])
    paid = session.get(system.url(f"/api/v1/accounts/{number}/payments/{waiting['id']}"),
                       timeout=10).json()
    assert paid["status"] == "succeeded"
    eventually(lambda: summary(system, session, number)["amount_due_cents"] == 0)
    assert len(with_subject(system, to, "Coming up: autopay will pay")) == 1


def test_a_card_that_expires_before_the_draft_is_warned_about_when_the_bill_comes(system):
    number, session = customer(system)
    today = date.today()
    card = add_method(system, session, number, dict(CARD, exp_month=today.month,
                                                    exp_year=today.year))
    assert autopay(system, session, number, payment_method_id=card["id"]).status_code == 200
    next_cycle = (today.replace(day=28) + timedelta(days=10)).replace(day=15)
    bill(system, number, next_cycle.isoformat())  # due 21 days later: after the card lapses
    to = admin_email(system, session)
    [warning] = eventually(lambda: with_subject(system, to, "expires before the next payment"))
    assert "ending in 4242" in warning["Subject"]
    assert today.strftime("%B %Y") in text_of(warning)
    assert [p["status"] for p in autopay_payments(system, session, number)] == ["scheduled"]


@pytest.mark.parametrize("cap", [0, -1, 10_000_001, "100", 1.5, True])
def test_a_limit_that_is_not_whole_cents_in_range_is_a_problem_and_changes_nothing(system, cap):
    number, session = customer(system)
    card = add_method(system, session, number, CARD)
    refused = autopay(system, session, number, payment_method_id=card["id"],
                      max_amount_cents=cap)
    assert refused.status_code in (400, 422), refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert "max_amount_cents" in refused.json().get("errors", {})
    assert session.get(system.url(f"/api/v1/accounts/{number}/autopay"),
                       timeout=10).json()["enabled"] is False
