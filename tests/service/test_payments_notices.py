"""notifications' payment notices (services/notifications/service_payment_notices.py) in a nameko
container on a real broker and database; identity's RPCs are replaced by a fake directory,
mail goes to the Maildir under DATA_DIR."""
import email
import email.policy
import mailbox
from pathlib import Path

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter, replace_dependencies

from services.notifications.service_payment_notices import PaymentNotices
from services.notifications.service import NotificationsService
from services.runtime import outbox

ACCOUNT = "4929000000000006"
USERS = {"u-payer": {"user_id": "u-payer", "username": "payer", "email": "payer@example.com",
                     "first_name": "Pat", "last_name": "Payer"}}
ACCOUNT_USERS = [
    {"user_id": "u-a1", "username": "a1", "email": "admin1@example.com", "role": "admin"},
    {"user_id": "u-a2", "username": "a2", "email": "admin2@example.com", "role": "admin"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
    {"user_id": "u-payer", "username": "payer", "email": "payer@example.com", "role": "viewer"},
]  # the payer was demoted to viewer: still a user of the account, told of their own payment


class WithPaymentNotices(NotificationsService, PaymentNotices):
    """NotificationsService with the mixin whether or not its bases list it yet."""
    name = "notifications"


class FakeIdentity:
    def get_user(self, user_id):
        return USERS[user_id]

    def list_account_users(self, account_number):
        return ACCOUNT_USERS


def start(container_factory, vhost, database, tmp_path):
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json",
              "DATABASE_URL": database("notifications"), "DATA_DIR": str(tmp_path),
              "PUBLIC_URL": "http://portal.test", "SMTP_URL": None, "RPC_TIMEOUT": 5}
    container = container_factory(WithPaymentNotices, config)
    replace_dependencies(container, identity_rpc=FakeIdentity())
    container.start()
    return container


def mails(tmp_path):
    path = Path(tmp_path) / "mail"
    return list(mailbox.Maildir(str(path), create=False)) if path.exists() else []


def text_of(message):
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    return parsed.get_body(("plain",)).get_content()


def succeeded(user_id):
    return outbox.envelope("payments", "payment_succeeded", {
        "account_number": ACCOUNT, "payment_id": "p-1", "amount_cents": 123456,
        "currency": "USD", "method_type": "card", "last4": "4242", "user_id": user_id})


def test_the_payer_gets_exactly_one_receipt_even_when_the_event_is_redelivered(
        container_factory, vhost, database, tmp_path):
    container = start(container_factory, vhost, database, tmp_path)
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
    container = start(container_factory, vhost, database, tmp_path)
    with entrypoint_waiter(container, "on_payment_succeeded", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("payments", "payment_succeeded",
                                                 succeeded(None))
    assert sorted(m["To"] for m in mails(tmp_path)) == ["admin1@example.com",
                                                        "admin2@example.com"]


def test_a_final_autopay_failure_asks_the_admins_to_pay_by_hand(container_factory, vhost,
                                                               database, tmp_path):
    container = start(container_factory, vhost, database, tmp_path)
    event = outbox.envelope("payments", "payment_failed", {
        "account_number": ACCOUNT, "payment_id": "p-2", "amount_cents": 500,
        "reason": "Your card has insufficient funds.", "user_id": None, "will_retry": False})
    with entrypoint_waiter(container, "on_payment_failed", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("payments", "payment_failed", event)
    received = mails(tmp_path)
    assert len(received) == 2
    text = text_of(received[0])
    assert "insufficient funds" in text and "pay by hand" in text
