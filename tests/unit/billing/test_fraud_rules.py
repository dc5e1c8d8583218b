"""The toll-fraud guard's scoring (billing/fraud_rules.py), rule by rule, on plain rows."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.billing import fraud_rules, time_zones
from services.billing.fraud_rules import Destinations, learn, measure, score

CHICAGO = ZoneInfo("America/Chicago")
DEST = Destinations()


def call(local, to="+12125550147", kind="long_distance", seconds=180):
    """A rated row started at ``local`` (a naive Chicago time)."""
    started = local.replace(tzinfo=CHICAGO).astimezone(timezone.utc)
    return (started, "+13125550100", to, kind, seconds, 0)


def office_week(start=datetime(2026, 11, 2, 9, 0), per_day=20, intl_every=10):
    """Five business days: a call every 20 minutes from 9:00, some international."""
    rows = []
    for day in range(5):
        for i in range(per_day):
            when = start + timedelta(days=day, minutes=20 * i)
            intl = i % intl_every == 0
            rows.append(call(when, "+442071234567" if intl else "+12125550147",
                             "international" if intl else "long_distance"))
    return rows


def verdict(rows, profile=None, blocked_since=None):
    return score(measure(rows, CHICAGO, DEST, blocked_since), profile or {})


def trained(rows):
    return learn({}, verdict(rows).learned)


def test_an_ordinary_office_week_raises_nothing_cold_or_with_history():
    week = office_week()
    assert verdict(week).rules == ()
    assert verdict(office_week(datetime(2026, 11, 9, 9, 0)), trained(week)).score == 0


def test_a_burst_of_international_calls_in_one_day_fires_costly_burst():
    profile = trained(office_week())
    burst = [call(datetime(2026, 11, 10, 10, 0) + timedelta(minutes=3 * i), "+4930123456",
                  "international") for i in range(40)]
    found = verdict(office_week(datetime(2026, 11, 9, 9, 0)) + burst, profile)
    assert found.rules == ("costly_burst",) and found.suspicious
    assert found.evidence["costly_burst"]["day"] == "2026-11-10"
    assert found.evidence["costly_burst"]["calls"] >= 40
    assert found.evidence["costly_burst"]["top_prefixes"][0] == "+493"


def test_toll_calls_at_night_in_the_accounts_time_zone_fire_night_calls():
    night = [call(datetime(2026, 11, 3, 23, 30) + timedelta(minutes=15 * i)) for i in range(10)]
    found = verdict(office_week() + night, trained(office_week()))
    assert "night_calls" in found.rules
    assert found.evidence["night_calls"]["calls"] == 10
    # the same UTC moments are afternoon in a zone 8 hours east: not night there
    east = ZoneInfo("Europe/Berlin")
    shifted = score(measure(night, east, DEST), {"loads": 1})
    assert "night_calls" not in shifted.rules


def test_a_night_that_straddles_midnight_counts_as_one_night():
    night = [call(datetime(2026, 11, 3, 23, 0) + timedelta(minutes=10 * i)) for i in range(12)]
    found = verdict(night, {"loads": 1})
    assert found.evidence["night_calls"]["calls"] == 12
    assert found.evidence["night_calls"]["day"] == "2026-11-03"


def test_many_short_calls_to_one_high_cost_prefix_fire_short_costly_calls():
    pumped = [call(datetime(2026, 11, 4, 11, 0) + timedelta(minutes=2 * i), "+88213400" + f"{i:03}",
                   "international", seconds=25) for i in range(10)]
    found = verdict(office_week() + pumped, trained(office_week()))
    assert "short_costly_calls" in found.rules
    assert found.evidence["short_costly_calls"]["prefix"] == "+882"
    long_ones = [r[:4] + (600, 0) for r in pumped]  # the same calls, ten minutes each
    assert "short_costly_calls" not in verdict(office_week() + long_ones,
                                               trained(office_week())).rules


def test_premium_numbers_count_as_costly_though_rated_long_distance():
    premium = [call(datetime(2026, 11, 4, 11, 0) + timedelta(minutes=i), "+19005550" + f"{i:03}",
                    seconds=20) for i in range(12)]
    assert {"costly_burst", "short_costly_calls"} <= set(
        verdict(premium, {"loads": 1}).rules)


def test_a_sudden_rise_in_simultaneous_calls_fires_simultaneous_calls():
    spike = [call(datetime(2026, 11, 5, 14, 0) + timedelta(seconds=i), seconds=900)
             for i in range(12)]
    found = verdict(office_week() + spike, trained(office_week()))
    assert found.rules == ("simultaneous_calls",)
    assert found.evidence["simultaneous_calls"]["calls"] >= 12
    # back to back, never overlapping: one at a time
    serial = [call(datetime(2026, 11, 5, 14, 0) + timedelta(minutes=15 * i), seconds=900)
              for i in range(12)]
    assert verdict(serial, {"loads": 1}).learned["simultaneous_calls"] == 1


def test_local_calls_cost_nothing_and_never_fire():
    busy = [call(datetime(2026, 11, 3, 23, 0) + timedelta(seconds=i), kind="local",
                 to="+13125550199", seconds=900) for i in range(200)]
    assert verdict(busy).score == 0


def test_an_account_that_calls_abroad_every_day_has_a_higher_bar():
    heavy = office_week(per_day=30, intl_every=1)  # 30 international calls a day
    profile = trained(heavy)
    assert profile["costly_burst"] == 30
    assert verdict(office_week(datetime(2026, 11, 9, 9, 0), per_day=30, intl_every=1),
                   profile).score == 0
    threshold = fraud_rules.RULES[0].threshold(30)
    assert 30 < threshold < 90


def test_on_a_first_load_one_outstanding_day_stands_out_against_the_others():
    burst = [call(datetime(2026, 11, 4, 10, 0) + timedelta(minutes=i), "+4930123456",
                  "international") for i in range(20)]
    found = verdict(office_week() + burst)  # no history at all
    assert "costly_burst" in found.rules


def test_international_calls_after_the_block_are_always_flagged():
    blocked_at = datetime(2026, 11, 4, 12, 0, tzinfo=timezone.utc)
    found = verdict(office_week(), {"loads": 1}, blocked_since=blocked_at)
    assert found.rules == ("international_while_blocked",) and found.score == 100
    assert found.evidence["international_while_blocked"]["calls"] == 6  # 2 a day, Nov 4-6
    before = verdict(office_week(), {"loads": 1}, blocked_since=datetime(2027, 1, 1,
                                                                          tzinfo=timezone.utc))
    assert before.rules == ()


def test_evidence_is_small_and_holds_no_number_dialled():
    rows = [call(datetime(2026, 11, 3, 23, 0) + timedelta(seconds=5 * i), f"+8821340{i:05}",
                 "international", seconds=50) for i in range(600)]
    found = verdict(rows, {"loads": 1})
    assert set(found.rules) >= {"costly_burst", "night_calls", "short_costly_calls",
                                "simultaneous_calls"}
    text = repr(found.evidence)
    assert len(text) < 1000 and "+8821340" not in text


def test_a_suspicious_load_is_not_learned_until_marked_expected():
    profile = learn({}, {"costly_burst": 3})
    assert learn(profile, {"costly_burst": 50})["costly_burst"] == 50
    assert profile == {"loads": 1, "costly_burst": 3, "night_calls": 0,
                       "short_costly_calls": 0, "simultaneous_calls": 0}


def test_high_cost_prefixes_are_configurable_and_checked():
    mine = Destinations.parse("+44, +4930")
    assert mine.match("+4930123456") == "+4930" and mine.match("+442071234567") == "+44"
    assert mine.match("+12125550147") is None
    assert Destinations.parse("").prefixes == Destinations().prefixes
    for bad in ("44", "+", "+12345678", "+1a"):
        with pytest.raises(ValueError):
            Destinations.parse(bad)


def test_every_state_has_a_time_zone_and_an_unknown_one_falls_back():
    assert time_zones.zone_name("ca") == "America/Los_Angeles"
    assert time_zones.zone_name("AZ") == "America/Phoenix"
    assert time_zones.zone_name(None) == time_zones.DEFAULT_ZONE == "America/Chicago"
