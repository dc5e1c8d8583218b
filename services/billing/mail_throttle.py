"""Allowances on the mail billing sends on a customer's request (a paperless address's
verification link): so many per key per hour, then Throttled (429 with Retry-After) until
the hour is over.

An attempt is reserved in the transaction that makes the request, on a row held locked (an
UPDATE first, the row created when missing), so concurrent requests on one key queue up and
no burst slips past the allowance, on PostgreSQL and SQLite alike. Keys are digests of the
address or account, bounded in length and with no address in the table.
"""
import hashlib
import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.billing.models import MailThrottle
from services.contracts.errors import Throttled
from services.runtime import clock

WINDOW = timedelta(hours=1)
LIMITS = {"verify_recipient": 3,  # verification mails to one address
          "verify_account": 5}    # ... asked from one account, whatever the address
TOO_MANY = ("Too many confirmation emails were sent for this. Wait a while and try again, "
            "or check the mailbox for the link we sent.")


def key(kind, value):
    if kind not in LIMITS:
        raise KeyError(kind)
    return f"{kind}:" + hashlib.sha256(str(value or "").lower().encode()).hexdigest()[:40]



def _locked(session, name, at):
    hold = update(MailThrottle).where(MailThrottle.key == name).values(count=MailThrottle.count)
    if not session.execute(hold).rowcount:
        try:
            with session.begin_nested():
                session.add(MailThrottle(key=name, count=0, window_started_at=at,
                                         last_sent_at=at))
        except IntegrityError:  # a concurrent request made it first: wait for its lock
            session.execute(hold)
    row = session.execute(select(MailThrottle).where(MailThrottle.key == name)
                          .execution_options(populate_existing=True)).scalar_one()
    if at - clock.as_utc(row.window_started_at) >= WINDOW:
        row.count, row.window_started_at = 0, at
    return row


def reserve(session, wanted, at):
    """Reserves one mail on every ``(kind, value)`` of ``wanted``, or on none: raises
    Throttled (``retry_after``) when one has no room left this hour."""
    limits = {key(kind, value): LIMITS[kind] for kind, value in wanted}
    rows = {name: _locked(session, name, at) for name in sorted(limits)}  # one order: no deadlock
    full = [row for name, row in rows.items() if row.count >= limits[name]]
    if full:
        wait = max((clock.as_utc(row.window_started_at) + WINDOW - at).total_seconds()
                   for row in full)
        raise Throttled(TOO_MANY, retry_after=max(1, math.ceil(wait)))
    for row in rows.values():
        row.count += 1
        row.last_sent_at = at
