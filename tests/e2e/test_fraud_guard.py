"""The toll-fraud guard end to end (issue 16 part 4): the real services and gunicorn gateway on
the real broker and PostgreSQL. Staff load usage; a night burst of calls to a revenue-share
prefix becomes one fraud alert at once, the account's admins are mailed and the account's
phone texted whatever their preferences, staff list the case; an admin blocks international
calling (later international calls are still recorded, and flagged) and marks the alert
expected; a viewer may read both but change neither; bad requests change nothing."""
import json
from datetime import datetime, timedelta, timezone

from tests.support.auth_helpers import bearer, invite_and_accept, mail_with, new_user, text_of
from tests.support.system import eventually

NIGHT = datetime(2026, 11, 4, 9, 0, tzinfo=timezone.utc)  # 03:00 in Chicago (the account's)


def burst(start=NIGHT, count=30):
    return [{"started_at": (start + timedelta(minutes=2 * i)).isoformat(),
             "from_number": "+13125550188", "to_number": f"+88213{i:07d}",
             "duration_seconds": 240, "call_type": "international"} for i in range(count)]


def office_day(day=datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)):
    return [{"started_at": (day + timedelta(minutes=15 * i)).isoformat(),
             "from_number": "+13125550188", "to_number": f"+1212555{i:04d}",
             "duration_seconds": 180, "call_type": "long_distance"} for i in range(20)]


def load(system, number, calls):
    answer = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                 json={"calls": calls}, timeout=60)
    assert answer.status_code == 202, answer.text
    return answer.json()


def texts_to_account(system):
    log = system.data_dir / "sms" / "outbox.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def test_a_night_burst_alerts_the_admins_and_they_block_and_mark_it(system):
    admin_user = new_user(system)
    number = admin_user["account_number"]
    admin = bearer(system, admin_user["username"])
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)
    base = system.url(f"/api/v1/accounts/{number}")

    load(system, number, office_day())
    assert admin.get(f"{base}/fraud-alerts").json() == {"items": [], "next_cursor": None}
    texts_before = len(texts_to_account(system))
    assert load(system, number, burst()) == {"accepted": 30, "duplicates": 0}
    assert load(system, number, burst()) == {"accepted": 0, "duplicates": 30}  # again: nothing

    alerts = viewer.get(f"{base}/fraud-alerts", params={"status": "open"}).json()["items"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert {"costly_burst", "night_calls"} <= set(alert["rules"]) and alert["score"] >= 50
    assert alert["evidence"]["night_calls"]["day"] == "2026-11-03"
    assert "+88213" not in json.dumps(alert["evidence"])  # "+882", never a number dialled
    staff = system.staff().get(system.url("/internal/v1/fraud-cases"),
                               params={"status": "open", "limit": 100}, timeout=10)
    assert staff.status_code == 200 and alert["id"] in [c["id"] for c in staff.json()["items"]]

    mail = mail_with(system, admin_user["email"], "possible toll fraud")[-1]
    assert number in text_of(mail) and "block international calling" in text_of(mail)
    texted = eventually(lambda: texts_to_account(system)[texts_before:])
    assert any(number[-4:] in t["text"] and "toll fraud" in t["text"] for t in texted)

    # a viewer reads but changes nothing
    assert viewer.put(f"{base}/international-calling", json={"blocked": True},
                      timeout=10).status_code == 403
    assert viewer.post(f"{base}/fraud-alerts/{alert['id']}/expected",
                       timeout=10).status_code == 403
    for bad in ({"blocked": "yes"}, {"blocked": 1}, {}, {"blocked": True, "more": 1}):
        refused = admin.put(f"{base}/international-calling", json=bad, timeout=10)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert admin.get(f"{base}/international-calling").json()["blocked"] is False
    assert admin.get(f"{base}/fraud-alerts", params={"status": "closed"}).status_code == 400

    blocked = admin.put(f"{base}/international-calling", json={"blocked": True}, timeout=10)
    assert blocked.status_code == 200 and blocked.json()["blocked"] is True
    assert viewer.get(f"{base}/international-calling").json()["blocked"] is True
    # after the block an international call is still recorded, and flagged at once
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert load(system, number, [{"started_at": later.isoformat(),
                                  "from_number": "+13125550188", "to_number": "+442071234567",
                                  "duration_seconds": 60, "call_type": "international"}]) == {
        "accepted": 1, "duplicates": 0}
    newest = admin.get(f"{base}/fraud-alerts").json()["items"][0]
    assert newest["rules"] == ["international_while_blocked"]

    marked = admin.post(f"{base}/fraud-alerts/{alert['id']}/expected", timeout=10)
    assert marked.status_code == 200 and marked.json()["status"] == "expected"
    again = admin.post(f"{base}/fraud-alerts/{alert['id']}/expected", timeout=10)
    assert again.status_code == 200 and again.json() == marked.json()
    still_open = admin.get(f"{base}/fraud-alerts", params={"status": "open"}).json()["items"]
    assert [a["id"] for a in still_open] == [newest["id"]]
    unknown = admin.post(f"{base}/fraud-alerts/6d7e8f90-a1b2-4c3d-8e4f-0a1b2c3d4e5f/expected",
                         timeout=10)
    assert unknown.status_code == 404


def test_another_company_sees_none_of_it(system):
    mine, theirs = new_user(system), new_user(system)
    load(system, mine["account_number"], burst())
    other = bearer(system, theirs["username"])
    base = system.url(f"/api/v1/accounts/{mine['account_number']}")
    for answer in (other.get(f"{base}/fraud-alerts"), other.get(f"{base}/international-calling"),
                   other.put(f"{base}/international-calling", json={"blocked": True})):
        assert answer.status_code == 404
    assert bearer(system, mine["username"]).get(
        f"{base}/international-calling").json()["blocked"] is False
