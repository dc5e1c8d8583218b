"""The toll-fraud guard's portal parts with a fake billing: the dashboard banner of open alerts
(what was seen in words; the admin's "These calls were expected" and block link, a viewer's
note instead) and the international-calling block on /account."""
from tests.support.portal_client import ACCOUNT, client_for, fake_rpc  # noqa: F401

ALERT = {"id": "6d7e8f90-a1b2-4c3d-8e4f-0a1b2c3d4e5f", "account_number": ACCOUNT, "score": 100,
         "rules": ["costly_burst", "night_calls"], "calls": 120, "status": "open",
         "evidence": {"costly_burst": {"day": "2026-11-03", "calls": 84, "usual": 3,
                                       "threshold": 12, "top_prefixes": ["+882"]},
                      "night_calls": {"day": "2026-11-03", "calls": 80, "usual": 0,
                                      "threshold": 6}},
         "raised_at": "2026-11-04T08:10:00+00:00", "marked_at": None}


def _rpc(role, alerts=(ALERT,), extra=None):
    return fake_rpc({("identity", "get_account_role"): lambda user_id, number: role,
                     ("billing", "list_fraud_alerts"): {"items": [dict(a) for a in alerts],
                                                        "next_cursor": None}, **(extra or {})})


def test_an_open_alert_shows_a_banner_an_admin_can_act_on(client_for):
    page = client_for(_rpc("admin")).get("/dashboard").get_data(as_text=True)
    assert 'id="fraud-banner-1"' in page and "Possible toll fraud" in page
    assert "A burst of international or premium-rate calls: 84 calls on Nov 3, 2026" in page
    assert "Toll calls at night in your time zone: 80 calls" in page
    assert "These calls were expected" in page
    assert f'action="/fraud-alerts/{ALERT["id"]}/expected"' in page
    assert "/account#international-calling" in page


def test_a_viewer_sees_the_banner_but_not_the_buttons_and_no_alert_no_banner(client_for):
    page = client_for(_rpc("viewer")).get("/dashboard").get_data(as_text=True)
    assert "Possible toll fraud" in page and "These calls were expected" not in page
    assert "admins were told" in page
    quiet = client_for(_rpc("admin", alerts=())).get("/dashboard").get_data(as_text=True)
    assert "fraud-banner" not in quiet


def test_marking_and_blocking_go_to_billing_as_the_admin(client_for):
    rpc = _rpc("admin", extra={
        ("billing", "mark_fraud_alert_expected"): lambda n, case_id, actor: dict(ALERT),
        ("billing", "set_international_calling"): lambda n, blocked, actor: {
            "account_number": n, "blocked": blocked, "changed_at": None}})
    client = client_for(rpc)
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/fraud-alerts/{ALERT['id']}/expected").status_code == 302
    answer = client.post("/account/international-calling", data={"blocked": "true"})
    assert answer.status_code == 302 and answer.location.endswith("#international-calling")
    sent = [(c[1], c[2]) for c in rpc.calls if c[0] == "billing" and c[1] in (
        "mark_fraud_alert_expected", "set_international_calling")]
    assert sent == [("mark_fraud_alert_expected", (ACCOUNT, ALERT["id"])),
                    ("set_international_calling", (ACCOUNT, True))]


def test_the_account_page_shows_the_block_and_only_an_admin_may_change_it(client_for):
    blocked = {("billing", "get_international_calling"): {
        "account_number": ACCOUNT, "blocked": True, "changed_at": "2026-11-04T09:00:00+00:00"}}
    extra = {("billing", "get_profile"): {
        "company_name": "Bluebird Bakery", "contact_name": "Sam", "email": "s@b.example",
        "phone": "+14155550100", "billing_address": {
            "line1": "1 Main", "line2": None, "city": "Austin", "state": "TX",
            "postal_code": "78701"}},
        ("billing", "get_invoice_delivery"): {"method": "paper", "email": None,
                                              "pending_email": None}}
    page = client_for(_rpc("admin", extra={**extra, **blocked})).get("/account").get_data(as_text=True)
    assert "Blocked:" in page and "Allow international calling" in page
    page = client_for(_rpc("viewer", extra=extra)).get("/account").get_data(as_text=True)
    assert "Allowed:" in page and "Block international calling" not in page
    client = client_for(_rpc("viewer", extra=extra))
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/account/international-calling",
                       data={"blocked": "true"}).status_code in (302, 403)
