"""notifications: templated emails through the direct RPC and on identity's events, delivered
after the record commits, into the Maildir or through a real SMTP server (aiosmtpd, run as a
process). identity's get_user RPC is a fake answering from a table."""
import mailbox
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from nameko.extensions import DependencyProvider
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import create_engine, text

from services.contracts.errors import InvalidInput
from services.notifications import outgoing
from services.notifications.models import metadata
from services.notifications.service import NotificationsService
from services.runtime import outbox
from services.runtime.database import engine_url, standalone
from tests.support.containers import rows
from tests.support.ports import free_port

USER = {"user_id": "u-1", "username": "rosa.diaz", "email": "rosa@harbor.example",
        "first_name": "Rosa", "last_name": "Diaz"}
LINK = "http://portal.test/reset-password?token=SECRETtokenVALUE1234567890abcdef"


class _Identity:
    def get_user(self, user_id):
        return dict(USER, user_id=user_id)


class _FakeIdentity(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return _Identity()


class NotificationsUnderTest(NotificationsService):
    identity_rpc = _FakeIdentity()


def maildir(path):
    return list(mailbox.Maildir(str(Path(path) / "mail"), create=True))


def parts(message):
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
            if not p.is_multipart()}


def send_reset(container):
    with entrypoint_hook(container, "send_email") as send_email:
        return send_email(to="rosa@harbor.example", category="security",
                          template="password_reset",
                          context={"link": LINK, "first_name": "Rosa", "minutes": 30},
                          user_id="u-1", secret_keys=["link"])


def test_a_reset_link_is_mailed_with_text_and_html_but_not_kept_in_the_record(start_service,
                                                                              tmp_path):
    container = start_service(NotificationsUnderTest)
    message_id = send_reset(container)
    (mail,) = maildir(tmp_path)
    assert mail["To"] == "rosa@harbor.example"
    assert mail["Subject"] == "Reset your BizPortal password"
    body = parts(mail)
    assert LINK in body["text/plain"] and LINK in body["text/html"]
    (stored,) = rows(container, "SELECT id, body, html, status, redacted FROM messages")
    assert stored[0] == message_id and stored[3] == "sent"
    assert "SECRETtoken" not in stored[1] and "SECRETtoken" not in stored[2]
    sent = rows(container, "SELECT body FROM outbox WHERE event_type = "
                           "'notifications.notification_sent'")
    assert len(sent) == 1 and "SECRETtoken" not in sent[0][0]


@pytest.mark.parametrize("template, context, subject", [
    ("email_change", {"first_name": "Rosa", "minutes": 30}, "Confirm your new BizPortal email"),
    ("invoice_email_verify", {"company_name": "Harbor Dental", "hours": 24},
     "Confirm where your BizPortal bills go"),
])
def test_confirmation_links_are_mailed_but_not_kept_in_the_record(start_service, tmp_path,
                                                                  template, context, subject):
    container = start_service(NotificationsUnderTest)
    with entrypoint_hook(container, "send_email") as send_email:
        send_email(to="rosa@harbor.example", category="security", template=template,
                   context=dict(context, link=LINK), secret_keys=["link"])
    (mail,) = maildir(tmp_path)
    assert mail["Subject"] == subject
    body = parts(mail)
    assert LINK in body["text/plain"] and LINK in body["text/html"]
    (stored,) = rows(container, "SELECT body, html FROM messages")
    assert "SECRETtoken" not in stored[0] and "SECRETtoken" not in stored[1]


def test_an_unknown_template_is_refused(start_service):
    container = start_service(NotificationsUnderTest)
    with pytest.raises(InvalidInput):
        with entrypoint_hook(container, "send_email") as send_email:
            send_email(to="a@b.example", category="x", template="nope", context={})


@pytest.fixture
def smtp_server(tmp_path):
    """A real SMTP server (aiosmtpd) storing what it receives in a Maildir of its own."""
    port, received = free_port(), tmp_path / "smtp-received"
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                "-c", "aiosmtpd.handlers.Mailbox", str(received)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"smtp://127.0.0.1:{port}", received
    process.terminate()
    process.wait(10)


