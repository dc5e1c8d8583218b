"""Money and dates: how people read them ("$1,204.50", "Dec 22, 2026", "Dec 22, 2026, 3:04 PM
UTC"), the plain decimal files and form fields carry ("1204.50"), and the one rounding of taxes.

One home for the reading form used by the portal's pages, the statement PDF and the mails, for
the CSV export's charge column, and for the percentage rule the bill run's SQL applies; the API
keeps integer cents and ISO dates (machines read those).
"""
from datetime import date, datetime

from services.runtime import clock

_HALF_CENT = 5000   # cents × basis points is in 1/10,000 of a cent: adding half of that rounds up


def _split(cents):
    cents = int(cents)
    return ("-" if cents < 0 else ""), abs(cents) // 100, abs(cents) % 100


def usd(cents):
    """Integer cents as US dollars: ``$1,234.56``; a credit reads ``-$5.00``; None reads "—"."""
    if cents is None:
        return "—"
    sign, dollars, rest = _split(cents)
    return f"{sign}${dollars:,}.{rest:02d}"


def signed_usd(cents):
    """``usd`` with the direction of a change: ``+$4.20``, ``-$4.20`` (``+$0.00`` for none)."""
    return usd(cents) if cents < 0 else f"+{usd(cents)}"


def decimal(cents):
    """Integer cents as the plain decimal a CSV cell or a form field holds: ``1234.56``, no
    currency sign, no grouping; a credit reads ``-5.00``."""
    sign, dollars, rest = _split(cents)
    return f"{sign}{dollars}.{rest:02d}"


def decimal_sql(column):
    """``decimal`` as a PostgreSQL text expression over an integer cents column (the CSV export
    formats its pages in the server)."""
    whole = f"abs({column})"
    return (f"(CASE WHEN {column} < 0 THEN '-' ELSE '' END || ({whole} / 100) || '.' || "
            f"lpad(mod({whole}, 100)::text, 2, '0'))")


def percent_of(cents, basis_points):
    """``basis_points`` (hundredths of a percent) of ``cents``, rounded half up to the cent:
    the rounding of every tax and fee. Integer arithmetic, so that the database computes the
    very same (``percent_of_sql``)."""
    return (cents * basis_points + _HALF_CENT) // 10000


def percent_of_sql(cents, basis_points):
    """``percent_of`` as an SQL expression over integer expressions (SQLite and PostgreSQL).
    SQL's integer ``/`` truncates toward zero where Python's ``//`` floors, so a negative
    quotient is taken as minus the ceiling of its opposite: credits round as in Python too (no
    ``%``: a DB-API driver of the "format" paramstyle reads it as a placeholder)."""
    scaled = f"({cents} * {basis_points} + {_HALF_CENT})"
    return (f"(CASE WHEN {scaled} >= 0 THEN {scaled} / 10000 "
            f"ELSE -((9999 - {scaled}) / 10000) END)")


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
