"""notifications' payment notices (services/notifications/service_payment_notices.py) in a nameko
container on a real broker and database; identity's RPCs are replaced by a fake directory,
mail goes to the Maildir under DATA_DIR."""
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_notices import ACCOUNT, mails, start_notices, succeeded, text_of

USERS = {"u-payer": {"user_id": "u-payer", "username": "payer", "email": "payer@example.com",
                     "first_name": "Pat", "last_name": "Payer"}}
ACCOUNT_USERS = [
    {"user_id": "u-a1", "username": "a1", "email": "admin1@example.com", "role": "admin"},
    {"user_id": "u-a2", "username": "a2", "email": "admin2@example.com", "role": "admin"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
    {"user_id": "u-payer", "username": "payer", "email": "payer@example.com", "role": "viewer"},
]  # the payer was demoted to viewer: still a user of the account, told of their own payment


class FakeIdentity:
    def get_user(self, user_id):
        return USERS[user_id]

    def list_account_users(self, account_number):
        return ACCOUNT_USERS


def test_the_payer_gets_exactly_one_receipt_even_when_the_event_is_redelivered(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    event = succeeded("u-payer")
    for _ in range(2):
        with entrypoint_waiter(container, "on_payment_succeeded", timeout=10):
            dispatch("payments", "payment_succeeded", event)
    received = mails(tmp_path)  # the payer and each admin, once each
    assert sorted(m["To"] for m in received) == ["admin1@example.com", "admin2@example.com",
                                                 "payer@example.com"]
    [mine] = [m for m in received if m["To"] == "payer@example.com"]
    assert "$1,234.56" in mine["Subject"]
    text = text_of(mine)
    assert "ending in 4242" in text and "Pat" in text


def test_an_autopay_receipt_goes_to_each_admin_of_the_account(container_factory, vhost,
                                                               database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    with entrypoint_waiter(container, "on_payment_succeeded", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("payments", "payment_succeeded",
                                                 succeeded(None))
    assert sorted(m["To"] for m in mails(tmp_path)) == ["admin1@example.com",
                                                        "admin2@example.com"]


def test_a_final_autopay_failure_asks_the_admins_to_pay_by_hand(container_factory, vhost,
                                                               database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    event = outbox.envelope("payments", "payment_failed", {
        "account_number": ACCOUNT, "payment_id": "p-2", "amount_cents": 500,
        "reason": "Your card has insufficient funds.", "user_id": None, "will_retry": False})
    with entrypoint_waiter(container, "on_payment_failed", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("payments", "payment_failed", event)
    received = mails(tmp_path)
    assert len(received) == 2
    text = text_of(received[0])
    assert "insufficient funds" in text and "pay by hand" in text
