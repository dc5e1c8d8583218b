"""notifications' collections notices (services/notifications/service_collection_notices.py)
in a nameko container on a real broker and database, SQLite and PostgreSQL: identity's
directory is faked, mail goes to the Maildir under DATA_DIR. The payers (admins and billing
users, never a viewer) get one past-due reminder each, however often the event comes, and a
notice when the account is suspended and when it is restored; only the admins are mailed its
closure."""
from datetime import date

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_notices import ACCOUNT, mails, start_notices, text_of

ACCOUNT_USERS = [
    {"user_id": "u-a", "username": "a", "email": "admin@example.com", "role": "admin"},
    {"user_id": "u-b", "username": "b", "email": "billing@example.com", "role": "billing"},
    {"user_id": "u-v", "username": "v", "email": "viewer@example.com", "role": "viewer"},
]


class FakeIdentity:
    def list_account_users(self, account_number):
        assert account_number == ACCOUNT
        return ACCOUNT_USERS


def send(container, vhost, name, data, times=1):
    event = outbox.envelope("billing", name, data)
    for _ in range(times):
        with entrypoint_waiter(container, f"on_{name}", timeout=10):
            event_dispatcher({"AMQP_URI": vhost[1]})("billing", name, event)


def test_each_payer_gets_one_past_due_reminder_however_often_it_is_delivered(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    send(container, vhost, "payment_overdue", {
        "account_number": ACCOUNT, "invoice_number": "INV-1", "due_date": date(2026, 9, 22),
        "past_due_cents": 48250, "days_past_due": 7, "stage": 7, "suspend_on": date(2026, 10, 22),
        "currency": "USD"}, times=2)
    received = mails(tmp_path)
    assert sorted(m["To"] for m in received) == ["admin@example.com", "billing@example.com"]
    assert received[0]["Subject"] == f"Past due: $482.50 on account {ACCOUNT}"
    text = text_of(received[0])
    assert "7 days past due" in text and "September 22, 2026" in text
    assert "October 22, 2026" in text and "http://portal.test/pay" in text


def test_the_payers_are_told_of_the_suspension_and_of_the_restoration(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    send(container, vhost, "account_suspended", {
        "account_number": ACCOUNT, "past_due_cents": 48250, "days_past_due": 30,
        "invoice_number": "INV-1", "suspended_on": date(2026, 10, 22), "currency": "USD",
        "cause": "past_due"})
    send(container, vhost, "account_restored", {
        "account_number": ACCOUNT, "restored_on": date(2026, 10, 23), "payment_id": "p-1",
        "balance_cents": 0}, times=2)
    subjects = sorted((m["To"], m["Subject"]) for m in mails(tmp_path))
    assert subjects == sorted(
        [(to, f"Account {ACCOUNT} is suspended for non-payment") for to in
         ("admin@example.com", "billing@example.com")]
        + [(to, f"Account {ACCOUNT} is restored") for to in
           ("admin@example.com", "billing@example.com")])


def test_only_the_admins_are_mailed_the_closure_once_with_what_happens_to_the_credit(
        container_factory, vhost, database, tmp_path):
    container = start_notices(container_factory, vhost, database, tmp_path, FakeIdentity())
    send(container, vhost, "account_closed", {
        "account_number": ACCOUNT, "closure_id": "c-1", "effective_date": date(2026, 12, 17),
        "reason": "Moving", "final_invoice_number": "26121710000001", "balance_cents": -9000,
        "amount_due_cents": 0, "refund_cents": 5000, "credit_left_cents": 4000,
        "currency": "USD", "read_only_until": date(2028, 6, 17)}, times=2)
    [mail] = mails(tmp_path)
    assert (mail["To"], mail["Subject"]) == (
        "admin@example.com", f"Account {ACCOUNT} is closed: your final statement")
    text = " ".join(text_of(mail).split())
    assert "ended on December 17, 2026" in text and "26121710000001" in text
    assert "$50.00 of the account's credit is refunded" in text
    assert "$40.00 could not be refunded" in text and "until June 17, 2028" in text
