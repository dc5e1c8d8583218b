"""No card testing through the portal (outside probe of issue 11, point 13): each card or bank
account handed to the processor is an answer about it (valid, CVC and postal code right,
declined), and each declined charge another, so an account may ask only so many an hour.

* Methods tried (tokenised, accepted or declined): at most METHODS_PER_HOUR per account.
  Each try is recorded (``method_attempts``) in its own transaction before the processor is
  asked, so a declined one counts too, and checks of one account are serialised.
* Declined charges (on methods already added: each new card costs one of the tries above): once FAILED_PER_HOUR of the account's payments were declined in the last
  hour, a new payment is refused before the processor is called (payments refused as out of
  proportion never reached the processor and do not count).

Either is ``Throttled`` (429 with ``Retry-After``).
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from services.contracts.errors import Throttled
from services.payments import limits
from services.payments.models import MethodAttempt, Payment
from services.runtime import throttling

WINDOW = timedelta(hours=1)
METHODS_PER_HOUR = 10
FAILED_PER_HOUR = 20
NOT_CHARGED = ("out_of_proportion",)
TOO_MANY_METHODS = ("Too many cards or bank accounts were tried on this account in the last "
                    "hour. Wait a while and try again, or call support.")
TOO_MANY_DECLINES = ("Too many payments on this account were declined in the last hour. Wait "
                     "a while and try again, or call support.")


def _now():
    return datetime.now(timezone.utc)


def _wait(oldest, at):
    """Until the oldest attempt counted leaves the window."""
    return throttling.seconds_until(oldest + WINDOW, at)


def reserve_method_attempt(session, account_number, at=None):
    """Records one method handed to the processor; Throttled when the account had its
    METHODS_PER_HOUR this hour (nothing recorded). Commit before asking the processor."""
    at = at or _now()
    limits.lock_account(session, account_number)
    session.execute(delete(MethodAttempt).where(MethodAttempt.attempted_at < at - WINDOW))
    count, oldest = session.execute(select(
        func.count(MethodAttempt.id), func.min(MethodAttempt.attempted_at)).where(
        MethodAttempt.account_number == account_number,
        MethodAttempt.attempted_at >= at - WINDOW)).one()
    if count >= METHODS_PER_HOUR:
        raise Throttled(TOO_MANY_METHODS, retry_after=_wait(oldest, at))
    session.add(MethodAttempt(account_number=account_number, attempted_at=at))
    session.flush()


def check_declines(session, account_number, at=None):
    """Throttled when FAILED_PER_HOUR of the account's payments were declined this hour."""
    at = at or _now()
    rows = session.execute(select(Payment.updated_at).where(
        Payment.account_number == account_number, Payment.status == "failed",
        Payment.updated_at >= at - WINDOW,
        Payment.failure_code.is_(None) | Payment.failure_code.not_in(NOT_CHARGED))
        .order_by(Payment.updated_at.desc()).limit(FAILED_PER_HOUR)).scalars().all()
    if len(rows) >= FAILED_PER_HOUR:
        raise Throttled(TOO_MANY_DECLINES, retry_after=_wait(min(rows), at))
