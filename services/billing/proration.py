"""Proration of a mid-period service change, by whole days, as Kill Bill does it.

Services are billed in advance: the statement dated D charges each service for the coming
period [D, next cycle date). So when a service changes on day E of that period, the old
quantity was already paid up to the period's end: the next statement credits the unused part
of it, [E, end), and charges the new quantity for the same days. The fraction is the days
left over the period's actual length (28, 29, 30 or 31 days: Feb, a leap year and 31-day
months each give their own fraction), and each line is rounded on its own, once, by
``prorate``: integer cents, half up. A credit is the negative of the charge the same
quantity would have had, so an unchanged quantity nets to exactly zero.
"""
from dataclasses import dataclass
from datetime import date, timedelta


def prorate(monthly_cents, days_left, period_days):
    """``monthly_cents`` × ``days_left`` / ``period_days`` in whole cents, rounded half up
    (integer arithmetic: no float ever touches money). ``monthly_cents`` >= 0."""
    if monthly_cents < 0 or not 0 <= days_left <= period_days or period_days <= 0:
        raise ValueError("prorate takes cents >= 0 and 0 <= days_left <= period_days > 0")
    return (2 * monthly_cents * days_left + period_days) // (2 * period_days)


def next_cycle_date(after, cycle_day):
    """The first date strictly after ``after`` whose day of the month is ``cycle_day``
    (1-28, so every month has it)."""
    candidate = after.replace(day=cycle_day)
    if candidate <= after:
        year, month = (after.year, after.month + 1) if after.month < 12 else (after.year + 1, 1)
        candidate = date(year, month, cycle_day)
    return candidate


@dataclass(frozen=True)
class Period:
    """The service period a change falls in: [start, end), billed in advance at ``start``."""
    start: date
    end: date

    @property
    def days(self):
        return (self.end - self.start).days

    def days_left(self, effective_date):
        return (self.end - effective_date).days

    @property
    def last_day(self):
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class Line:
    """A proration line for the next statement: ``kind`` credit (negative) or charge."""
    code: str
    kind: str
    quantity: int
    amount_cents: int
    start: date
    end: date  # exclusive


def lines_for(code, old_quantity, new_quantity, monthly_cents, period, effective_date):
    """The credit for ``old_quantity`` and the charge for ``new_quantity`` of one product at
    ``monthly_cents`` each, from ``effective_date`` to the period's end. Nothing when the
    quantity is unchanged or no day is left; a zero line is left out."""
    days_left = period.days_left(effective_date)
    if old_quantity == new_quantity or days_left == 0:
        return []
    lines = []
    credit = prorate(old_quantity * monthly_cents, days_left, period.days)
    if credit:
        lines.append(Line(code, "credit", old_quantity, -credit, effective_date, period.end))
    charge = prorate(new_quantity * monthly_cents, days_left, period.days)
    if charge:
        lines.append(Line(code, "charge", new_quantity, charge, effective_date, period.end))
    return lines
