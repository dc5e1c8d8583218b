"""A stolen session must not be enough to take an online ID or its bills over (issue 11,
points 2, 4, 5 and 9): changing the email needs the password and the link mailed to the new
address; what weakens security needs the password; reset tokens die together; a new paperless
address gets bills only once its mailed link is followed. The real services and gunicorn
gateway on the real broker and PostgreSQL; mail read from the Maildir and its links followed
as a person would (the portal page, its form, its CSRF token)."""
import uuid

import pyotp
import requests

from tests.support.auth_helpers import (PASSWORD, bearer, follow, link_in, mail_with, mails_to,
                                        new_user, reset_token, text_of)
from tests.support.api_client import bill
from tests.support.system import eventually

NEW_PASSWORD = "copper meadow signal 9"


def audit_actions(system, api, number):
    trail = api.get(system.url(f"/api/v1/accounts/{number}/audit"), timeout=10).json()
    return [entry["action"] for entry in trail["items"]]


# --- point 2: changing the email ---------------------------------------------------------

def test_changing_the_email_needs_the_password_and_the_link_mailed_to_the_new_address(system):
    user = new_user(system)
    old, new = user["email"], f"moved-{uuid.uuid4().hex[:8]}@harbor.example"
    api, other = bearer(system, user["username"]), bearer(system, user["username"])
    me = system.url("/api/v1/me")

    missing = api.patch(me, json={"email": new}, timeout=10)
    assert missing.status_code == 400 and "current_password" in missing.json()["errors"]
    wrong = api.patch(me, json={"email": new, "current_password": "not my password 1"},
                      timeout=10)
    assert wrong.status_code == 400 and "current_password" in wrong.json()["errors"]
    asked = api.patch(me, json={"email": new, "current_password": PASSWORD,
                                "first_name": "Rosalind"}, timeout=10)
    assert asked.status_code == 200, asked.text
    assert asked.json()["email"] == old and asked.json()["pending_email"] == new
    assert asked.json()["first_name"] == "Rosalind"  # names change at once

    # the old address is told at once; nothing changes until the new one confirms
    notice = mail_with(system, old, "security alert")
    assert any("email" in text_of(m).lower() and new in text_of(m) for m in notice)
    assert api.get(me, timeout=10).json()["email"] == old
    requests.post(system.url("/api/v1/auth/forgot-password"),
                  json={"username": user["username"]}, timeout=10)
    mail_with(system, old, "Reset your BizPortal password")
    assert not [m for m in mails_to(system, new) if "Reset" in m["Subject"]]

    (confirm,) = mail_with(system, new, "Confirm your new BizPortal email")
    link = link_in(confirm, "/confirm-email")
    done = follow(link)
    assert done.status_code == 200 and "email is changed" in done.text, done.text
    assert api.get(me, timeout=10).json()["email"] == new
    assert "pending_email" not in api.get(me, timeout=10).json() \
        or api.get(me, timeout=10).json()["pending_email"] is None
    again = requests.post(system.url("/api/v1/me/email/confirm"),
                          json={"token": link.split("token=")[1]}, timeout=10)
    assert again.status_code == 422  # single use
    # the user's other sessions end; the one that asked goes on
    eventually(lambda: all(other.get(me, timeout=10).status_code == 401 for _ in range(8)))
    assert api.get(me, timeout=10).status_code == 200
    # the reset link mailed to the old address before the change works no more
    stale = reset_token(mail_with(system, old, "Reset your BizPortal password")[0])
    assert requests.post(system.url("/api/v1/auth/reset-password"), timeout=10, json={
        "token": stale, "new_password": NEW_PASSWORD}).status_code == 422

    def audited():
        """both steps are in the audit trail"""
        actions = audit_actions(system, api, user["account_number"])
        return {"email change requested", "email changed"} <= set(actions)
    eventually(audited)


