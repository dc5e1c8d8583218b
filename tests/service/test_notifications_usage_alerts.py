"""notifications: usage-alert notices in a nameko container on a real broker and database,
identity's directory and billing's profile faked: the account's admins and billing users are
told (never a viewer) by email and/or text as their usage_alerts preferences ask, the message
centre lists it either way, once per recipient however often the event is delivered; the
preference is kept when a client leaves it out."""
from datetime import date

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter, replace_dependencies

from services.contracts.errors import InvalidInput
from services.notifications.service import NotificationsService
from services.runtime import outbox
from tests.support.containers import hook
from tests.support.payment_notices import ACCOUNT, mails, text_of

MEMBERS = [
    {"user_id": "u-a", "username": "ann", "email": "admin@example.com", "role": "admin"},
    {"user_id": "u-b", "username": "bo", "email": "billing@example.com", "role": "billing"},
    {"user_id": "u-v", "username": "vi", "email": "viewer@example.com", "role": "viewer"},
]
OLD_CLIENT = {c: {"email": True, "sms": False} for c in ("bill_ready", "payment", "reminders")}


class Directory:
    def get_user(self, user_id):
        return next(m for m in MEMBERS if m["user_id"] == user_id)

    def list_account_users(self, account_number):
        return MEMBERS


class Billing:
    def get_profile(self, account_number):
        return {"phone": "+12125550147"}


@pytest.fixture
def notices(container_factory, vhost, database, tmp_path):
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json",
              "DATABASE_URL": database("notifications"), "DATA_DIR": str(tmp_path),
              "PUBLIC_URL": "http://portal.test", "SMTP_URL": None, "RPC_TIMEOUT": 5}
    container = container_factory(NotificationsService, config)
    replace_dependencies(container, identity_rpc=Directory(), billing_rpc=Billing())
    container.start()
    return container


def crossed(kind="threshold"):
    return outbox.envelope("billing", "usage_threshold_crossed", {
        "account_number": ACCOUNT, "kind": kind,
        "threshold_cents": 5000 if kind == "threshold" else None, "usage_cents": 5210,
        "baseline_cents": 2140, "cycle_start": date(2026, 11, 15),
        "cycle_end": date(2026, 12, 15), "currency": "USD"})


def deliver(container, vhost, event):
    with entrypoint_waiter(container, "on_usage_threshold_crossed", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("billing", "usage_threshold_crossed", event)


def texts(tmp_path):
    log = tmp_path / "sms" / "outbox.log"
    return log.read_text().splitlines() if log.exists() else []


def test_admins_and_billing_users_are_told_once_each_as_their_preferences_ask(
        notices, vhost, tmp_path):
    # the billing user wants texts and no mail for usage alerts; the admin keeps the defaults
    hook(notices, "set_notification_preferences", "u-b",
         dict(OLD_CLIENT, usage_alerts={"email": False, "sms": True}))
    event = crossed()
    for _ in range(2):  # a redelivery tells nobody again
        deliver(notices, vhost, event)
    [mail] = mails(tmp_path)
    assert mail["To"] == "admin@example.com"
    assert mail["Subject"] == "Usage charges reached $50.00 this month"
    body = text_of(mail)
    assert "$52.10" in body and "December 15, 2026" in body and ACCOUNT in body
    [text] = texts(tmp_path)
    assert '"to": "+12125550147"' in text and "Usage charges reached $50.00" in text
    for user in ("u-a", "u-b"):  # the message centre lists it for both
        [entry] = hook(notices, "list_notifications", user)["items"]
        assert entry["category"] == "usage_alerts"
        assert entry["subject"] == "Usage charges reached $50.00 this month"
    assert hook(notices, "list_notifications", "u-v")["items"] == []


def test_bill_shock_says_how_far_above_usual(notices, vhost, tmp_path):
    deliver(notices, vhost, crossed("bill_shock"))
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin@example.com", "billing@example.com"]
    assert received[0]["Subject"] == "Usage charges are well above usual: $52.10 so far"
    assert "150%" in text_of(received[0]) and "$21.40" in text_of(received[0])


def test_usage_alert_preferences_default_on_by_email_and_stay_when_left_out(notices):
    assert hook(notices, "get_notification_preferences", "u-a")["usage_alerts"] == {
        "email": True, "sms": False}
    hook(notices, "set_notification_preferences", "u-a",
         dict(OLD_CLIENT, usage_alerts={"email": False, "sms": True}))
    saved = hook(notices, "set_notification_preferences", "u-a",
                 dict(OLD_CLIENT, payment={"email": False, "sms": False}))
    assert saved["usage_alerts"] == {"email": False, "sms": True}
    assert saved["payment"] == {"email": False, "sms": False}
    with pytest.raises(InvalidInput):
        hook(notices, "set_notification_preferences", "u-a",
             dict(OLD_CLIENT, usage_alerts={"email": "yes", "sms": True}))
    assert hook(notices, "get_notification_preferences", "u-a")["usage_alerts"] == {
        "email": False, "sms": True}
