"""An account's time zone, from its billing address's state: the toll-fraud guard's "night"
is the account's night (billing/fraud_rules.py).

One zone per state, the one most of its people live in (a state split between two zones, such
as Texas or Florida, takes its larger part). An unknown state falls back to DEFAULT_ZONE,
US Central: the middle of the contiguous states, never more than two hours from a customer's
own clock there.
"""
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "America/Chicago"

_EASTERN = "CT DC DE FL GA IN MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV KY"
_CENTRAL = "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI"
_MOUNTAIN = "CO ID MT NM UT WY"
STATE_ZONES = {
    **{s: "America/New_York" for s in _EASTERN.split()},
    **{s: "America/Chicago" for s in _CENTRAL.split()},
    **{s: "America/Denver" for s in _MOUNTAIN.split()},
    "AZ": "America/Phoenix",  # no daylight saving time
    "CA": "America/Los_Angeles", "NV": "America/Los_Angeles", "OR": "America/Los_Angeles",
    "WA": "America/Los_Angeles",
    "AK": "America/Anchorage", "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico", "VI": "America/St_Thomas", "GU": "Pacific/Guam",
    "MP": "Pacific/Saipan", "AS": "Pacific/Pago_Pago",
}


def zone_name(state):
    """The IANA zone of a US state or territory code (DEFAULT_ZONE when unknown)."""
    return STATE_ZONES.get((state or "").upper(), DEFAULT_ZONE)


def zone(state):
    return ZoneInfo(zone_name(state))
