"""The recovery timings keep the order their module's docstring explains."""
from services.payments.recovery import IN_FLIGHT_GRACE, INTERRUPTED_AFTER
from services.runtime import config


def test_a_slow_request_is_not_resumed_and_the_run_waits_for_the_customers_retry():
    rpc_timeout = config.load({"DATA_DIR": "/nonexistent"}, generate=False).rpc_timeout
    assert INTERRUPTED_AFTER.total_seconds() > rpc_timeout
    assert IN_FLIGHT_GRACE > INTERRUPTED_AFTER
