"""Company profile, invoice delivery, the bill-ready email, the print batch, the message
centre and notification preferences end to end: the real services and gateway on the real
broker and PostgreSQL, driven over HTTP; mail read from the Maildir, the print batch from
DATA_DIR."""
import json

import requests

from tests.support.auth_helpers import (PASSWORD, bearer, follow, invite_and_accept, link_in,
                                        mail_with, mails_to, new_user, text_of)
from tests.support.api_client import bill
from tests.support.system import eventually


def test_an_admin_renames_the_company_goes_paperless_and_gets_the_bill_ready_email(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    profile_url = system.url(f"/api/v1/accounts/{number}/profile")
    before = admin.get(profile_url, timeout=10).json()
    assert before["company_name"] == owner["company_name"]

    bad = admin.patch(profile_url, json={"company_name": "Renamed", "phone": "12",
                                         "email": "nope"}, timeout=10)
    assert bad.status_code == 400 and {"phone", "email"} <= set(bad.json()["errors"])
    assert admin.get(profile_url, timeout=10).json() == before  # nothing changed

    renamed = admin.patch(profile_url, json={"company_name": "Harbor Dental Group",
                                             "phone": "(312) 555-0100"}, timeout=10)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["phone"] == "+13125550100"
    summary = admin.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10).json()
    assert summary["company_name"] == "Harbor Dental Group"

    # a viewer reads but may not edit; another company's account does not exist for them
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)
    assert viewer.get(profile_url, timeout=10).status_code == 200
    assert viewer.patch(profile_url, json={"company_name": "Mine now"},
                        timeout=10).status_code == 403
    delivery_url = system.url(f"/api/v1/accounts/{number}/invoice-delivery")
    assert viewer.put(delivery_url, json={"method": "paperless"}, timeout=10).status_code == 403
    other = new_user(system)
    assert admin.get(system.url(f"/api/v1/accounts/{other['account_number']}/profile"),
                     timeout=10).status_code == 404
    assert admin.get(profile_url, timeout=10).json()["company_name"] == "Harbor Dental Group"

    assert admin.put(delivery_url, json={"method": "email"}, timeout=10).status_code == 400
    # a new paperless address needs the password and applies once its mailed link is followed
    paperless = admin.put(delivery_url, json={"method": "paperless", "current_password": PASSWORD,
                                              "email": "ap@harbor-group.example"}, timeout=10)
    assert paperless.json()["pending_email"] == "ap@harbor-group.example", paperless.text
    verify = mail_with(system, "ap@harbor-group.example", "Confirm where your BizPortal bills go")
    assert follow(link_in(verify[-1], "/confirm-invoice-email")).status_code == 200
    assert admin.get(delivery_url, timeout=10).json() == {
        "method": "paperless", "email": "ap@harbor-group.example", "pending_email": None}

    bill(system, number, "2026-11-15")
    mail = eventually(lambda: [m for m in mails_to(system, "ap@harbor-group.example")
                               if "bill is ready" in m["Subject"]], timeout=30)[0]
    text = text_of(mail)
    invoice = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    assert "Your bill is ready" in mail["Subject"] and "December 6, 2026" in text
    assert f"{system.base_url}/billing/{invoice}" in text

    # the message centre lists it for each user of the account, newest first
    def listed():
        """the bill-ready notice is in the admin's message centre"""
        items = admin.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
        return [i for i in items if i["category"] == "bill_ready"]
    notice = eventually(listed)[0]
    assert notice["read"] is False and invoice in notice["body"]
    assert viewer.post(system.url(f"/api/v1/me/notifications/{notice['id']}/read"),
                       timeout=10).status_code == 404
    assert admin.post(system.url(f"/api/v1/me/notifications/{notice['id']}/read"),
                      timeout=10).status_code == 204
    assert listed()[0]["read"] is True

    # every change is in the account's audit trail, with who made it
    def audited():
        """profile and delivery changes reached identity's audit trail"""
        items = admin.get(system.url(f"/api/v1/accounts/{number}/audit"),
                          timeout=10).json()["items"]
        return {i["action"] for i in items} >= {"company profile changed",
                                                "invoice delivery changed"} and items
    eventually(audited)


def test_a_paper_statement_is_added_to_the_print_batch_and_preferences_turn_on_texts(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    prefs_url = system.url("/api/v1/me/notification-preferences")
    assert admin.get(prefs_url, timeout=10).json()["bill_ready"] == {"email": True,
                                                                     "sms": False}
    bad = admin.put(prefs_url, json={"bill_ready": {"email": True}}, timeout=10)
    assert bad.status_code == 400
    wanted = {"bill_ready": {"email": True, "sms": True}, "payment": {"email": True,
                                                                       "sms": False},
              "reminders": {"email": False, "sms": True},
              "usage_alerts": {"email": True, "sms": True}}
    assert admin.put(prefs_url, json=wanted, timeout=10).json() == wanted
    assert requests.get(prefs_url, timeout=10).status_code == 401

    bill(system, number, "2026-11-16")
    invoice = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    pdf = system.data_dir / "print-batch" / "2026-11-16" / f"{invoice}.pdf"
    eventually(pdf.exists, timeout=30)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_help_gives_support_contacts_and_topics(system):
    body = requests.get(system.url("/api/v1/help"), timeout=10).json()
    assert body["support"]["hours"] == "24/7"
    assert {"paying", "autopay", "paperless", "users-and-roles", "security",
            "reading-your-statement", "exporting-calls"} == {t["id"] for t in body["topics"]}


def test_a_user_who_asked_for_texts_gets_the_bill_ready_text_at_the_account_phone(system):
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    admin.put(system.url("/api/v1/me/notification-preferences"), json={
        "bill_ready": {"email": False, "sms": True}, "payment": {"email": True, "sms": False},
        "reminders": {"email": True, "sms": False}}, timeout=10)
    admin.put(system.url(f"/api/v1/accounts/{number}/invoice-delivery"),
              json={"method": "paperless"}, timeout=10)
    log = system.data_dir / "sms" / "outbox.log"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    bill(system, number, "2026-11-19")

    def texted():
        """a text left for the account's phone"""
        lines = log.read_text().splitlines() if log.exists() else []
        return [json.loads(line) for line in lines[before:]]
    sent = eventually(texted, timeout=30)
    assert sent[0]["to"] == "+13125550188" and "Your bill is ready" in sent[0]["text"]
    # email turned off: the user gets no mail, but the message centre still lists the bill
    assert not [m for m in mails_to(system, owner["email"]) if "bill is ready" in m["Subject"]]
    items = admin.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
    assert [i["category"] for i in items].count("bill_ready") == 1
