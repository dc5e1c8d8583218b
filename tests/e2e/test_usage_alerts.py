"""Usage alerts end to end through the gateway, on the real services, broker and PostgreSQL:
an admin sets thresholds, staff load usage through the staff API in loads that cross them
(and one that repeats a load, and one past both), and each admin and billing user is told
once per threshold by mail and/or text as their usage_alerts preferences ask, with the
message in the portal's message centre; a viewer may not read or set them, and bad settings
are problem documents that change nothing."""
import json
from datetime import datetime, timezone

import requests

from tests.support.auth_helpers import bearer, invite_and_accept, mails_to, new_user, text_of
from tests.support.system import eventually

# unusual amounts, so that the texts (all e2e accounts share one phone) are this test's
THRESHOLDS = [137, 391]  # $1.37, $3.91


def calls(n, first_minute):
    """``n`` UK calls of 10 minutes (90 cents each) early today, UTC: in today's cycle even on
    the cycle day (a statement dated today bills the days before it)."""
    today = datetime.now(timezone.utc).date()
    return {"calls": [{"started_at": f"{today}T00:{first_minute + i:02d}:00Z",
                       "from_number": "+13125550188", "to_number": "+442071234567",
                       "duration_seconds": 600, "call_type": "international"}
                      for i in range(n)]}


def load(system, number, body):
    response = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                   json=body, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()


def alert_texts(system):
    log = system.data_dir / "sms" / "outbox.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line)["text"] for line in lines
            if "Usage charges reached $1.37" in line or "Usage charges reached $3.91" in line]


def usage_mails(system, address):
    return sorted(m["Subject"] for m in mails_to(system, address)
                  if "Usage charges" in m["Subject"])


def test_each_threshold_is_told_once_by_mail_and_text_however_many_loads_cross_it(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    url = system.url(f"/api/v1/accounts/{number}/usage-alerts")
    _, billing_name, _ = invite_and_accept(system, admin, number, "billing")
    payer = bearer(system, billing_name)
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)

    assert admin.get(url, timeout=10).json() == {"thresholds_cents": [], "bill_shock": True}
    saved = payer.put(url, json={"thresholds_cents": [391, 137, 391], "bill_shock": True},
                      timeout=10)
    assert saved.status_code == 200 and saved.json() == {"thresholds_cents": THRESHOLDS,
                                                         "bill_shock": True}
    for bad in ({"thresholds_cents": [0], "bill_shock": True},
                {"thresholds_cents": [10_000_001], "bill_shock": True},
                {"thresholds_cents": list(range(1, 12)), "bill_shock": True},
                {"thresholds_cents": [100], "bill_shock": 1}):
        refused = admin.put(url, json=bad, timeout=10)
        assert refused.status_code == 400, bad
        assert refused.headers["Content-Type"] == "application/problem+json"
    for method in (viewer.get, viewer.put):
        assert method(url, json={"thresholds_cents": [], "bill_shock": False},
                      timeout=10).status_code == 403
    assert admin.get(url, timeout=10).json() == {"thresholds_cents": THRESHOLDS,
                                                 "bill_shock": True}
    # the billing user wants usage alerts by text too; the admin keeps the default (email)
    prefs = payer.get(system.url("/api/v1/me/notification-preferences"), timeout=10).json()
    assert prefs["usage_alerts"] == {"email": True, "sms": False}
    assert payer.put(system.url("/api/v1/me/notification-preferences"), json=dict(
        prefs, usage_alerts={"email": True, "sms": True}), timeout=10).status_code == 200

    texts_before = len(alert_texts(system))
    first = calls(2, 0)                              # 180 cents: crosses $1.37
    assert load(system, number, first) == {"accepted": 2, "duplicates": 0}
    assert load(system, number, calls(3, 2)) == {"accepted": 3, "duplicates": 0}  # 450: $3.91
    assert load(system, number, first) == {"accepted": 0, "duplicates": 2}  # the same again
    load(system, number, calls(2, 5))                # 630: past both already

    expected = ["Usage charges reached $1.37 this month", "Usage charges reached $3.91 this month"]
    for address in (owner["email"], _email_of(payer, system)):
        assert eventually(lambda: usage_mails(system, address) == expected or None,
                          timeout=30)
    eventually(lambda: len(alert_texts(system)) - texts_before == 2 or None, timeout=30)
    mail = next(m for m in mails_to(system, owner["email"]) if "$1.37" in m["Subject"])
    assert "$1.80" in text_of(mail) and number in text_of(mail)

    for session in (admin, payer):  # the message centre lists both
        centre = session.get(system.url("/api/v1/me/notifications"), timeout=10).json()
        assert sorted(n["subject"] for n in centre["items"]
                      if n["category"] == "usage_alerts") == expected
    viewer_centre = viewer.get(system.url("/api/v1/me/notifications"), timeout=10).json()
    assert [n for n in viewer_centre["items"] if n["category"] == "usage_alerts"] == []
    # nothing more arrives later (each alert raised once)
    assert usage_mails(system, owner["email"]) == expected
    assert len(alert_texts(system)) - texts_before == 2
    assert requests.get(url, timeout=10).status_code == 401


def _email_of(session, system):
    return session.get(system.url("/api/v1/me"), timeout=10).json()["email"]
