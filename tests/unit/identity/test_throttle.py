"""identity's throttle rules as plain functions on plain rows (no database): the sign-in wait
that a flood from one address does not impose on the people who sign in from there, and the
allowances on what mails someone or costs a hash."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from services.identity import throttle

AT = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def row(count, seconds_ago=0, window_minutes_ago=10):
    return SimpleNamespace(count=count, last_failed_at=AT - timedelta(seconds=seconds_ago),
                           window_started_at=AT - timedelta(minutes=window_minutes_ago))


FLOODED = row(throttle.HOURLY_LIMIT)  # an office address after a flood of failures


def test_a_flooded_address_stops_usernames_never_signed_in_from_there():
    assert throttle.sign_in_wait(row(0), FLOODED, address_known=False, at=AT) > 0
    assert throttle.sign_in_wait(None, FLOODED, address_known=False, at=AT) > 0


def test_a_flooded_address_does_not_stop_its_own_users():
    assert throttle.sign_in_wait(row(0), FLOODED, address_known=True, at=AT) == 0
    assert throttle.sign_in_wait(None, FLOODED, address_known=True, at=AT) == 0


def test_a_users_own_failures_still_throttle_them_wherever_they_are():
    own = row(throttle.FREE["user"])
    assert throttle.sign_in_wait(own, row(0), address_known=True, at=AT) == 2
    assert throttle.sign_in_wait(own, FLOODED, address_known=True, at=AT) == 2


def test_an_allowance_has_room_until_its_count_then_waits_out_the_hour():
    limit = throttle.QUOTAS["reset_user"]
    assert throttle.COUNTERS.wait(None, limit, AT) == 0
    assert throttle.COUNTERS.wait(row(limit - 1), limit, AT) == 0
    assert throttle.COUNTERS.wait(row(limit, window_minutes_ago=10), limit, AT) == 50 * 60
    assert throttle.COUNTERS.wait(row(limit, window_minutes_ago=61), limit, AT) == 0


def test_allowance_keys_are_digests_of_what_was_typed_case_insensitive():
    key = throttle.quota_key("reminder_email", "Rosa@Harbor.example")
    assert key == throttle.quota_key("reminder_email", "rosa@harbor.example")
    assert "harbor" not in key and len(key) <= 120
    assert key != throttle.quota_key("reset_user", "rosa@harbor.example")


def test_an_ipv6_client_is_its_64_and_every_spelling_of_an_address_is_one_key():
    """Outside probe: fresh addresses in one /64 each had an allowance of their own."""
    one = throttle.ip_key("2001:db8:1:2::1")
    assert throttle.ip_key("2001:db8:1:2:ffff:ffff:ffff:fffe") == one
    assert throttle.ip_key("2001:DB8:1:2:0:0:0:1") == one
    assert throttle.ip_key("2001:db8:1:3::1") != one
    assert throttle.quota_key("reset_ip", "2001:db8:1:2::1") \
        == throttle.quota_key("reset_ip", "2001:db8:1:2::abcd")
    assert throttle.quota_key("signup_ip", "::ffff:198.51.100.7") \
        == throttle.quota_key("signup_ip", "198.51.100.7")
    assert throttle.ip_key("198.51.100.7") != throttle.ip_key("198.51.100.8")
    assert throttle.ip_key(None) == "ip:unknown"
    # only address kinds: a username that looks like an address is still what was typed
    assert throttle.quota_key("reset_user", "2001:db8:1:2::1") \
        != throttle.quota_key("reset_user", "2001:db8:1:2::2")
