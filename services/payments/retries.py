"""When a failed automatic payment is tried again: 1, 3 and 5 days after its first try (the
statement's due date), on that day's payment run. Only after the last of them fails is it
``failed`` (``payment_failed`` with ``will_retry`` false): until then it is still on its way,
and the customer is told when the next try is.

A one-time or scheduled payment is never retried: its payer chose the moment and the method."""
from datetime import timedelta

AUTOPAY_RETRY_DAYS = (1, 3, 5)  # days after the first try


def next_autopay_try(attempts, today):
    """The day of the next try after try number ``attempts`` (1 = the first) failed on
    ``today``, or None when it was the last. The gaps between the days are kept, so a payment
    run missed one day moves the later tries with it rather than bunching them up."""
    if attempts > len(AUTOPAY_RETRY_DAYS):
        return None
    before = AUTOPAY_RETRY_DAYS[attempts - 2] if attempts >= 2 else 0
    return today + timedelta(days=AUTOPAY_RETRY_DAYS[attempts - 1] - before)
