"""The company profile, invoice delivery, message centre, notification preferences and help
APIs in the gateway with services replaced by a table-driven fake client: role checks, 400s
before any RPC (nothing changed), who and where passed to billing for the audit trail."""
import pytest

from gateway.app import create_app
from gateway.auth import tokens
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import config
from tests.support.fakes import FakeRpc

ACCOUNT = "4929000000000006"
ROLES = {("boss", ACCOUNT): "admin", ("payer", ACCOUNT): "billing",
         ("looker", ACCOUNT): "viewer"}
PROFILE = {"company_name": "Northwind", "contact_name": "Ana Ruiz",
           "email": "billing@northwind.example", "phone": "+12125550147",
           "billing_address": {"line1": "10 Pier Road", "line2": None, "city": "New York",
                               "state": "NY", "postal_code": "10004"}}
PREFS = {c: {"email": True, "sms": False} for c in ("bill_ready", "payment", "reminders")}


@pytest.fixture
def api(tmp_path):
    rpc = FakeRpc({
        ("identity", "get_account_role"): lambda user_id, number: ROLES.get((user_id, number)),
        ("billing", "get_profile"): PROFILE,
        ("billing", "update_profile"): lambda n, changes, actor=None: dict(PROFILE, **changes),
        ("billing", "get_invoice_delivery"): {"method": "paper", "email": PROFILE["email"]},
        ("billing", "set_invoice_delivery"): lambda n, body, actor=None: {
            "method": body["method"], "email": PROFILE["email"],
            "pending_email": body.get("email")},
        ("identity", "check_current_password"): check_password,
        ("notifications", "list_notifications"): lambda uid, limit, cursor: {
            "items": [], "next_cursor": None, "unread": 0},
        ("notifications", "mark_notification_read"): NotFound("No such message."),
        ("notifications", "get_notification_preferences"): PREFS,
        ("notifications", "set_notification_preferences"): lambda uid, body: body,
    })
    settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
    app = create_app(settings, rpc_client=rpc)
    return app, app.test_client(), rpc


def check_password(user_id, password):
    if password != "the right one":
        raise InvalidInput({"current_password": ["Your current password is not right."]})


def bearer(app, user_id):
    with app.app_context():
        return {"Authorization": f"Bearer {tokens.issue_access_token(user_id, 's1', user_id)}"}


def billing_writes(rpc):
    return [c for c in rpc.calls if c[1] in ("update_profile", "set_invoice_delivery",
                                             "set_notification_preferences")]


def test_every_user_of_the_account_reads_the_profile_but_only_an_admin_changes_it(api):
    app, client, rpc = api
    for user in ("boss", "payer", "looker"):
        assert client.get(f"/api/v1/accounts/{ACCOUNT}/profile",
                          headers=bearer(app, user)).json["company_name"] == "Northwind"
    refused = client.patch(f"/api/v1/accounts/{ACCOUNT}/profile", json={"company_name": "X"},
                           headers=bearer(app, "payer"))
    assert refused.status_code == 403
    assert client.get("/api/v1/accounts/4111111111111111/profile",
                      headers=bearer(app, "boss")).status_code == 404
    done = client.patch(f"/api/v1/accounts/{ACCOUNT}/profile",
                        json={"company_name": "Northwind Freight"},
                        headers=dict(bearer(app, "boss"), **{"User-Agent": "pytest"}),
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert done.status_code == 200 and done.json["company_name"] == "Northwind Freight"
    (_, _, args, kwargs, _), = billing_writes(rpc)
    assert kwargs["actor"] == {"user_id": "boss", "ip": "203.0.113.9", "user_agent": "pytest"}


def test_malformed_profile_fields_are_400s_naming_each_field_before_billing_is_asked(api):
    app, client, rpc = api
    response = client.patch(f"/api/v1/accounts/{ACCOUNT}/profile", headers=bearer(app, "boss"),
                            json={"email": "nope", "phone": "555", "company_name": "",
                                  "billing_address": {"line1": "1 Main", "city": "X",
                                                      "state": "QQ", "postal_code": "9"}})
    assert response.status_code == 400
    errors = response.json["errors"]
    assert {"email", "phone", "company_name", "billing_address"} <= set(errors)
    assert billing_writes(rpc) == []


def test_invoice_delivery_is_paperless_or_paper_and_only_admins_switch_it(api):
    app, client, rpc = api
    url = f"/api/v1/accounts/{ACCOUNT}/invoice-delivery"
    assert client.get(url, headers=bearer(app, "looker")).json["method"] == "paper"
    assert client.put(url, json={"method": "paperless"},
                      headers=bearer(app, "looker")).status_code == 403
    bad = client.put(url, json={"method": "fax", "email": "x"}, headers=bearer(app, "boss"))
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"method", "email"}
    assert billing_writes(rpc) == []
    # a new address needs the password (checked by identity); billing never sees it
    no_password = client.put(url, json={"method": "paperless", "email": "ap@northwind.example"},
                             headers=bearer(app, "boss"))
    assert no_password.status_code == 400 and "current_password" in no_password.json["errors"]
    assert billing_writes(rpc) == []
    ok = client.put(url, json={"method": "paperless", "email": "ap@northwind.example",
                               "current_password": "the right one"}, headers=bearer(app, "boss"))
    assert ok.json == {"method": "paperless", "email": PROFILE["email"],
                       "pending_email": "ap@northwind.example"}
    assert "current_password" not in billing_writes(rpc)[-1][2][1]
    same = client.put(url, json={"method": "paperless", "email": PROFILE["email"]},
                      headers=bearer(app, "boss"))
    assert same.status_code == 200  # where bills go already: no password asked


def test_notification_preferences_take_booleans_for_every_category_and_channel(api):
    app, client, rpc = api
    url = "/api/v1/me/notification-preferences"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(app, "looker")).json == PREFS
    bad = client.put(url, json={"bill_ready": {"email": "yes", "sms": False},
                                "payment": {"email": True}}, headers=bearer(app, "looker"))
    assert bad.status_code == 400 and {"bill_ready", "payment", "reminders"} <= set(
        bad.json["errors"])
    assert billing_writes(rpc) == []
    wanted = dict(PREFS, reminders={"email": False, "sms": True})
    assert client.put(url, json=wanted, headers=bearer(app, "looker")).json == wanted


def test_the_message_centre_pages_and_another_users_message_is_not_found(api):
    app, client, _ = api
    assert client.get("/api/v1/me/notifications?limit=0",
                      headers=bearer(app, "looker")).status_code == 400
    page = client.get("/api/v1/me/notifications", headers=bearer(app, "looker"))
    assert page.json == {"items": [], "next_cursor": None, "unread": 0}
    assert client.post("/api/v1/me/notifications/abc/read",
                       headers=bearer(app, "looker")).status_code == 404


def test_help_lists_round_the_clock_support_and_the_topics_without_sign_in(api):
    _, client, _ = api
    body = client.get("/api/v1/help").json
    assert body["support"]["hours"] == "24/7" and body["support"]["phone"]
    titles = [t["title"] for t in body["topics"]]
    assert len(titles) == 7 and "Paperless billing" in titles
    assert all(len(t["body"]) > 100 for t in body["topics"])
