"""billing: usage alerts in a nameko container on a real database and broker: the settings
(defaults, validation that changes nothing, stored in order), a threshold told once a cycle
however many loads cross it (and again in the next cycle), bill shock against the last three
statements (none before three), and a second review of the same state (a redelivery, another
replica) raising nothing. The services' clock is set to a day of the cycle."""
from datetime import datetime, timezone

import eventlet
import pytest
from sqlalchemy import select

from services.billing import usage, usage_alerts
from services.billing.models import UsageAlertNotice, metadata
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import clock
from services.runtime.database import standalone
from tests.support.billing_accounts import billing  # noqa: F401 (fixture)
from tests.support.containers import events_queue, hook, rows, take

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # cycle day 1: [Nov 1, Dec 1)


@pytest.fixture
def on_nov_20(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def international(n, day, month=11, minutes=10, hour=9):
    """``n`` calls to the UK (9 cents a minute): ``90 * n`` cents at 10 minutes each."""
    return {"calls": [{"started_at": f"2026-{month:02d}-{day:02d}T{hour:02d}:{i:02d}:00Z",
                       "from_number": "+12125550147", "to_number": "+442071234567",
                       "duration_seconds": minutes * 60, "call_type": "international"}
                      for i in range(n)]}


def notices(container):
    return rows(container, select(UsageAlertNotice.kind, UsageAlertNotice.threshold_cents,
                                  UsageAlertNotice.cycle_start).order_by(
        UsageAlertNotice.kind, UsageAlertNotice.threshold_cents))


def drain(vhost, queue, timeout=1):
    found = []
    while True:
        try:
            found.append(take(vhost[1], queue, timeout=timeout))
        except Exception:  # the queue is empty
            return found


def test_settings_default_to_bill_shock_alone_and_are_stored_in_order(billing):
    container, number = billing
    assert hook(container, "get_usage_alerts", number) == {"thresholds_cents": [],
                                                           "bill_shock": True}
    saved = hook(container, "set_usage_alerts", number,
                 {"thresholds_cents": [5000, 1000, 5000], "bill_shock": False},
                 actor={"user_id": "u-1"})
    assert saved == {"thresholds_cents": [1000, 5000], "bill_shock": False}
    assert hook(container, "get_usage_alerts", number) == saved


@pytest.mark.parametrize("body", [
    {"thresholds_cents": [0], "bill_shock": True},
    {"thresholds_cents": [-100], "bill_shock": True},
    {"thresholds_cents": [10_000_001], "bill_shock": True},
    {"thresholds_cents": list(range(1, 12)), "bill_shock": True},
    {"thresholds_cents": [12.5], "bill_shock": True},
    {"thresholds_cents": ["100"], "bill_shock": True},
    {"thresholds_cents": [100], "bill_shock": "yes"},
    {"thresholds_cents": [100]},
    {"thresholds_cents": [100], "bill_shock": True, "extra": 1},
    {"thresholds_cents": None, "bill_shock": True},
])
def test_bad_settings_are_refused_and_change_nothing(billing, body):
    container, number = billing
    hook(container, "set_usage_alerts", number, {"thresholds_cents": [700], "bill_shock": True})
    with pytest.raises(InvalidInput):
        hook(container, "set_usage_alerts", number, body)
    assert hook(container, "get_usage_alerts", number) == {"thresholds_cents": [700],
                                                           "bill_shock": True}


def test_an_unknown_account_has_no_usage_alerts(billing):
    container, _ = billing
    for name, args in (("get_usage_alerts", ()),
                       ("set_usage_alerts", ({"thresholds_cents": [], "bill_shock": True},))):
        with pytest.raises(NotFound):
            hook(container, name, "4111111111111111", *args)


def test_each_threshold_is_told_once_a_cycle_however_many_loads_cross_it(
        billing, vhost, on_nov_20):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    hook(container, "set_usage_alerts", number,
         {"thresholds_cents": [500, 1000], "bill_shock": True})
    hook(container, "load_usage", number, international(4, day=3))        # 360 cents
    hook(container, "load_usage", number, international(3, day=4))        # 630: crosses 500
    hook(container, "load_usage", number, international(3, day=5))        # 900
    hook(container, "load_usage", number, international(3, day=5))        # the same again
    hook(container, "load_usage", number, international(3, day=6))        # 1170: crosses 1000
    hook(container, "load_usage", number, international(3, day=7))        # 1440
    hook(container, "load_usage", number, international(20, day=25, month=10))  # last cycle's
    events = drain(vhost, queue)
    assert [(e["data"]["threshold_cents"], e["data"]["usage_cents"]) for e in events] == [
        (500, 630), (1000, 1170)]
    assert events[0]["data"] == {
        "account_number": number, "kind": "threshold", "threshold_cents": 500,
        "usage_cents": 630, "baseline_cents": None, "cycle_start": "2026-11-01",
        "cycle_end": "2026-12-01", "currency": "USD"}
    assert [(n.kind, n.threshold_cents) for n in notices(container)] == [
        ("threshold", 500), ("threshold", 1000)]


def test_one_load_crossing_two_thresholds_tells_both_and_the_next_cycle_tells_again(
        billing, vhost, monkeypatch):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    hook(container, "set_usage_alerts", number,
         {"thresholds_cents": [100, 200], "bill_shock": False})
    monkeypatch.setattr(clock, "now", lambda: NOW)
    hook(container, "load_usage", number, international(3, day=10))       # 270
    monkeypatch.setattr(clock, "now", lambda: NOW.replace(month=12))      # [Dec 1, Jan 1)
    hook(container, "load_usage", number, international(3, day=10, month=12))
    events = drain(vhost, queue)
    assert [(e["data"]["cycle_start"], e["data"]["threshold_cents"]) for e in events] == [
        ("2026-11-01", 100), ("2026-11-01", 200), ("2026-12-01", 100), ("2026-12-01", 200)]


def test_bill_shock_warns_once_above_150_percent_of_the_last_three_statements(
        billing, vhost, monkeypatch):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    # usage of 900, 1800 and 2700 cents on the statements of Aug, Sep and Oct 1... then Nov 1
    for month, n in ((7, 10), (8, 10), (9, 20), (10, 30)):
        hook(container, "load_usage", number, international(n, day=15, month=month))
        hook(container, "issue_statements", {"statement_date": f"2026-{month + 1:02d}-01"})
    monkeypatch.setattr(clock, "now", lambda: NOW)
    # the last three: 900 (Sep 1), 1800 (Oct 1), 2700 (Nov 1): average 1800, shock above 2700
    hook(container, "load_usage", number, international(30, day=3))       # 2700: not above
    assert drain(vhost, queue) == []
    hook(container, "load_usage", number, international(1, day=4, minutes=1))  # 2709
    hook(container, "load_usage", number, international(5, day=5))             # 3159
    [event] = drain(vhost, queue)
    assert event["data"] == {
        "account_number": number, "kind": "bill_shock", "threshold_cents": None,
        "usage_cents": 2709, "baseline_cents": 1800, "cycle_start": "2026-11-01",
        "cycle_end": "2026-12-01", "currency": "USD"}


def test_no_bill_shock_before_three_statements_nor_when_turned_off(billing, vhost, monkeypatch):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    for month in (9, 10):
        hook(container, "load_usage", number, international(1, day=15, month=month))
        hook(container, "issue_statements", {"statement_date": f"2026-{month + 1:02d}-01"})
    monkeypatch.setattr(clock, "now", lambda: NOW)
    hook(container, "load_usage", number, international(50, day=3))
    assert drain(vhost, queue) == [] and notices(container) == []
    # a third statement makes a baseline; turned off, it is still not told
    monkeypatch.setattr(clock, "now", lambda: NOW.replace(month=12))
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    hook(container, "set_usage_alerts", number, {"thresholds_cents": [], "bill_shock": False})
    hook(container, "load_usage", number, international(50, day=3, month=12))
    assert drain(vhost, queue) == [] and notices(container) == []


def test_reviewing_the_same_usage_again_raises_nothing(billing, on_nov_20):
    container, number = billing
    hook(container, "set_usage_alerts", number, {"thresholds_cents": [100], "bill_shock": True})
    hook(container, "load_usage", number, international(2, day=3))
    db = standalone("billing", container.config["DATABASE_URL"], metadata)
    for _ in range(2):  # a redelivered load, or the other replica, seeing the same calls
        with db.transaction() as tx:
            assert usage_alerts.review(tx, number) == []
    assert [(n.kind, n.threshold_cents) for n in notices(container)] == [("threshold", 100)]



def test_two_replicas_loading_at_once_raise_each_threshold_once_at_the_full_usage(
        billing, container_factory, vhost, on_nov_20):
    container, number = billing
    if container.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("one writer at a time on SQLite: nothing runs at once to prove")
    other = container_factory(container.service_cls, dict(container.config))  # same database
    other.start()
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    # each round two loads of 180 cents at once, one per replica: alone, neither reaches the
    # round's threshold; together they do, so each must see the other's calls
    thresholds = [300 + 360 * k for k in range(5)]
    hook(container, "set_usage_alerts", number, {"thresholds_cents": thresholds,
                                                 "bill_shock": False})
    for k in range(5):
        loads = [eventlet.spawn(hook, replica, "load_usage", number,
                                international(2, day=3 + k, hour=9 + half))
                 for half, replica in enumerate((container, other))]
        assert [load.wait() for load in loads] == [{"accepted": 2, "duplicates": 0}] * 2
    events = drain(vhost, queue)
    assert sorted((e["data"]["threshold_cents"], e["data"]["usage_cents"]) for e in events) \
        == [(t, 360 * (k + 1)) for k, t in enumerate(thresholds)]
    assert len(notices(container)) == 5


def test_the_usage_an_alert_tells_is_what_the_next_statement_charges_for_it(
        billing, vhost, monkeypatch):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "usage_threshold_crossed")
    hook(container, "set_usage_alerts", number, {"thresholds_cents": [1], "bill_shock": True})
    monkeypatch.setattr(clock, "now", lambda: NOW)
    mixed = [{"started_at": started, "from_number": "+12125550147", "to_number": to,
              "duration_seconds": seconds, "call_type": kind}
             for started, to, seconds, kind in (
                 ("2026-11-01T00:00:00Z", "+442071234567", 61, "international"),  # first instant
                 ("2026-11-09T10:00:00-05:00", "+13125550100", 3599, "long_distance"),
                 ("2026-11-10T10:00:00Z", "+13125550100", 1200, "local"),
                 ("2026-11-11T10:00:00Z", "+819012345678", 1, "international"),
                 ("2026-11-12T10:00:00Z", "+5511912345678", 0, "international"),
                 ("2026-11-30T23:59:59Z", "+353861234567", 600, "international"),  # last second
                 ("2026-12-01T00:00:00Z", "+442071234567", 600, "international"),  # next cycle
                 ("2026-10-31T23:59:59Z", "+442071234567", 600, "international"))]  # last one
    hook(container, "load_usage", number, {"calls": mixed})
    [event] = drain(vhost, queue)
    hook(container, "issue_statements", {"statement_date": "2026-12-01"})
    [statement] = hook(container, "list_statements", number)["items"]
    detail = hook(container, "get_statement", number, statement["invoice_number"])
    usage_lines = [line for section in detail["sections"] for line in section["lines"]
                   if line["description"].endswith(("calls", "calls (included)"))]
    assert usage_lines and event["data"]["usage_cents"] == sum(
        line["amount_cents"] for line in usage_lines) == 18 + 300 + 15 + 0 + 100


def test_a_load_waits_for_one_still_open_and_then_counts_its_calls(billing, on_nov_20):
    container, number = billing
    if container.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("one writer at a time on SQLite: nothing runs at once to prove")
    hook(container, "set_usage_alerts", number, {"thresholds_cents": [300],
                                                 "bill_shock": False})
    db = standalone("billing", container.config["DATABASE_URL"], metadata)

    def load_and_review(body):
        with db.transaction() as tx:
            usage.load(tx.session, number, usage.validate(body))
            return [e["data"]["usage_cents"] for e in usage_alerts.review(tx, number)]

    with db.transaction() as first:  # one replica's load, not committed yet
        usage.load(first.session, number, usage.validate(international(2, day=3)))
        assert usage_alerts.review(first, number) == []  # 180: below
        second = eventlet.spawn(load_and_review, international(2, day=4))
        eventlet.sleep(1)  # the other replica's load reaches the account's lock and waits
        assert not second.dead
    assert second.wait() == [360]  # it saw the first's calls once they committed
