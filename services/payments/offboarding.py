"""Off-boarding: a user removed from an account stops paying for it.

On ``identity.user_removed`` the scheduled payments that user set up on that account are
canceled (not handed to the admins): nobody still on the account chose that amount, date and
method, and money should not move on the word of someone who left. Each cancellation emits
``payments.payment_canceled`` in the same transaction, and notifications tells the account's
admins and billing users, who can schedule it again in one step. A payment run checks again
before charging a scheduled payment (``payer_gone``), so one scheduled while its payer was
being removed is canceled the same way instead of charged. Autopay belongs to the
account, not to whoever enrolled it, and keeps running (the admins are told of every autopay
payment). Payments already being charged or settled are left to finish.
"""
import logging

from sqlalchemy import select

from services.payments.models import Payment
from services.runtime import clock

log = logging.getLogger(__name__)

REASON = "Canceled: the user who scheduled it was removed from the account."


def cancel_for_removed_user(tx, account_number, user_id):
    """Cancel ``user_id``'s scheduled payments on ``account_number``; returns them."""
    scheduled = tx.session.execute(select(Payment).where(
        Payment.account_number == account_number, Payment.user_id == user_id,
        Payment.status == "scheduled")).scalars().all()
    for payment in scheduled:
        cancel(tx, payment)
    return scheduled


def cancel(tx, payment, cause="user_removed", reason=REASON):
    """Cancel one scheduled payment (by default: its payer left the account), and say so."""
    payment.status = "canceled"
    payment.failure_reason = reason
    payment.updated_at = clock.now()
    tx.emit("payment_canceled", {
        "account_number": payment.account_number, "payment_id": payment.id,
        "amount_cents": payment.amount_cents, "scheduled_for": payment.scheduled_for,
        "user_id": payment.user_id, "cause": cause, "reason": reason})


def payer_gone(still_a_user, row):
    """``(wait, gone)`` for a scheduled payment about to run: gone=True when its payer is no
    longer a user of the account, wait=True when identity does not answer (next run)."""
    if row.kind != "scheduled" or not row.user_id or still_a_user is None:
        return False, False
    try:
        return False, not still_a_user(row.account_number, row.user_id)
    except Exception as exc:  # identity away: do not charge for someone who may have left
        log.warning("scheduled payment %s waits for the next run: identity did not say "
                    "whether its payer is still a user (%s)", row.id, type(exc).__name__)
        return True, False
