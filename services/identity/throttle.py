"""Throttling failed sign-ins, per username and per client address.

Each key gets a few free failures, then an exponential back-off (2 s, 4 s, 8 s... at most
15 minutes) measured from its last failure, and never more than HOURLY_LIMIT failures in an
hour. Throttled attempts are refused before any password is checked and are not counted.
Keys exist for unknown usernames too, so throttling reveals nothing about who exists.
"""
import math
from datetime import timedelta, timezone

from services.identity.models import SignInFailures

WINDOW = timedelta(hours=1)
FREE = {"user": 5, "ip": 50,  # an office behind one address has many users
        "challenge": 3,        # wrong challenge answers on a password reset
        "code": 5}             # wrong security codes on payments
HOURLY_LIMIT = 100
MAX_BACKOFF_SECONDS = 15 * 60


def user_key(username):
    return f"user:{str(username).lower()[:100]}"


def challenge_key(user_id):
    return f"challenge:{user_id}"


def ip_key(ip):
    return f"ip:{ip or 'unknown'}"


def _aware(moment):
    # SQLite hands back naive datetimes; everything here is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def wait_seconds(row, free, at):
    """Seconds until the key of ``row`` may try again (0: now)."""
    if row is None or at - _aware(row.window_started_at) >= WINDOW:
        return 0
    if row.count >= HOURLY_LIMIT:
        return math.ceil((_aware(row.window_started_at) + WINDOW - at).total_seconds())
    if row.count < free:
        return 0
    backoff = min(2 ** (row.count - free + 1), MAX_BACKOFF_SECONDS)
    return max(0, math.ceil((_aware(row.last_failed_at) - at).total_seconds() + backoff))


def retry_after(session, keys, at):
    """The longest wait among ``keys`` (``[(kind, key)]``)."""
    return max(wait_seconds(session.get(SignInFailures, key), FREE[kind], at)
               for kind, key in keys)


def record_failure(session, key, at):
    """Counts one failure for ``key``; returns its row."""
    row = session.get(SignInFailures, key)
    if row is None:
        row = SignInFailures(key=key, count=0, window_started_at=at, last_failed_at=at,
                             locked_event_sent=0)
        session.add(row)
    elif at - _aware(row.window_started_at) >= WINDOW:
        row.count, row.window_started_at, row.locked_event_sent = 0, at, 0
    row.count += 1
    row.last_failed_at = at
    return row


def newly_locked(row, kind):
    """True once per window, when ``row`` has just started being throttled."""
    if row.count >= FREE[kind] and not row.locked_event_sent:
        row.locked_event_sent = 1
        return True
    return False


def forget(session, key):
    row = session.get(SignInFailures, key)
    if row is not None:
        session.delete(row)
