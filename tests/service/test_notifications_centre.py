"""notifications: bill-ready notices, preferences (email, SMS through the file adapter),
the message centre and reminders, in a nameko container on a real broker and database.
identity, billing and payments RPCs are replaced by small fakes; mail goes to the Maildir and
texts to DATA_DIR/sms/outbox.log."""
import json
from datetime import date

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, replace_dependencies

from services.contracts.errors import InvalidInput, NotFound
from services.notifications.service import NotificationsService
from services.runtime import outbox
from tests.support.payment_notices import mails, succeeded, text_of

ACCOUNT = "4929000000000006"
USERS = [
    {"user_id": "u-a1", "username": "a1", "email": "ap@northwind.example", "role": "admin"},
    {"user_id": "u-b", "username": "bill", "email": "bill@northwind.example", "role": "billing"},
    {"user_id": "u-v", "username": "v", "email": "viewer@northwind.example", "role": "viewer"},
]


class FakeIdentity:
    def list_account_users(self, account_number):
        return USERS

    def get_user(self, user_id):
        return next(dict(u, first_name=u["username"]) for u in USERS if u["user_id"] == user_id)


class FakeBilling:
    amount_due_cents, invoice_number = 12345, "261112INV"

    def get_profile(self, account_number):
        return {"phone": "+12125550147"}

    def get_account_summary(self, account_number):
        return {"amount_due_cents": self.amount_due_cents, "invoice_number": self.invoice_number}


class FakePayments:
    autopay = None
    methods = []

    def get_autopay(self, account_number):
        return self.autopay

    def list_payment_methods(self, account_number):
        return self.methods


@pytest.fixture
def service(container_factory, vhost, database, tmp_path):
    billing, payments = FakeBilling(), FakePayments()
    container = container_factory(NotificationsService, {
        "AMQP_URI": vhost[1], "SERIALIZER": "json",
        "DATABASE_URL": database("notifications"), "DATA_DIR": str(tmp_path),
        "PUBLIC_URL": "http://portal.test", "SMTP_URL": None, "RPC_TIMEOUT": 5})
    replace_dependencies(container, identity_rpc=FakeIdentity(), billing_rpc=billing,
                         payments_rpc=payments)
    container.start()
    return container, billing, payments


def call(container, name, *args):
    with entrypoint_hook(container, name) as method:
        return method(*args)


def issued(delivery="paperless", invoice="261112INV", due="2026-12-03"):
    return outbox.envelope("billing", "statement_issued", {
        "account_number": ACCOUNT, "invoice_number": invoice,
        "statement_date": date(2026, 11, 12), "due_date": date.fromisoformat(due), "amount_due_cents": 12345, "currency": "USD",
        "invoice_delivery": delivery, "delivery_email": "ap@northwind.example"})


def deliver(container, event, handler="on_statement_issued"):
    with entrypoint_waiter(container, handler, timeout=10):
        event_dispatcher({"AMQP_URI": container.config["AMQP_URI"]})(
            event["source"], event["type"].split(".")[1], event)


def texts(tmp_path):
    log = tmp_path / "sms" / "outbox.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_paperless_bill_is_mailed_once_with_amount_due_date_and_link_and_listed_for_each_user(
        service, tmp_path):
    container, _, _ = service
    event = issued()
    deliver(container, event)
    deliver(container, event)  # a redelivery sends nothing again
    received = sorted(mails(tmp_path), key=lambda m: m["To"])
    assert [m["To"] for m in received] == ["ap@northwind.example", "bill@northwind.example",
                                           "viewer@northwind.example"]
    text = text_of(received[0])
    assert "$123.45" in text and "December 3, 2026" in text
    assert "http://portal.test/billing/261112INV" in text
    for user in USERS:
        items = call(container, "list_notifications", user["user_id"])["items"]
        assert [i["category"] for i in items] == ["bill_ready"]
        assert items[0]["read"] is False and "$123.45" in items[0]["subject"]


def test_a_paper_bill_is_not_mailed(service, tmp_path):
    container, _, _ = service
    deliver(container, issued("paper"))
    assert mails(tmp_path) == []
    assert call(container, "list_notifications", "u-a1")["items"] == []


