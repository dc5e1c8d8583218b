"""Rating calls: what a call costs, from its type, duration and destination.

Local calls are included in the line's monthly price. Long distance and international calls
are charged per *started* minute; international by the destination's country prefix (the
longest matching prefix of the E.164 number wins).
"""
from services.contracts import billing as contract

LONG_DISTANCE_CENTS_PER_MINUTE = 5
INTERNATIONAL_DEFAULT_CENTS_PER_MINUTE = 35

# country calling code -> cents per minute
INTERNATIONAL_CENTS_PER_MINUTE = {
    "1": 5,       # NANP outside the US (Canada, Caribbean)
    "44": 9, "33": 9, "49": 9, "34": 10, "39": 10, "31": 9, "353": 10,
    "52": 12, "55": 18, "61": 14, "81": 15, "82": 15, "86": 12, "91": 14,
}
_PREFIX_LENGTHS = sorted({len(p) for p in INTERNATIONAL_CENTS_PER_MINUTE}, reverse=True)

CALL_TYPES = contract.CALL_TYPES  # the usage contract's


def started_minutes(duration_seconds):
    """A 61-second call is two minutes; a 0-second (unanswered) call is none."""
    return -(-duration_seconds // 60)


def international_rate(to_number):
    digits = to_number.lstrip("+")
    for length in _PREFIX_LENGTHS:
        rate = INTERNATIONAL_CENTS_PER_MINUTE.get(digits[:length])
        if rate is not None:
            return rate
    return INTERNATIONAL_DEFAULT_CENTS_PER_MINUTE


def charge_cents(call_type, to_number, duration_seconds):
    """The charge of one call in cents."""
    if call_type == "local":
        return 0
    if call_type == "long_distance":
        rate = LONG_DISTANCE_CENTS_PER_MINUTE
    else:
        rate = international_rate(to_number)
    return started_minutes(duration_seconds) * rate
