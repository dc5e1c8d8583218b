"""The one clock identity reads (aware UTC), so tests can tell what "now" is."""
from datetime import datetime, timezone


def now():
    return datetime.now(timezone.utc)
