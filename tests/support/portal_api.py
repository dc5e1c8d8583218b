"""Moved to tests/support/api_client.py; this name stays for branches written before the move
(nothing on main imports it)."""
from tests.support.api_client import add_method, bill, calls, customer, key, summary  # noqa: F401
from tests.support.api_client import last_cycle_date  # noqa: F401
