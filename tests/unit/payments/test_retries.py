"""When a failed automatic payment is tried again (services/payments/retries.py)."""
from datetime import date, timedelta

from services.payments.retries import next_autopay_try


def test_an_autopay_is_tried_again_1_3_and_5_days_after_its_first_try_then_no_more():
    due = date(2026, 12, 20)
    day, tries = due, []
    for attempt in range(1, 6):
        day = next_autopay_try(attempt, day)
        tries.append(day)
        if day is None:
            break
    assert tries == [due + timedelta(days=1), due + timedelta(days=3), due + timedelta(days=5),
                     None]


def test_a_try_made_a_day_late_moves_the_later_ones_with_it():
    assert next_autopay_try(2, date(2026, 12, 22)) == date(2026, 12, 24)  # two days on, as planned
