"""Payments in proportion: one payment may be at most what the account owes plus one month
ahead, as billing's ``get_payment_allowance`` says (the balance plus the largest amount due of
the last three statements; with no statement yet, the balance). A portal for paying bills is
no place to try a stolen card for $99,999.99.

Money on its way that billing's balance does not show yet counts against the allowance, so
that quick or concurrent payments cannot each take the whole of it: bank debits still pending,
and payments that succeeded but that billing did not yet say it credited (its answer lists
which of our recent successes it applied; any other success of the last RECENT counts). The
check and the new row are serialised per account (a PostgreSQL advisory lock in the
transaction). Checked when a one-time or scheduled payment is made and again when a scheduled
payment runs; autopay pays at most what is still due on the same reckoning (runs.py).
"""
from datetime import timedelta

from sqlalchemy import select, text

from services.contracts import money
from services.contracts.errors import Refused
from services.payments.models import Payment
from services.runtime import clock

RECENT = timedelta(days=2)  # billing credits a success within seconds; this is ample
ASKED = 200                 # recent successes billing is asked about, newest first


def recent_successes(session, account_number):
    """Ids of the account's payments that succeeded within RECENT, newest first (at most
    ASKED): what billing is asked whether it credited."""
    return list(session.execute(select(Payment.id).where(
        Payment.account_number == account_number, Payment.status == "succeeded",
        Payment.paid_at >= clock.now() - RECENT)
        .order_by(Payment.paid_at.desc()).limit(ASKED)).scalars())


def lock_account(session, account_number):
    """Serialise payment checks of one account until the transaction ends (PostgreSQL; SQLite
    has a single writer)."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"payments.limits:{account_number}"})


def in_flight(session, account_number, allowance, exclude=None):
    """Cents on their way that ``allowance`` (billing's answer) does not show yet: pending
    payments, and successes of the last RECENT billing did not list as applied."""
    applied = set(allowance.get("applied_payment_ids") or ())
    rows = session.execute(select(Payment.id, Payment.status, Payment.amount_cents).where(
        Payment.account_number == account_number,
        (Payment.status == "pending") | ((Payment.status == "succeeded")
                                         & (Payment.paid_at >= clock.now() - RECENT))))
    return sum(cents for payment_id, status, cents in rows
               if payment_id != exclude and (status == "pending" or payment_id not in applied))


def most_allowed(allowance, pending_cents):
    """The most a payment may be now, given billing's allowance and what is in flight."""
    return max(0, int(allowance["max_payment_cents"]) - pending_cents)


def still_due(allowance, pending_cents):
    """What autopay may still take: billing's amount due less what is on its way."""
    return max(0, int(allowance["amount_due_cents"]) - pending_cents)


def refusal(amount_cents, most):
    """The reason a payment of ``amount_cents`` is refused, or None when it is in proportion."""
    if amount_cents <= most:
        return None
    if most == 0:
        return ("Nothing can be paid on this account right now: it owes nothing and is "
                "already a month ahead (or has no statement yet).")
    return (f"A payment can be at most {money.usd(most)}: what the account owes plus one month "
            "ahead (the largest of its last three statements).")


def check(session, account_number, amount_cents, allowance):
    """Raises Refused (422) when the payment is out of proportion. Call in the transaction
    that writes the payment, after ``lock_account``."""
    reason = refusal(amount_cents, most_allowed(
        allowance, in_flight(session, account_number, allowance)))
    if reason:
        raise Refused(reason)
