"""The one clock every service reads, and the one rule for times without a zone.

Every time here is an aware UTC ``datetime``. SQLite hands back what was written in UTC without
its zone; ``as_utc`` gives it back. Code reads the clock as ``clock.now()`` (through the
module, at call time), so a test moves time for all of it by patching
``services.runtime.clock.now``.
"""
from datetime import datetime, timezone


def now():
    return datetime.now(timezone.utc)


def today():
    """Today's date in UTC (statement and due dates are UTC dates)."""
    return now().date()


def as_utc(moment):
    """``moment`` (a datetime, or ISO 8601 text) in UTC: naive is taken as UTC, aware is
    converted; None stays None."""
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite's answer to a raw SQL query, or a payload's field
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment, timespec="auto"):
    """ISO 8601 in UTC (``+00:00``); None stays None."""
    return None if moment is None else as_utc(moment).isoformat(timespec=timespec)
