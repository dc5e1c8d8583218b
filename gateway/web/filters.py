"""The template filters: money and dates in their reading form (from their one home,
services/contracts/money.py) and the machine form a ``<time datetime>`` attribute needs."""
from services.contracts import money
from services.runtime import clock


def machine_datetime(value):
    """ISO text as a valid ``datetime`` attribute: UTC, whole seconds (the Nu checker refuses
    the six-digit fractions the services send)."""
    return clock.iso(str(value), timespec="seconds")


def init_blueprint(bp):
    bp.add_app_template_filter(money.usd, "usd")
    bp.add_app_template_filter(money.signed_usd, "signed_usd")
    bp.add_app_template_filter(money.decimal, "decimal")
    bp.add_app_template_filter(money.us_date, "us_date")
    bp.add_app_template_filter(money.us_datetime, "us_datetime")
    bp.add_app_template_filter(machine_datetime, "machine_datetime")
