"""billing: the toll-fraud guard in a nameko container on a real database and broker (SQLite
and PostgreSQL): each usage load is scored as it is stored, a suspicious one makes one case
and one billing.fraud_suspected at once (not again when the load is redelivered, nor twice
when two workers take the same load), admins mark a case expected and block international
calling, and staff list the cases by status."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.billing.models import CallGuard, FraudCase
from services.billing.service import BillingService
from services.contracts.errors import InvalidInput, NotFound
from tests.support.billing_accounts import OPEN, billing  # noqa: F401 (billing: fixture)
from tests.support.containers import events_queue, hook, rows, take

ADMIN = {"user_id": "u-admin", "ip": "203.0.113.9", "user_agent": "test"}
NEW_YORK_NIGHT = datetime(2026, 11, 4, 8, 0, tzinfo=timezone.utc)  # 03:00 in New York


def office_days(start=datetime(2026, 11, 2, 14, 0, tzinfo=timezone.utc), days=3):
    """Business-hours calls (New York), a few abroad."""
    return [{"started_at": (start + timedelta(days=d, minutes=20 * i)).isoformat(),
             "from_number": "+12125550147",
             "to_number": "+442071234567" if i % 8 == 0 else f"+1312555{d}{i:03d}",
             "duration_seconds": 240, "call_type": "international" if i % 8 == 0
             else "long_distance"} for d in range(days) for i in range(18)]


def night_burst(start=NEW_YORK_NIGHT, count=30, prefix="+88213"):
    return [{"started_at": (start + timedelta(minutes=2 * i)).isoformat(),
             "from_number": "+12125550147", "to_number": f"{prefix}{i:06d}",
             "duration_seconds": 300, "call_type": "international"} for i in range(count)]


def load(container, number, calls):
    return hook(container, "load_usage", number, {"calls": calls})


def cases(container):
    return rows(container, select(func.count()).select_from(FraudCase))[0][0]


def test_a_clean_load_is_learned_and_raises_nothing(billing):
    container, number = billing
    assert load(container, number, office_days())["accepted"] == 54
    assert cases(container) == 0
    profile = rows(container, select(CallGuard.profile))[0][0]
    assert profile["loads"] == 1 and profile["costly_burst"] == 3  # 3 abroad a day


def test_a_night_burst_raises_one_case_at_once_and_never_again(billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "fraud_suspected")
    load(container, number, office_days())
    burst = office_days(datetime(2026, 11, 5, 14, 0, tzinfo=timezone.utc), 1) + night_burst()
    assert load(container, number, burst)["accepted"] == len(burst)
    event = take(vhost[1], queue)
    data = event["data"]
    assert data["account_number"] == number and data["calls"] == len(burst)
    assert {"costly_burst", "night_calls"} <= set(data["rules"]) and data["score"] >= 50
    night = data["evidence"]["night_calls"]
    assert night["day"] == "2026-11-03" and night["calls"] == 30  # the night of Nov 3 to 4
    assert data["evidence"]["costly_burst"]["top_prefixes"] == ["+882"]
    assert "88213000" not in repr(data["evidence"])  # prefixes, never the numbers dialled
    # the same load again (a redelivered request): its calls are stored, nothing is scored
    assert load(container, number, burst) == {"accepted": 0, "duplicates": len(burst)}
    assert cases(container) == 1
    alerts = hook(container, "list_fraud_alerts", number, "open")["items"]
    assert [a["id"] for a in alerts] == [data["case_id"]]
    assert alerts[0]["rules"] == data["rules"] and alerts[0]["status"] == "open"
    staff = hook(container, "list_fraud_cases", "open")["items"]
    assert [c["id"] for c in staff] == [data["case_id"]]
    assert hook(container, "list_fraud_cases", "expected")["items"] == []
    # a suspicious load is not learned: the profile is still the clean one's
    assert rows(container, select(CallGuard.profile))[0][0]["night_calls"] == 0


def test_two_replicas_taking_the_same_load_at_once_make_one_case(billing, vhost,
                                                                  container_factory):
    container, number = billing
    replica = container_factory(BillingService, container.config)  # same queue, same database
    replica.start()
    queue = events_queue(vhost[1], "billing", "fraud_suspected")
    burst = night_burst(count=40)

    def attempt(_):  # a proxy each: one entrypoint_hook cannot be shared by concurrent calls
        with ServiceRpcProxy("billing", container.config) as billing_rpc:
            return billing_rpc.load_usage(number, {"calls": burst})["accepted"]
    accepted = sorted(eventlet.GreenPool(4).imap(attempt, range(4)))
    assert accepted == [0, 0, 0, 40]  # one transaction stored them; the others found them
    assert cases(container) == 1
    assert take(vhost[1], queue)["data"]["calls"] == 40
    with pytest.raises(Exception):
        take(vhost[1], queue, timeout=2)


def test_an_admin_marks_a_case_expected_once_and_its_figures_become_usual(billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "fraud_case_marked_expected")
    load(container, number, night_burst())
    case = hook(container, "list_fraud_alerts", number)["items"][0]
    marked = hook(container, "mark_fraud_alert_expected", number, case["id"], actor=ADMIN)
    assert marked["status"] == "expected" and marked["marked_at"]
    assert take(vhost[1], queue)["data"] == {"account_number": number, "case_id": case["id"],
                                             "actor_user_id": "u-admin", "ip": "203.0.113.9"}
    again = hook(container, "mark_fraud_alert_expected", number, case["id"], actor=ADMIN)
    assert again == marked
    with pytest.raises(Exception):
        take(vhost[1], queue, timeout=2)  # no second event
    assert hook(container, "list_fraud_alerts", number, "open")["items"] == []
    # the same shape of night the next week is now usual for this account
    load(container, number, night_burst(NEW_YORK_NIGHT + timedelta(days=7)))
    assert cases(container) == 1
    other = hook(container, "open_account", {**OPEN, "company_name": "Other Co"})
    with pytest.raises(NotFound):
        hook(container, "mark_fraud_alert_expected", other["account_number"], case["id"])
    with pytest.raises(NotFound):
        hook(container, "mark_fraud_alert_expected", number, "no-such-case")


def test_blocking_international_calling_flags_international_calls_after_it(billing, vhost):
    container, number = billing
    queue = events_queue(vhost[1], "billing", "international_calling_changed")
    assert hook(container, "get_international_calling", number) == {
        "account_number": number, "blocked": False, "changed_at": None}
    blocked = hook(container, "set_international_calling", number, True, actor=ADMIN)
    assert blocked["blocked"] is True and blocked["changed_at"]
    assert take(vhost[1], queue)["data"] == {"account_number": number, "blocked": True,
                                             "actor_user_id": "u-admin", "ip": "203.0.113.9"}
    assert hook(container, "set_international_calling", number, True, actor=ADMIN) == blocked
    with pytest.raises(Exception):
        take(vhost[1], queue, timeout=2)  # setting what is set emits nothing
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    one_call = [{"started_at": later.isoformat(), "from_number": "+12125550147",
                 "to_number": "+442071234567", "duration_seconds": 60,
                 "call_type": "international"}]
    assert load(container, number, one_call)["accepted"] == 1  # recorded, and flagged
    case = hook(container, "list_fraud_alerts", number)["items"][0]
    assert case["rules"] == ["international_while_blocked"] and case["score"] == 100
    with pytest.raises(InvalidInput):
        hook(container, "set_international_calling", number, "yes")
    allowed = hook(container, "set_international_calling", number, False, actor=ADMIN)
    assert allowed["blocked"] is False


def test_bad_lists_are_refused(billing):
    container, number = billing
    for bad in ({"status": "closed"}, {"limit": 0}, {"limit": 101}, {"cursor": "nope"}):
        with pytest.raises(InvalidInput):
            hook(container, "list_fraud_cases", **bad)
        with pytest.raises(InvalidInput):
            hook(container, "list_fraud_alerts", number, **bad)
    with pytest.raises(NotFound):
        hook(container, "list_fraud_alerts", "4000000000000002")


def test_cases_page_newest_first(billing):
    container, number = billing
    for week in range(3):
        load(container, number, night_burst(NEW_YORK_NIGHT + timedelta(days=7 * week),
                                            prefix=f"+8821{week}"))
    first = hook(container, "list_fraud_cases", None, 2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = hook(container, "list_fraud_cases", None, 2, first["next_cursor"])
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    times = [c["raised_at"] for c in first["items"] + rest["items"]]
    assert times == sorted(times, reverse=True)


def test_with_the_guard_off_nothing_is_scored(start_service):
    container = start_service(BillingService, FRAUD_GUARD="off")
    number = hook(container, "open_account", OPEN)["account_number"]
    assert load(container, number, night_burst())["accepted"] == 30
    assert cases(container) == 0
