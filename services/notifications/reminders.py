"""Reminder rules as plain functions: which bills are due soon, when autopay next pays, and
whether a card lapses before then; plus the record that makes each reminder go out once."""
import calendar
from datetime import date, timedelta

from sqlalchemy import func, select

from services.contracts import cards
from services.contracts.payments import above_autopay_limit
from services.contracts.roles import roles_allowing
from services.notifications.models import Bill, ReminderSent

DAYS_BEFORE_DUE = 5
PAYERS = roles_allowing("pay")  # who can act on a reminder by paying


def remember_bill(session, data):
    """Keeps what reminders need of a statement_issued event (once per invoice)."""
    if session.get(Bill, data["invoice_number"]) is None:
        session.add(Bill(invoice_number=data["invoice_number"],
                         account_number=data["account_number"],
                         due_date=date.fromisoformat(str(data["due_date"])),
                         amount_due_cents=data["amount_due_cents"],
                         currency=data.get("currency") or "USD"))


def bills_due_soon(session, run_date):
    """Bills due within DAYS_BEFORE_DUE days after ``run_date`` with no reminder yet. A run
    missed on the fifth day still reminds on a later one, as long as the due date is ahead."""
    sent = select(ReminderSent.reference).where(ReminderSent.kind == "bill_due")
    return session.execute(select(Bill).where(
        Bill.due_date > run_date, Bill.due_date <= run_date + timedelta(days=DAYS_BEFORE_DUE),
        Bill.invoice_number.not_in(sent)).order_by(Bill.due_date)).scalars().all()


def latest_due_dates(session):
    """``{account_number: latest due date}`` of every account with a bill."""
    return dict(session.execute(select(Bill.account_number, func.max(Bill.due_date))
                                .group_by(Bill.account_number)).all())


def add_months(day, months=1):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_autopay_date(latest_due, run_date):
    """Autopay pays each statement on its due date: the latest one if still ahead, else the
    next cycle's (one month on)."""
    due = latest_due
    while due < run_date:
        due = add_months(due)
    return due


def card_lapses_before(exp_month, exp_year, day):
    """A card works through the last day of its expiry month (contracts/cards.py)."""
    return cards.lapses_before(exp_month, exp_year, day)


def autopay_covers(autopay, amount_cents):
    """Whether autopay (payments' ``get_autopay``) will pay a bill of ``amount_cents``: on,
    and the bill not above its limit. A bill above it stays the customer's to pay, so it is
    reminded of like any other and its bill-ready mail does not say autopay pays it."""
    return bool(autopay and autopay.get("enabled")) and not above_autopay_limit(
        amount_cents, autopay.get("max_amount_cents"))


def already_sent(session, kind, account_number, reference):
    return session.get(ReminderSent, (kind, account_number, reference)) is not None


def mark_sent(session, kind, account_number, reference, run_date):
    """Records the reminder in the same transaction as its messages; the primary key makes a
    second replica's identical run fail to commit instead of sending again."""
    session.add(ReminderSent(kind=kind, account_number=account_number, reference=reference,
                             sent_on=run_date))
    session.flush()
