"""Who hears about a payment (issue 11, point 11), notifications in a nameko container on a
real broker and database with identity's directory faked: the account's admins and billing
users, and the payer while they are still a user of the account; never someone who left, nor
a viewer. A scheduled payment canceled because its payer left is told to the same people."""
from datetime import date

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_notices import ACCOUNT, mails, start_notices, succeeded, text_of

MEMBERS = [
    {"user_id": "u-a1", "username": "a1", "email": "admin1@example.com", "role": "admin"},
    {"user_id": "u-b", "username": "b", "email": "billing@example.com", "role": "billing"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
]
LEFT = {"user_id": "u-left", "username": "left", "email": "left@example.com",
        "first_name": "Lee", "last_name": "Left"}


class Directory:
    def get_user(self, user_id):
        return {m["user_id"]: dict(m, first_name=m["username"].upper()) for m in MEMBERS
                }.get(user_id, LEFT)

    def list_account_users(self, account_number):
        return MEMBERS


def deliver(container, vhost, handler, event_type, event):
    with entrypoint_waiter(container, handler, timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("payments", event_type, event)


def test_a_receipt_for_someone_who_left_goes_to_the_admins_and_billing_users(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, Directory())
    deliver(container, vhost, "on_payment_succeeded", "payment_succeeded", succeeded("u-left"))
    assert sorted(m["To"] for m in mails(tmp_path)) == ["admin1@example.com",
                                                        "billing@example.com"]


def test_a_members_receipt_goes_to_them_and_the_admins_and_billing_users_once_each(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, Directory())
    deliver(container, vhost, "on_payment_succeeded", "payment_succeeded", succeeded("u-b"))
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin1@example.com", "billing@example.com"]
    mine = next(m for m in received if m["To"] == "billing@example.com")
    assert "Hello B," in text_of(mine)  # the payer greeted by first name, as before


def test_a_payment_canceled_because_its_payer_left_is_told_to_the_admins(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, Directory())
    event = outbox.envelope("payments", "payment_canceled", {
        "account_number": ACCOUNT, "payment_id": "p-9", "amount_cents": 1500,
        "scheduled_for": date(2026, 12, 20), "user_id": "u-left", "cause": "user_removed",
        "reason": "Canceled: the user who scheduled it was removed from the account."})
    for _ in range(2):
        deliver(container, vhost, "on_payment_canceled", "payment_canceled", event)
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin1@example.com", "billing@example.com"]
    assert "canceled" in received[0]["Subject"] and "$15.00" in received[0]["Subject"]
    text = text_of(received[0])
    assert "left" in text and "removed from the account" in text and "2026-12-20" in text