def test_a_newer_email_change_ends_the_older_link_and_alerts_stay_with_the_current_address(
        system):
    user = new_user(system)
    api = bearer(system, user["username"])
    first, second, third = (f"{tag}-{uuid.uuid4().hex[:8]}@harbor.example"
                            for tag in ("a", "b", "c"))
    for address in (first, second):
        assert api.patch(system.url("/api/v1/me"), json={
            "email": address, "current_password": PASSWORD}, timeout=10).status_code == 200
    stale = link_in(mail_with(system, first, "Confirm your new")[0], "/confirm-email")
    assert requests.post(system.url("/api/v1/me/email/confirm"), timeout=10, json={
        "token": stale.split("token=")[1]}).status_code == 422
    # until a link is followed the "password changed" alert goes to the current address
    assert api.put(system.url("/api/v1/me/password"), timeout=10, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD}).status_code == 204
    mail_with(system, user["email"], "Your BizPortal password was changed")
    assert not [m for address in (first, second) for m in mails_to(system, address)
                if "password" in m["Subject"]]
    # ... and the new password ended the change that was waiting (test_takeover_probe.py)
    ended = link_in(mail_with(system, second, "Confirm your new")[0], "/confirm-email")
    assert requests.post(system.url("/api/v1/me/email/confirm"), timeout=10, json={
        "token": ended.split("token=")[1]}).status_code == 422
    assert api.patch(system.url("/api/v1/me"), json={
        "email": third, "current_password": NEW_PASSWORD}, timeout=10).status_code == 200
    fresh = link_in(mail_with(system, third, "Confirm your new")[0], "/confirm-email")
    assert requests.post(system.url("/api/v1/me/email/confirm"), timeout=10, json={
        "token": fresh.split("token=")[1]}).status_code == 204
    assert api.get(system.url("/api/v1/me"), timeout=10).json()["email"] == third


# --- point 4: step-up for what weakens security -------------------------------------------

def test_what_weakens_security_needs_the_current_password(system):
    user = new_user(system)
    api = bearer(system, user["username"])
    assert api.put(system.url("/api/v1/me/security-code"), timeout=10, json={
        "current_password": PASSWORD, "security_code": "4821"}).status_code == 204
    prefs = system.url("/api/v1/me/security-preferences")
    assert api.patch(prefs, json={"require_security_code_for_payments": True},
                     timeout=10).status_code == 200
    off = api.patch(prefs, json={"require_security_code_for_payments": False}, timeout=10)
    assert off.status_code == 400 and "current_password" in off.json()["errors"]
    assert api.get(prefs, timeout=10).json()["require_security_code_for_payments"] is True
    assert api.patch(prefs, json={"require_security_code_for_payments": False,
                                  "current_password": PASSWORD}, timeout=10).status_code == 200

    start = api.post(system.url("/api/v1/me/2fa/totp"), json={}, timeout=10)
    assert start.status_code == 400 and "current_password" in start.json()["errors"]
    setup = api.post(system.url("/api/v1/me/2fa/totp"), timeout=10,
                     json={"current_password": PASSWORD})
    assert setup.status_code == 200, setup.text
    code = pyotp.TOTP(setup.json()["secret"]).now()
    confirm = api.post(system.url("/api/v1/me/2fa/totp/confirm"), json={"code": code},
                       timeout=10)
    assert confirm.status_code == 400 and "current_password" in confirm.json()["errors"]

    delivery = system.url(f"/api/v1/accounts/{user['account_number']}/invoice-delivery")
    moved = api.put(delivery, json={"method": "paperless", "email": "elsewhere@harbor.example"},
                    timeout=10)
    assert moved.status_code == 400 and "current_password" in moved.json()["errors"]

    # wrong passwords are throttled like the change-password form's: 429 with Retry-After
    assert api.patch(prefs, json={"require_security_code_for_payments": True},
                     timeout=10).status_code == 200
    answers = [api.patch(prefs, json={"require_security_code_for_payments": False,
                                      "sign_in_alerts": True,
                                      "current_password": f"wrong guess {i}"}, timeout=10)
               for i in range(8)]
    assert answers[0].status_code == 400 and "current_password" in answers[0].json()["errors"]
    assert answers[-1].status_code == 429 and int(answers[-1].headers["Retry-After"]) > 0


# --- point 5: reset tokens die together ---------------------------------------------------

def forgot(system, user, seen):
    """Asks for a reset link; returns the token of the new mail (not one of ``seen``)."""
    assert requests.post(system.url("/api/v1/auth/forgot-password"),
                         json={"username": user["username"]}, timeout=10).status_code == 202

    def fresh():
        """a reset mail with a token not seen before"""
        tokens = [reset_token(m) for m in mails_to(system, user["email"])
                  if "Reset" in m["Subject"]]
        return next((t for t in tokens if t not in seen), None)
    token = eventually(fresh)
    seen.add(token)
    return token


