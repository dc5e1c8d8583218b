"""Service changes end to end: staff and an account's admin change services through the
gateway, on the real services, broker and PostgreSQL; the next statement carries the dated
proration lines; every refusal is a problem document that changes nothing.

The e2e account: cycle day 15, VOICE-LINE ×2 at $29.99, billed in Illinois."""
from datetime import date

import requests

from tests.support.auth_helpers import bearer, invite_and_accept, new_user
from tests.support.api_client import bill, last_cycle_date


def _url(system, number, tail):
    return system.url(f"/api/v1/accounts/{number}/{tail}")


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


def test_staff_preview_then_change_and_the_next_statement_shows_the_dated_lines(system):
    owner = new_user(system)
    number = owner["account_number"]
    bill(system, number, "2026-11-15")  # [Nov 15, Dec 15): 30 days, in advance
    staff = system.staff()
    change_url = system.url(f"/internal/v1/accounts/{number}/service-changes")
    body = {"effective_date": "2026-11-30", "changes": [{"code": "VOICE-LINE", "quantity": 1}]}
    overview = lambda: staff.get(system.url(f"/internal/v1/accounts/{number}"),  # noqa: E731
                                 timeout=10).json()
    before = overview()
    preview = staff.post(change_url, json={**body, "preview": True}, timeout=10)
    assert preview.status_code == 200, preview.text
    assert [(l["kind"], l["quantity"], l["amount_cents"]) for l in preview.json()["lines"]] == [
        ("credit", 2, -2999),   # 2 × 2999 × 15/30 = 2999
        ("charge", 1, 1500)]    # 1 × 2999 × 15/30 = 1499.5, half up
    assert overview() == before
    done = staff.post(change_url, json=body, timeout=10)
    assert done.status_code == 200 and done.json()["preview"] is False, done.text
    assert [s["quantity"] for s in overview()["services"]] == [1]
    again = staff.post(change_url, json=body, timeout=10)  # a retry records nothing more
    assert again.status_code == 200 and again.json()["lines"] == []

    bill(system, number, "2026-12-15")
    admin = bearer(system, owner["username"])
    items = admin.get(_url(system, number, "statements"), timeout=10).json()["items"]
    detail = admin.get(_url(system, number, f"statements/{items[0]['invoice_number']}"),
                       timeout=10).json()
    voice = next(s for s in detail["sections"] if s["code"] == "voice")
    assert [(l["description"], l["amount_cents"]) for l in voice["lines"]] == [
        ("Business Voice line", 2999),
        ("Business Voice line: credit, unused Nov 30, 2026 to Dec 14, 2026 (15 of 30 days)",
         -2999),
        ("Business Voice line: Nov 30, 2026 to Dec 14, 2026 (15 of 30 days)", 1500)]
    assert sum(l["amount_cents"] for s in detail["sections"] for l in s["lines"]) == \
        detail["new_charges_cents"]
    activity = admin.get(_url(system, number, "activity"), timeout=10).json()["items"]
    assert activity[0]["kind"] == "charge" and \
        activity[0]["amount_cents"] == detail["new_charges_cents"]

    refused = _problem(staff.post(change_url, json=body, timeout=10), 422)  # now billed
    assert "billed period" in refused["detail"]
    assert [s["quantity"] for s in overview()["services"]] == [1]


def test_only_an_admin_changes_and_only_self_service_products(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    bill(system, number, last_cycle_date().isoformat())
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    _, billing_name, _ = invite_and_accept(system, admin, number, "billing")
    url = _url(system, number, "service-changes")
    add_ip = {"changes": [{"code": "STATIC-IP-1", "quantity": 1}]}
    services = lambda: admin.get(_url(system, number, "services"), timeout=10).json()  # noqa
    before = services()
    assert [(i["code"], i["quantity"]) for i in before["items"]] == [("VOICE-LINE", 2)]
    for name in (viewer_name, billing_name):
        other = bearer(system, name)
        assert other.get(_url(system, number, "services"), timeout=10).json() == before
        _problem(other.post(url, json=add_ip, timeout=10), 403)
        _problem(other.post(url, json={**add_ip, "preview": True}, timeout=10), 403)
    stranger = bearer(system, new_user(system)["username"])
    _problem(stranger.post(url, json=add_ip, timeout=10), 404)
    _problem(requests.post(url, json=add_ip, timeout=10), 401)
    for bad, status in [({"changes": [{"code": "NOPE-9", "quantity": 1}]}, 400),
                        ({"changes": [{"code": "STATIC-IP-1", "quantity": -1}]}, 400),
                        ({"changes": [{"code": "STATIC-IP-1", "quantity": 10 ** 12}]}, 400),
                        ({"changes": [{"code": "STATIC-IP-1", "quantity": 1.5}]}, 400),
                        ({"changes": []}, 400),
                        ({"changes": [{"code": "TV-PREMIER", "quantity": 1}]}, 422),
                        ({**add_ip, "effective_date": "2020-01-01"}, 422),
                        ({**add_ip, "effective_date": "2099-12-31"}, 422)]:
        _problem(admin.post(url, json=bad, timeout=10), status)
    assert services() == before

    preview = admin.post(url, json={**add_ip, "preview": True}, timeout=10)
    assert preview.status_code == 200, preview.text
    assert preview.json()["effective_date"] == date.today().isoformat()
    assert services() == before
    done = admin.post(url, json=add_ip, timeout=10)
    assert done.status_code == 200, done.text
    assert done.json()["lines"] == preview.json()["lines"]
    assert {(i["code"], i["quantity"]) for i in services()["items"]} == {
        ("VOICE-LINE", 2), ("STATIC-IP-1", 1)}
