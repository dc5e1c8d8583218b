"""notifications: the welcome email on billing.account_opened, once per event."""
import mailbox
from pathlib import Path

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, text

from services.notifications.service import NotificationsService
from services.runtime import outbox
from services.runtime.database import engine_url


def opened_event():
    return outbox.envelope("billing", "account_opened", {
        "account_number": "4929000000000006", "company_name": "Bluebird Bakery",
        "bill_cycle_day": 3, "contact_name": "Sam Lee", "email": "sam@bluebird.example"})


def test_a_new_account_gets_one_welcome_email_even_when_the_event_is_redelivered(
        start_service, vhost, tmp_path):
    container = start_service(NotificationsService)
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    event = opened_event()
    for _ in range(2):
        with entrypoint_waiter(container, "on_account_opened", timeout=10):
            dispatch("billing", "account_opened", event)

    box = mailbox.Maildir(str(Path(tmp_path) / "mail"), create=False)
    messages = list(box)
    assert len(messages) == 1
    assert messages[0]["To"] == "sam@bluebird.example"
    assert messages[0].get_content_type() == "multipart/alternative"  # text and HTML
    assert all("4929000000000006" in part.get_payload(decode=True).decode()
               for part in messages[0].get_payload())
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM messages")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE event_type = "
                                 "'notifications.notification_sent'")).scalar() == 1
    engine.dispose()