def reset(system, token, password=NEW_PASSWORD):
    return requests.post(system.url("/api/v1/auth/reset-password"), timeout=10,
                         json={"token": token, "new_password": password})


def test_a_new_reset_link_a_used_one_and_a_password_change_end_every_other_reset_link(system):
    user = new_user(system)
    seen = set()
    first, second = forgot(system, user, seen), forgot(system, user, seen)
    assert reset(system, first).status_code == 422  # a newer link was sent
    assert reset(system, second).status_code == 204

    third = forgot(system, user, seen)
    api = bearer(system, user["username"], NEW_PASSWORD)
    assert api.put(system.url("/api/v1/me/password"), timeout=10, json={
        "current_password": NEW_PASSWORD, "new_password": "amber quarry falcon 31"}
    ).status_code == 204
    assert reset(system, third, "one more phrase here 5").status_code == 422


# --- point 9 (and 4): a new paperless address is verified before bills go there ------------

def test_a_new_paperless_address_gets_bills_only_after_its_mailed_link_is_followed(system):
    user = new_user(system)
    number = user["account_number"]
    api = bearer(system, user["username"])
    delivery = system.url(f"/api/v1/accounts/{number}/invoice-delivery")
    target = f"ap-{uuid.uuid4().hex[:8]}@elsewhere.example"

    wrong = api.put(delivery, json={"method": "paperless", "email": target,
                                    "current_password": "not my password 1"}, timeout=10)
    assert wrong.status_code == 400 and "current_password" in wrong.json()["errors"]
    asked = api.put(delivery, json={"method": "paperless", "email": target,
                                    "current_password": PASSWORD}, timeout=10)
    assert asked.status_code == 200, asked.text
    assert asked.json()["method"] == "paper" and asked.json()["pending_email"] == target
    assert api.get(delivery, timeout=10).json()["method"] == "paper"
    (verify,) = mail_with(system, target, "Confirm where your BizPortal bills go")

    bill(system, number, "2026-11-15")  # before the link is followed: still on paper
    invoice = api.get(system.url(f"/api/v1/accounts/{number}/statements"),
                      timeout=10).json()["items"][0]["invoice_number"]
    eventually(lambda: list((system.data_dir / "print-batch").rglob(f"*{invoice}*")),
               timeout=30)
    assert not [m for m in mails_to(system, target) if "bill is ready" in m["Subject"]]

    done = follow(link_in(verify, "/confirm-invoice-email"))
    assert done.status_code == 200 and target in done.text, done.text
    assert api.get(delivery, timeout=10).json() == {"method": "paperless", "email": target,
                                                    "pending_email": None}
    bill(system, number, "2026-12-15")
    mail_with(system, target, "bill is ready")
    again = requests.post(system.url("/api/v1/invoice-delivery/confirm"), timeout=10,
                          json={"token": link_in(verify, "/confirm-invoice-email")
                                .split("token=")[1]})
    assert again.status_code == 422  # single use


def test_paperless_verification_mail_is_throttled_per_recipient_and_per_account(system):
    user = new_user(system)
    api = bearer(system, user["username"])
    delivery = system.url(f"/api/v1/accounts/{user['account_number']}/invoice-delivery")
    target = f"ap-{uuid.uuid4().hex[:8]}@elsewhere.example"
    answers = [api.put(delivery, json={"method": "paperless", "email": target,
                                       "current_password": PASSWORD}, timeout=10)
               for _ in range(5)]
    assert answers[0].status_code == 200
    assert answers[-1].status_code == 429 and int(answers[-1].headers["Retry-After"]) > 0
    eventually(lambda: mails_to(system, target))
    assert len(mails_to(system, target)) < 5
    # other recipients: the account runs out too
    others = [api.put(delivery, json={"method": "paperless", "current_password": PASSWORD,
                                      "email": f"x{i}-{uuid.uuid4().hex[:6]}@elsewhere.example"},
                      timeout=10) for i in range(10)]
    assert others[-1].status_code == 429 and int(others[-1].headers["Retry-After"]) > 0
