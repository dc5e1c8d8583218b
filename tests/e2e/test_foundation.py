"""The walking skeleton end to end: readiness, staff opening an account, its event reaching
notifications, problem documents, and healing after a service restart."""
import mailbox
import uuid

import requests

from tests.support.system import eventually

ACCOUNT = {
    "contact_name": "Priya Natarajan", "phone": "+1 (312) 555-0188",
    "billing_address": {"line1": "401 N Michigan Ave", "line2": "Floor 12", "city": "Chicago",
                        "state": "IL", "postal_code": "60611"},
    "bill_cycle_day": 15,
    "services": [{"code": "INT-1G", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 3},
                 {"code": "STATIC-IP-5", "quantity": 1}],
}


def new_account(**overrides):
    tag = uuid.uuid4().hex[:8]
    return {**ACCOUNT, "company_name": f"Lakeside Architects {tag}",
            "email": f"ap-{tag}@lakeside.example", **overrides}


def test_readyz_names_all_four_services(system):
    response = requests.get(system.url("/readyz"), timeout=10)
    assert response.status_code == 200
    assert response.json()["services"] == {"identity": "ok", "billing": "ok", "payments": "ok",
                                           "notifications": "ok"}


def test_staff_see_the_catalogue_by_section(system):
    items = system.staff().get(system.url("/internal/v1/products"), timeout=10).json()["items"]
    assert {"internet", "voice", "tv", "add-ons"} <= {item["section"] for item in items}
    assert all(isinstance(item["monthly_cents"], int) and item["monthly_cents"] > 0
               for item in items)


def test_staff_open_an_account_and_its_contact_is_welcomed_by_email(system):
    request = new_account()
    response = system.staff().post(system.url("/internal/v1/accounts"), json=request, timeout=10)
    assert response.status_code == 201, response.text
    opened = response.json()
    assert len(opened["account_number"]) == 16 and len(opened["security_key"]) == 8
    assert response.headers["X-Request-ID"]

    def welcome_mail():
        box = mailbox.Maildir(str(system.data_dir / "mail"), create=True)
        return [m for m in box if m["To"] == request["email"]]

    mails = eventually(welcome_mail)
    parts = [p.get_payload(decode=True).decode() for p in mails[0].walk()
             if not p.is_multipart()]  # the text and the HTML part
    assert len(mails) == 1 and len(parts) == 2
    assert all(opened["account_number"] in part for part in parts)
    assert all(opened["security_key"] not in part for part in parts)
    # the request id followed the request through billing's event into notifications' logs
    request_id = response.headers["X-Request-ID"]
    assert request_id in system.log_text("billing") and request_id in system.log_text("notifications")


def test_bad_input_is_named_field_by_field_and_opens_nothing(system):
    bad = new_account(email="not-an-email", bill_cycle_day=31, services=[{"code": "NOPE"}])
    response = system.staff().post(system.url("/internal/v1/accounts"), json=bad, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {"email", "bill_cycle_day"} <= set(response.json()["errors"])
    unknown_product = system.staff().post(system.url("/internal/v1/accounts"),
                                          json=new_account(services=[{"code": "NOPE"}]), timeout=10)
    assert unknown_product.status_code == 400 and "services" in unknown_product.json()["errors"]


def test_a_stopped_service_is_a_503_and_heals_when_it_returns_without_a_gateway_restart(system):
    staff = system.staff()
    assert staff.get(system.url("/internal/v1/products"), timeout=10).status_code == 200
    system.stop("billing")
    try:
        down = staff.get(system.url("/internal/v1/products"), timeout=15)
        assert down.status_code == 503
        assert int(down.headers["Retry-After"]) > 0
        assert down.json()["service"] == "billing"
        ready = requests.get(system.url("/readyz"), timeout=15)
        assert ready.status_code == 503 and ready.json()["down"] == ["billing"]
        # nothing queued while it was down runs later: the request expired with its timeout
        opened = staff.post(system.url("/internal/v1/accounts"), json=new_account(), timeout=15)
        assert opened.status_code == 503
    finally:
        system.start("billing")

    def healed():
        return staff.get(system.url("/internal/v1/products"), timeout=10).status_code == 200
    eventually(healed, timeout=30)
    system.wait_ready(timeout=30)
