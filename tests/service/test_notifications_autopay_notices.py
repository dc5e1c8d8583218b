"""notifications' autopay guardrail notices (services/notifications/service_autopay_notices.py)
in a nameko container on a real broker and database (SQLite and PostgreSQL): a statement
autopay skipped for its limit, the pre-draft notice and the expiring-card warning reach the
account's admins and billing users once each (mail and message centre), never a viewer.
identity's directory is a fake; mail goes to the Maildir under DATA_DIR."""
from datetime import date

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_notices import ACCOUNT, mails, start_notices, text_of

ACCOUNT_USERS = [
    {"user_id": "u-a", "username": "a", "email": "admin@example.com", "role": "admin",
     "first_name": "Ada"},
    {"user_id": "u-b", "username": "b", "email": "billing@example.com", "role": "billing"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
]


class FakeIdentity:
    def get_user(self, user_id):
        return next(u for u in ACCOUNT_USERS if u["user_id"] == user_id)

    def list_account_users(self, account_number):
        return ACCOUNT_USERS


def deliver(container, vhost, handler, name, data, times=1):
    dated = {k: date.fromisoformat(v) if k in ("due_date", "scheduled_for") else v
             for k, v in data.items()}
    event = outbox.envelope("payments", name, dated)
    for _ in range(times):
        with entrypoint_waiter(container, handler, timeout=10):
            event_dispatcher({"AMQP_URI": vhost[1]})("payments", name, event)


def started(container_factory, vhost, database, tmp_path):
    return start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())


def test_a_skipped_statement_tells_each_payer_once_by_mail_and_in_the_message_centre(
        container_factory, vhost, database, tmp_path):
    container = started(container_factory, vhost, database, tmp_path)
    deliver(container, vhost, "on_autopay_skipped", "autopay_skipped", {
        "account_number": ACCOUNT, "invoice_number": "INV-9", "amount_cents": 48250,
        "max_amount_cents": 40000, "reason": "over_cap", "due_date": "2026-12-20"}, times=2)
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin@example.com", "billing@example.com"]
    assert "above your autopay limit of $400.00" in received[0]["Subject"]
    text = text_of(received[0])
    assert "$482.50" in text and "December 20, 2026" in text and "INV-9" in text
    assert "http://portal.test/pay" in text
    with entrypoint_hook(container, "list_notifications") as listed:
        [notice] = listed("u-a")["items"]
    assert "Autopay did not pay" in notice["subject"]


def test_the_pre_draft_notice_says_amount_date_and_method_by_its_last_four_digits(
        container_factory, vhost, database, tmp_path):
    container = started(container_factory, vhost, database, tmp_path)
    deliver(container, vhost, "on_autopay_draft_announced", "autopay_draft_announced", {
        "account_number": ACCOUNT, "payment_id": "p-1", "invoice_number": "INV-7",
        "amount_cents": 9900, "currency": "USD", "scheduled_for": "2026-12-20",
        "method_type": "bank_account", "last4": "6789", "notice_days": 3}, times=2)
    received = mails(tmp_path)
    assert len(received) == 2
    assert received[0]["Subject"] == "Coming up: autopay will pay $99.00 on December 20, 2026"
    text = text_of(received[0])
    assert "bank account ending in 6789" in text and "INV-7" in text


def test_an_expiring_card_is_warned_about_once_whether_at_the_statement_or_the_daily_run(
        container_factory, vhost, database, tmp_path):
    container = started(container_factory, vhost, database, tmp_path)
    warning = {"account_number": ACCOUNT, "payment_id": "p-2", "invoice_number": "INV-8",
               "payment_method_id": "m-1", "last4": "4242", "exp_month": 12,
               "exp_year": 2026, "scheduled_for": "2027-01-09"}
    deliver(container, vhost, "on_autopay_card_expiring", "autopay_card_expiring", warning,
            times=2)
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin@example.com", "billing@example.com"]
    assert "expires before the next payment" in received[0]["Subject"]
    text = text_of(received[0])
    assert "December 2026" in text and "January 9, 2027" in text
    deliver(container, vhost, "on_autopay_card_expiring", "autopay_card_expiring",
            dict(warning, invoice_number="INV-8b"))  # the same card and expiry: no second mail
    assert len(mails(tmp_path)) == 2


def test_the_autopay_changed_mail_says_the_limit_when_there_is_one(container_factory, vhost,
                                                                   database, tmp_path):
    container = started(container_factory, vhost, database, tmp_path)
    deliver(container, vhost, "on_autopay_changed", "autopay_changed", {
        "account_number": ACCOUNT, "enabled": True, "payment_method_id": "m-1",
        "max_amount_cents": 250000})
    deliver(container, vhost, "on_autopay_changed", "autopay_changed", {
        "account_number": ACCOUNT, "enabled": True, "payment_method_id": "m-1",
        "max_amount_cents": None})
    texts = sorted(text_of(m) for m in mails(tmp_path) if m["To"] == "admin@example.com")
    assert sum("up to $2,500.00 a statement" in t for t in texts) == 1
    assert len(texts) == 2
