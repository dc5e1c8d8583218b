"""How people read money and dates: "$1,204.50", "Dec 22, 2026", "Dec 22, 2026, 3:04 PM UTC".

One home for the reading form used by the portal's pages, the statement PDF and the mails;
the API and the CSV keep integer cents and ISO dates (machines read those).
"""
from datetime import date, datetime

from services.runtime import clock



def usd(cents):
    """Integer cents as US dollars: ``$1,234.56``; a credit reads ``-$5.00``; None reads "—"."""
    if cents is None:
        return "—"
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def us_date(value):
    """A date (or ISO text) as ``Dec 22, 2026``; None or "" reads "—"."""
    if value in (None, ""):
        return "—"
    day = _as_date(value)
    return f"{day:%b} {day.day}, {day.year}"


def long_date(value):
    """A date as ``December 22, 2026`` (mail subjects and letters)."""
    day = _as_date(value)
    return f"{day:%B} {day.day}, {day.year}"


def us_datetime(value):
    """A moment (or ISO text) in UTC as ``Dec 22, 2026, 3:04 PM UTC``; naive is taken as UTC."""
    if value in (None, ""):
        return "—"
    moment = clock.as_utc(value if isinstance(value, datetime) else str(value))
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{us_date(moment)}, {hour}:{moment.minute:02d} {half} UTC"