def test_mail_goes_through_smtp_when_smtp_url_is_set(start_service, smtp_server, tmp_path):
    smtp_url, received = smtp_server
    container = start_service(NotificationsUnderTest, SMTP_URL=smtp_url)
    send_reset(container)
    (mail,) = list(mailbox.Maildir(str(received), create=False))
    assert mail["To"] == "rosa@harbor.example" and LINK in parts(mail)["text/plain"]
    assert maildir(tmp_path) == []  # not also dropped in the local Maildir


def test_an_unreachable_mail_server_leaves_the_message_pending_for_the_timer_to_send(start_service,
                                                                            tmp_path):
    container = start_service(NotificationsUnderTest, SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    dispatch = event_dispatcher({"AMQP_URI": container.config["AMQP_URI"]})
    event = outbox.envelope("identity", "password_changed", {"user_id": "u-1", "via": "change"})
    with entrypoint_waiter(container, "on_password_changed", timeout=20):
        dispatch("identity", "password_changed", event)
    assert rows(container, "SELECT status, attempts FROM messages") == [("pending", 1)]

    # later the mail server is back (here: the Maildir) and the timer's sweep delivers it, once
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text("UPDATE messages SET claimed_at = :t, created_at = :t"),
                     {"t": datetime.now(timezone.utc) - timedelta(minutes=5)})
    engine.dispose()
    db = standalone("notifications", container.config["DATABASE_URL"], metadata)
    config = dict(container.config, SMTP_URL=None)
    assert outgoing.deliver_due(db, config) == 1
    assert outgoing.deliver_due(db, config) == 0
    db.engine.dispose()
    (mail,) = maildir(tmp_path)
    assert mail["Subject"] == "Your BizPortal password was changed"
    assert rows(container, "SELECT status, attempts FROM messages") == [("sent", 2)]


def test_identity_events_bring_a_welcome_and_a_security_alert_once_each(start_service,
                                                                       vhost, tmp_path):
    container = start_service(NotificationsUnderTest)
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    registered = outbox.envelope("identity", "user_registered", {
        "user_id": "u-1", "username": "rosa.diaz", "email": "rosa@harbor.example",
        "account_number": "4929000000000006", "role": "admin"})
    changed = outbox.envelope("identity", "password_changed", {"user_id": "u-1", "via": "reset"})
    for _ in range(2):  # a redelivery sends nothing twice
        with entrypoint_waiter(container, "on_user_registered", timeout=10):
            dispatch("identity", "user_registered", registered)
        with entrypoint_waiter(container, "on_password_changed", timeout=10):
            dispatch("identity", "password_changed", changed)
    mails = maildir(tmp_path)
    assert sorted(m["Subject"] for m in mails) == ["Your BizPortal online ID is ready",
                                                   "Your BizPortal password was changed"]
    alert = next(m for m in mails if "password" in m["Subject"])
    assert "reset with an emailed link" in parts(alert)["text/plain"]
    assert rows(container, "SELECT count(*) FROM messages WHERE status = 'sent'") == [(2,)]


def test_a_raised_security_alert_is_mailed_once_even_when_redelivered(start_service, vhost,
                                                                      tmp_path):
    container = start_service(NotificationsUnderTest)
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    raised = outbox.envelope("identity", "security_alert_raised", {
        "user_id": "u-1", "email": "rosa@harbor.example", "first_name": "Rosa",
        "kind": "security", "what": "2-step sign-in was turned off.", "detail": "",
        "at": "2026-11-24T18:00:00+00:00", "ip": "203.0.113.9", "user_agent": "pytest"})
    sign_in = outbox.envelope("identity", "security_alert_raised", {
        "user_id": "u-1", "email": "rosa@harbor.example", "first_name": "Rosa",
        "kind": "sign_in", "what": "sign_in", "detail": "", "at": "2026-11-24T18:05:00+00:00",
        "ip": "198.51.100.7", "user_agent": "Firefox"})
    for _ in range(2):  # a redelivery sends nothing twice
        for event in (raised, sign_in):
            with entrypoint_waiter(container, "on_security_alert_raised", timeout=10):
                dispatch("identity", "security_alert_raised", event)
    mails = maildir(tmp_path)
    assert len(mails) == 2
    texts = sorted(parts(m)["text/plain"] for m in mails)
    assert any("2-step sign-in was turned off." in t and "203.0.113.9" in t for t in texts)
    assert any("198.51.100.7" in t and "Firefox" in t for t in texts)
    assert rows(container, "SELECT count(*) FROM messages WHERE category = 'security'") == [(2,)]
