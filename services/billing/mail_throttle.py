"""Allowances on the mail billing sends on a customer's request (a paperless address's
verification link): so many per key per hour, then Throttled (429 with Retry-After) until
the hour is over.

Each mail is reserved in the transaction that asks for it, on ``mail_throttle`` rows held
locked, as every throttle is (services/runtime/throttling.py). Keys are digests of the
address or account, bounded in length and with no address in the table.
"""
from datetime import timedelta

from services.billing.models import MailThrottle
from services.runtime import throttling

WINDOW = timedelta(hours=1)
LIMITS = {"verify_recipient": 3,  # verification mails to one address
          "verify_account": 5}    # ... asked from one account, whatever the address
TOO_MANY = ("Too many confirmation emails were sent for this. Wait a while and try again, "
            "or check the mailbox for the link we sent.")
COUNTERS = throttling.Counters(MailThrottle, WINDOW, last="last_sent_at")


def key(kind, value):
    if kind not in LIMITS:
        raise KeyError(kind)
    return throttling.digest_key(kind, value)


def reserve(session, wanted, at):
    """Reserves one mail on every ``(kind, value)`` of ``wanted``, or on none: raises
    Throttled (``retry_after``) when one has no room left this hour."""
    COUNTERS.reserve(session, {key(kind, value): LIMITS[kind] for kind, value in wanted},
                     at, TOO_MANY)
