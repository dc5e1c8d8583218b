"""The month so far end to end: through the gateway on the real services, broker and
PostgreSQL, a viewer reads the estimate of the next statement, and the bill run then issues
exactly that statement (usage, a prorated service change, taxes); a credit posted meanwhile
is not a charge and changes neither.

The e2e account: cycle day 15, VOICE-LINE ×2 at $29.99, billed in Illinois."""
import uuid

from tests.support.auth_helpers import bearer, invite_and_accept, new_user
from tests.support.api_client import bill, key


def _calls(n, day):
    kinds = ["local", "long_distance", "international"]
    return [{"started_at": f"2026-10-{day:02d}T{8 + i % 12:02d}:{i % 60:02d}:00Z",
             "from_number": "+13125550188",
             "to_number": "+819012345678" if kinds[i % 3] == "international" else "+12125550147",
             "duration_seconds": 45 + 13 * i, "call_type": kinds[i % 3]} for i in range(n)]


def test_a_viewer_sees_the_month_so_far_and_the_next_statement_is_that_estimate(system):
    owner = new_user(system)
    number = owner["account_number"]
    staff = system.staff()
    bill(system, number, "2026-10-15")
    for day, n in ((20, 9), (22, 4)):
        loaded = staff.post(system.url(f"/internal/v1/accounts/{number}/usage"),
                            json={"calls": _calls(n, day)}, timeout=30)
        assert loaded.status_code == 202, loaded.text
    changed = staff.post(system.url(f"/internal/v1/accounts/{number}/service-changes"),
                         json={"effective_date": "2026-10-31",
                               "changes": [{"code": "VOICE-LINE", "quantity": 3}]}, timeout=10)
    assert changed.status_code == 200, changed.text
    credited = staff.post(system.url(f"/internal/v1/accounts/{number}/credits"),
                          json={"amount_cents": 1000, "reason": "Goodwill"},
                          headers=key(), timeout=10)
    assert credited.status_code == 201, credited.text

    admin = bearer(system, owner["username"])
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)
    answer = viewer.get(system.url(f"/api/v1/accounts/{number}/current-usage"), timeout=10)
    assert answer.status_code == 200, answer.text
    estimate = answer.json()
    assert (estimate["period_start"], estimate["period_end"]) == ("2026-10-15", "2026-11-15")
    assert [(d["date"], d["calls"]) for d in estimate["daily"]] == [
        ("2026-10-20", 9), ("2026-10-22", 4)]
    by_type = {u["call_type"]: u for u in estimate["usage"]}
    assert [by_type[t]["calls"] for t in ("local", "long_distance", "international")] == [5, 4, 4]
    assert by_type["local"]["charge_cents"] == 0 and by_type["international"]["charge_cents"] > 0

    bill(system, number, "2026-11-15")
    items = admin.get(system.url(f"/api/v1/accounts/{number}/statements"), timeout=10).json()
    detail = admin.get(system.url(
        f"/api/v1/accounts/{number}/statements/{items['items'][0]['invoice_number']}"),
        timeout=10).json()
    assert detail["new_charges_cents"] == estimate["estimated_total_cents"]
    taxes = next(s for s in detail["sections"] if s["code"] == "taxes")["subtotal_cents"]
    assert taxes == estimate["estimated_taxes_cents"]
    voice = {l["description"]: l["amount_cents"] for s in detail["sections"]
             for l in s["lines"]}
    assert voice["International calls"] == by_type["international"]["charge_cents"]
    assert detail["adjustments_cents"] == -1000


def test_an_unknown_account_is_a_404_problem(system):
    owner = new_user(system)
    admin = bearer(system, owner["username"])
    other = "4" * 15 + str(uuid.uuid4().int % 10)
    answer = admin.get(system.url(f"/api/v1/accounts/{other}/current-usage"), timeout=10)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/problem+json")