def test_preferences_turn_email_off_and_texts_on_and_reject_anything_but_booleans(
        service, tmp_path):
    container, _, _ = service
    assert call(container, "get_notification_preferences", "u-b")["bill_ready"] == {
        "email": True, "sms": False}
    prefs = {"bill_ready": {"email": False, "sms": True},
             "payment": {"email": False, "sms": True},
             "reminders": {"email": True, "sms": False}}
    with pytest.raises(InvalidInput) as refused:
        call(container, "set_notification_preferences", "u-b",
             dict(prefs, payment={"email": "yes", "sms": True}))
    assert "payment" in refused.value.errors
    assert call(container, "get_notification_preferences", "u-b")["payment"]["email"] is True
    assert call(container, "set_notification_preferences", "u-b", prefs) == dict(
        prefs, usage_alerts={"email": True, "sms": False})  # left out: as it was

    deliver(container, issued())
    assert "bill@northwind.example" not in [m["To"] for m in mails(tmp_path)]
    sent = texts(tmp_path)
    assert len(sent) == 1 and sent[0]["to"] == "+12125550147"
    assert "Your bill is ready" in sent[0]["text"]
    # the message centre still lists it, and a text is not listed twice
    assert len(call(container, "list_notifications", "u-b")["items"]) == 1

    deliver(container, succeeded("u-b"), "on_payment_succeeded")
    assert "bill@northwind.example" not in [m["To"] for m in mails(tmp_path)]
    assert len(texts(tmp_path)) == 2


def test_the_message_centre_pages_newest_first_and_marks_only_ones_own_messages_read(service):
    container, _, _ = service
    for n in range(3):
        deliver(container, issued(invoice=f"26111{n}INV"))
    first = call(container, "list_notifications", "u-a1", 2)
    assert len(first["items"]) == 2 and first["next_cursor"] and first["unread"] == 3
    rest = call(container, "list_notifications", "u-a1", 2, first["next_cursor"])
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    subjects = [i["subject"] for i in first["items"] + rest["items"]]
    assert len(set(subjects)) == 1 and len({i["id"] for i in first["items"] + rest["items"]}) == 3
    created = [i["created_at"] for i in first["items"] + rest["items"]]
    assert created == sorted(created, reverse=True)
    target = first["items"][0]["id"]
    with pytest.raises(NotFound):
        call(container, "mark_notification_read", "u-v", target)
    call(container, "mark_notification_read", "u-a1", target)
    page = call(container, "list_notifications", "u-a1")
    assert page["unread"] == 2 and [i["read"] for i in page["items"]].count(True) == 1
    with pytest.raises(InvalidInput):
        call(container, "list_notifications", "u-a1", 20, "not-a-cursor")


def test_a_bill_due_in_five_days_without_autopay_is_reminded_once_to_those_who_pay(
        service, tmp_path):
    container, billing, payments = service
    deliver(container, issued("paper"))
    assert call(container, "send_reminders", "2026-11-27") == {"bill_due": 0,
                                                               "card_expiring": 0}
    assert call(container, "send_reminders", "2026-11-28") == {"bill_due": 1,
                                                               "card_expiring": 0}
    assert call(container, "send_reminders", "2026-11-29")["bill_due"] == 0
    reminded = sorted(m["To"] for m in mails(tmp_path))
    assert reminded == ["ap@northwind.example", "bill@northwind.example"]
    assert "December 3, 2026" in text_of(mails(tmp_path)[0])
    with pytest.raises(InvalidInput):
        call(container, "send_reminders", "tomorrow")


def test_no_reminder_on_autopay_but_a_card_lapsing_before_the_next_autopay_is_reminded_once(
        service, tmp_path):
    container, _, payments = service
    deliver(container, issued("paper"))
    payments.autopay = {"enabled": True, "payment_method_id": "pm-1"}
    payments.methods = [{"id": "pm-1", "type": "card", "last4": "4242", "exp_month": 11,
                         "exp_year": 2026}]
    assert call(container, "send_reminders", "2026-11-28") == {"bill_due": 0,
                                                               "card_expiring": 1}
    assert call(container, "send_reminders", "2026-11-29") == {"bill_due": 0,
                                                               "card_expiring": 0}
    received = mails(tmp_path)
    assert len(received) == 2 and "ending in 4242" in received[0]["Subject"]
    payments.methods = [dict(payments.methods[0], exp_month=12)]  # valid through the due date
    payments.autopay = {"enabled": True, "payment_method_id": "pm-1"}
    assert call(container, "send_reminders", "2026-11-30")["card_expiring"] == 0


def test_a_bill_above_the_autopay_limit_is_reminded_and_not_said_to_be_paid_by_autopay(
        service, tmp_path):
    container, billing, payments = service
    payments.autopay = {"enabled": True, "payment_method_id": "pm-1",
                        "max_amount_cents": 12344}  # the bill is 12,345 cents: above it
    deliver(container, issued("paperless"))
    assert not any("Autopay will pay it" in text_of(m) for m in mails(tmp_path))
    assert call(container, "send_reminders", "2026-11-28")["bill_due"] == 1
    payments.autopay = dict(payments.autopay, max_amount_cents=12345)  # within: autopay pays
    billing.invoice_number = "261212INV"
    deliver(container, issued("paperless", invoice="261212INV", due="2026-12-04"))
    assert call(container, "send_reminders", "2026-11-29")["bill_due"] == 0
    assert sum("Autopay will pay it" in text_of(m) for m in mails(tmp_path)) >= 1
