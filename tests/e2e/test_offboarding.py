"""Off-boarding end to end (issue 11, point 11): when an admin removes a billing user from
the account, the scheduled payments that user set up are canceled and the admins are told;
payment notices (a receipt for a bank payment the user made before leaving) go to the
account's admins and billing users, never to the address of someone who left."""
import uuid
from datetime import date, timedelta

from tests.support.auth_helpers import bearer, invite_and_accept, mails_to, new_user
from tests.support.payment_methods import BANK, CARD
from tests.support.api_client import add_method, bill, payment_run
from tests.support.system import eventually


def test_removing_a_user_cancels_their_scheduled_payments_and_their_notices_go_to_admins(
        system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    bill(system, number)
    _, username, user_id = invite_and_accept(system, admin, number, "billing")
    leaver = bearer(system, username)
    leaver_email = leaver.get(system.url("/api/v1/me"), timeout=10).json()["email"]
    payments_url = system.url(f"/api/v1/accounts/{number}/payments")
    card = add_method(system, leaver, number, CARD)["id"]
    bank = add_method(system, leaver, number, dict(BANK, account_number="000555666777"))["id"]
    later = (date.today() + timedelta(days=20)).isoformat()
    scheduled = leaver.post(payments_url, json={
        "amount_cents": 1500, "payment_method_id": card, "scheduled_for": later},
        headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert scheduled.status_code == 201 and scheduled.json()["status"] == "scheduled"
    by_owner = admin.post(payments_url, json={
        "amount_cents": 1000, "payment_method_id": card, "scheduled_for": later},
        headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10).json()
    debit = leaver.post(payments_url, json={"amount_cents": 2000, "payment_method_id": bank},
                        headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert debit.json()["status"] == "pending", debit.text

    assert admin.delete(system.url(f"/api/v1/accounts/{number}/users/{user_id}"),
                        timeout=10).status_code == 204

    def canceled():
        """the leaver's scheduled payment was canceled"""
        payment = admin.get(f"{payments_url}/{scheduled.json()['id']}", timeout=10).json()
        return payment if payment["status"] == "canceled" else None
    assert "removed" in eventually(canceled, timeout=30)["failure_reason"]
    assert admin.get(f"{payments_url}/{by_owner['id']}",
                     timeout=10).json()["status"] == "scheduled"  # the admin's own stays
    notice = eventually(lambda: [m for m in mails_to(system, owner["email"])
                                 if "canceled" in m["Subject"]], timeout=30)
    assert len(notice) == 1

    # the bank debit the leaver made settles now: the receipt goes to the admin, not to them
    assert payment_run(system, date.today())["settled"] >= 1
    eventually(lambda: [m for m in mails_to(system, owner["email"])
                        if "receipt" in m["Subject"].lower() and "$20.00" in m["Subject"]],
               timeout=30)
    assert [m["Subject"] for m in mails_to(system, leaver_email)
            if "receipt" in m["Subject"].lower() or "canceled" in m["Subject"]] == []
