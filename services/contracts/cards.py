"""What a card's expiry means, for every service that asks (payments warns when it issues a
statement, notifications reminds before the next autopay): one rule in one place."""
import calendar
from datetime import date


def lapses_before(exp_month, exp_year, day):
    """True when a card expiring ``exp_month``/``exp_year`` no longer works on ``day``: a card
    works through the last day of its expiry month. Not a card (no expiry): False."""
    if not exp_month or not exp_year:
        return False
    last = date(int(exp_year), int(exp_month),
                calendar.monthrange(int(exp_year), int(exp_month))[1])
    return last < day
