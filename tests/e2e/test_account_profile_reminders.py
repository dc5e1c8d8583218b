"""Reminders end to end on the real services: a bill due in five days on an account without
autopay, and an autopay card that lapses before the next automatic payment, each mailed once
to the account's admin. Staff run reminders for a chosen date (POST /internal/v1/reminder-runs),
as the timer would on that day. Dates are laid out from today, so a card that expires this
month can still be added: its statement falls due early next month, after the card lapses."""
from datetime import date, timedelta

from tests.support.auth_helpers import bearer, mails_to, new_user, text_of
from tests.support.payment_methods import CARD
from tests.support.api_client import bill
from tests.support.system import eventually


def run_reminders(system, day):
    response = system.staff().post(system.url("/internal/v1/reminder-runs"),
                                   json={"run_date": day}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def calendar_from_today():
    """(card's month, card's year, statement date, due date) with the due date on the 9th of
    next month, so a card expiring this month lapses before autopay pays."""
    today = date.today()
    due = (today.replace(day=28) + timedelta(days=4)).replace(day=9)
    return today.month, today.year, due - timedelta(days=21), due


def test_a_due_bill_and_a_lapsing_autopay_card_are_each_reminded_once(system):
    exp_month, exp_year, statement_date, due = calendar_from_today()
    manual, auto = new_user(system), new_user(system)
    bill(system, manual["account_number"], statement_date.isoformat())

    admin = bearer(system, auto["username"])
    number = auto["account_number"]
    method = admin.post(system.url(f"/api/v1/accounts/{number}/payment-methods"),
                        json=dict(CARD, exp_month=exp_month, exp_year=exp_year), timeout=10)
    assert method.status_code == 201, method.text
    assert admin.put(system.url(f"/api/v1/accounts/{number}/autopay"), json={
        "payment_method_id": method.json()["id"], "enabled": True}, timeout=10).ok
    bill(system, number, statement_date.isoformat())

    def both_reminded():
        """both reminders left (once notifications has consumed both statements)"""
        run_reminders(system, (due - timedelta(days=5)).isoformat())
        return ([m for m in mails_to(system, manual["email"]) if "Reminder" in m["Subject"]]
                and [m for m in mails_to(system, auto["email"]) if "expires" in m["Subject"]])
    eventually(both_reminded, timeout=30)
    run_reminders(system, (due - timedelta(days=4)).isoformat())  # a later run: nothing again

    reminders = [m for m in mails_to(system, manual["email"]) if "Reminder" in m["Subject"]]
    assert len(reminders) == 1 and f"{due:%B} 9, {due.year}" in text_of(reminders[0])
    card = [m for m in mails_to(system, auto["email"]) if "expires" in m["Subject"]]
    assert len(card) == 1 and "ending in 4242" in card[0]["Subject"]
    assert not [m for m in mails_to(system, auto["email"]) if "Reminder" in m["Subject"]]
