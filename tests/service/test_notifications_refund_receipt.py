"""The refund receipt: notifications in a nameko container on a real broker and database
(SQLite and PostgreSQL) with identity's directory faked, mail into the Maildir. A
``payments.payment_refunded`` mails the payer and the account's admins and billing users once
each, however often it is delivered, and its subject is not a payment receipt's (the chaos
run counts those)."""
import email
import email.policy

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_notices import ACCOUNT, mails, start_notices, text_of

MEMBERS = [
    {"user_id": "u-a", "username": "a", "email": "admin@example.com", "role": "admin"},
    {"user_id": "u-b", "username": "b", "email": "billing@example.com", "role": "billing"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
]


class Directory:
    def get_user(self, user_id):
        return {m["user_id"]: dict(m, first_name=m["username"].upper()) for m in MEMBERS
                }[user_id]

    def list_account_users(self, account_number):
        return MEMBERS


def test_a_refund_is_mailed_once_to_the_payer_admins_and_billing_users(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, Directory())
    event = outbox.envelope("payments", "payment_refunded", {
        "account_number": ACCOUNT, "payment_id": "p-1", "refund_id": "r-1",
        "amount_cents": 2500, "currency": "USD", "refunded_cents": 4000,
        "method_type": "card", "last4": "4242", "reason": "Charged twice for <b>one</b> bill",
        "user_id": "u-b"})
    for _ in range(2):
        with entrypoint_waiter(container, "on_payment_refunded", timeout=10):
            event_dispatcher({"AMQP_URI": vhost[1]})("payments", "payment_refunded", event)
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin@example.com", "billing@example.com"]
    mine = next(m for m in received if m["To"] == "billing@example.com")
    assert mine["Subject"] == "Refund of $25.00 to your card ending 4242"
    assert "receipt" not in mine["Subject"].lower()
    body = text_of(mine)
    assert "Hello B," in body and "$40.00" in body and "Charged twice for <b>one</b> bill" in body
    parsed = email.message_from_bytes(bytes(mine), policy=email.policy.default)
    html = parsed.get_body(("html",)).get_content()
    assert "&lt;b&gt;one&lt;/b&gt;" in html and "<b>one</b>" not in html  # autoescaped
