"""Payments in proportion: one payment may be at most what the account owes plus one month
ahead, as billing's ``get_payment_allowance`` says (the balance plus the largest amount due of
the last three statements; with no statement yet, the balance). A portal for paying bills is
no place to try a stolen card for $99,999.99.

Bank debits still pending are money on its way that billing's ledger has not seen yet: they
count against the allowance, so two debits cannot each take the whole of it. Checked when a
one-time or scheduled payment is made and again when a scheduled payment runs; autopay pays
at most the amount due (runs.py).
"""
from sqlalchemy import func, select

from services.contracts.errors import Refused
from services.payments.models import Payment


def dollars(cents):
    return f"${cents // 100:,}.{cents % 100:02d}"


def in_flight(session, account_number, exclude=None):
    """Cents of the account's payments charged but not yet succeeded (pending)."""
    query = select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.account_number == account_number, Payment.status == "pending")
    if exclude is not None:
        query = query.where(Payment.id != exclude)
    return int(session.execute(query).scalar())


def most_allowed(allowance, pending_cents):
    """The most a payment may be now, given billing's allowance and what is in flight."""
    return max(0, int(allowance["max_payment_cents"]) - pending_cents)


def refusal(amount_cents, most):
    """The reason a payment of ``amount_cents`` is refused, or None when it is in proportion."""
    if amount_cents <= most:
        return None
    if most == 0:
        return ("Nothing can be paid on this account right now: it owes nothing and is "
                "already a month ahead (or has no statement yet).")
    return (f"A payment can be at most {dollars(most)}: what the account owes plus one month "
            "ahead (the largest of its last three statements).")


def check(session, account_number, amount_cents, allowance):
    """Raises Refused (422) when the payment is out of proportion."""
    reason = refusal(amount_cents, most_allowed(allowance,
                                                in_flight(session, account_number)))
    if reason:
        raise Refused(reason)
