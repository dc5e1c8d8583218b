"""identity's pure rules: passwords, throttling back-off, the role table. No service, no DB."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from services.contracts import roles
from services.identity import passwords, throttle

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


def test_the_shipped_list_holds_at_least_ten_thousand_real_common_passwords():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "letmein", "iloveyou"} <= common


def test_a_long_uncommon_password_is_accepted():
    assert passwords.problems("violet staple orbit 42", "sam.lee") == []


def test_short_long_common_and_username_passwords_are_refused():
    assert passwords.problems("short pw", "sam.lee")
    assert passwords.problems("x" * 129, "sam.lee")
    assert "too common" in " ".join(passwords.problems("123qweasdzxc", "sam.lee"))
    assert "username" in " ".join(passwords.problems("my sam.lee password!", "Sam.Lee"))


def test_hashes_are_argon2id_at_no_less_than_owasp_parameters():
    hashed = passwords.hasher.hash("violet staple orbit 42")
    assert hashed.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in hashed
    assert not passwords.needs_rehash(hashed)
    assert passwords.needs_rehash(hashed.replace("t=2", "t=1"))


def test_a_wrong_password_and_an_unknown_user_are_both_refused():
    hashed = passwords.hasher.hash("violet staple orbit 42")
    assert passwords.verify(hashed, "violet staple orbit 42")
    assert not passwords.verify(hashed, "violet staple orbit 43")
    assert not passwords.verify(None, "violet staple orbit 42")


def row(count, last_failed_seconds_ago=0, window_minutes_ago=1):
    return SimpleNamespace(count=count, last_failed_at=NOW - timedelta(seconds=last_failed_seconds_ago),
                           window_started_at=NOW - timedelta(minutes=window_minutes_ago))


def test_a_few_failures_are_free_then_the_wait_doubles():
    free = throttle.FREE["user"]
    assert throttle.wait_seconds(None, free, NOW) == 0
    assert throttle.wait_seconds(row(free - 1), free, NOW) == 0
    assert throttle.wait_seconds(row(free), free, NOW) == 2
    assert throttle.wait_seconds(row(free + 1), free, NOW) == 4
    assert throttle.wait_seconds(row(free + 1, last_failed_seconds_ago=10), free, NOW) == 0
    assert throttle.wait_seconds(row(free + 40), free, NOW) == throttle.MAX_BACKOFF_SECONDS


def test_a_hundred_failures_in_an_hour_lock_until_the_hour_is_over():
    wait = throttle.wait_seconds(row(100, 3600, window_minutes_ago=20), 5, NOW)
    assert wait == 40 * 60
    assert throttle.wait_seconds(row(100, 3600, window_minutes_ago=61), 5, NOW) == 0


def test_the_role_table_gives_admin_all_billing_pay_and_viewer_view():
    assert roles.allows("admin", "manage") and roles.allows("admin", "pay")
    assert roles.allows("billing", "pay") and not roles.allows("billing", "manage")
    assert roles.allows("viewer", "view") and not roles.allows("viewer", "pay")
    assert not roles.allows(None, "view") and not roles.allows("stranger", "view")
