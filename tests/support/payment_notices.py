"""notifications with its payment notices, started in a nameko container for the service tests
with identity's directory faked, mail going to the Maildir under DATA_DIR: the event that starts
a receipt, and the mails it wrote."""
import email
import email.policy
import mailbox
from pathlib import Path

from nameko.testing.services import replace_dependencies

from services.notifications.service_payment_notices import PaymentNotices
from services.notifications.service import NotificationsService
from services.runtime import outbox

ACCOUNT = "4929000000000006"


class WithPaymentNotices(NotificationsService, PaymentNotices):
    """NotificationsService with the mixin whether or not its bases list it yet."""
    name = "notifications"


def start_notices(container_factory, vhost, database, tmp_path, identity):
    """A started notifications container whose identity_rpc is ``identity``."""
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json",
              "DATABASE_URL": database("notifications"), "DATA_DIR": str(tmp_path),
              "PUBLIC_URL": "http://portal.test", "SMTP_URL": None, "RPC_TIMEOUT": 5}
    container = container_factory(WithPaymentNotices, config)
    replace_dependencies(container, identity_rpc=identity)
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
