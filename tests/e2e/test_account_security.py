"""Security settings end to end, as a customer would set them: a security code that payments
then asks for, a challenge question asked on a password reset, sign-in alerts, 2-step sign-in
with a TOTP code and a recovery code; each change audited and alerted by mail. The real
services and gateway on the real broker and PostgreSQL (tests/conftest.py's `system`)."""
import uuid
from datetime import datetime, timezone

import pyotp
import requests

from tests.support.auth_helpers import (PASSWORD, login, mails_to, new_user, reset_token,
                                        text_of)
from tests.support.api_client import bill
from tests.support.system import eventually

CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Priya Natarajan", "postal_code": "60611"}


def signed_in(system, user, **extra):
    response = requests.post(system.url("/api/v1/auth/login"), json={
        "username": user["username"], "password": PASSWORD, **extra}, timeout=10)
    assert response.status_code == 200, response.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


def subjects(system, address):
    return [m["Subject"] for m in mails_to(system, address)]


def test_a_security_code_required_for_payments_refuses_a_wrong_one(system):
    user = new_user(system)
    api = signed_in(system, user)
    number = user["account_number"]
    url = system.url("/api/v1/me/security-code")
    assert api.put(url, json={"current_password": PASSWORD, "security_code": "12a4"},
                   timeout=10).status_code == 400
    wrong = api.put(url, json={"current_password": "not my password 1", "security_code": "4821"},
                    timeout=10)
    assert wrong.status_code == 400 and "current_password" in wrong.json()["errors"]
    assert api.put(url, json={"current_password": PASSWORD, "security_code": "4821"},
                   timeout=10).status_code == 204
    prefs = api.patch(system.url("/api/v1/me/security-preferences"),
                      json={"require_security_code_for_payments": True}, timeout=10)
    assert prefs.json() == {"sign_in_alerts": False, "require_security_code_for_payments": True}
    # a statement first: nothing is payable before one (issue 11 point 13)
    bill(system, number)
    card = api.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                    timeout=10).json()
    pay = system.url(f"/api/v1/accounts/{number}/payments")
    body = {"amount_cents": 1000, "payment_method_id": card["id"]}
    missing = api.post(pay, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert missing.status_code == 400 and "security_code" in missing.json()["errors"]
    refused = api.post(pay, json=dict(body, security_code="1111"),
                       headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert refused.status_code == 422, refused.text
    paid = api.post(pay, json=dict(body, security_code="4821"),
                    headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=15)
    assert paid.status_code == 201 and paid.json()["status"] == "succeeded", paid.text
    eventually(lambda: "BizPortal security alert" in subjects(system, user["email"]))
    assert not any("4821" in text_of(m) for m in mails_to(system, user["email"]))

    def audited():
        """the audit trail has the code change and the card payments reported"""
        trail = api.get(system.url(f"/api/v1/accounts/{number}/audit"), timeout=10).json()
        actions = [e["action"] for e in trail["items"]]
        return "payment method added" in actions and trail
    trail = eventually(audited)["items"]
    assert "security settings changed: security_code" in [e["action"] for e in trail]
    added = next(e for e in trail if e["action"] == "payment method added")
    assert added["actor_username"] == user["username"] and added["ip"]


def test_a_challenge_question_is_asked_on_a_password_reset(system):
    user = new_user(system)
    api = signed_in(system, user)
    questions = requests.get(system.url("/api/v1/challenge-questions"), timeout=10).json()
    qid = questions["items"][1]["id"]
    assert api.put(system.url("/api/v1/me/challenge"), json={
        "current_password": PASSWORD, "question_id": qid, "answer": "  Springfield  "},
        timeout=10).status_code == 204
    requests.post(system.url("/api/v1/auth/forgot-password"),
                  json={"username": user["username"]}, timeout=10)
    mail = eventually(lambda: next((m for m in mails_to(system, user["email"])
                                    if "Reset" in m["Subject"]), None))
    token = reset_token(mail)
    new = "harbor lantern quiet 77"
    no_answer = requests.post(system.url("/api/v1/auth/reset-password"),
                              json={"token": token, "new_password": new}, timeout=10)
    assert no_answer.status_code == 422
    ok = requests.post(system.url("/api/v1/auth/reset-password"), json={
        "token": token, "new_password": new, "challenge_answer": "SPRINGFIELD"}, timeout=10)
    assert ok.status_code == 204, ok.text


def test_two_step_sign_in_with_a_totp_code_and_a_recovery_code(system):
    user = new_user(system)
    api = signed_in(system, user)
    setup = api.post(system.url("/api/v1/me/2fa/totp"), json={"current_password": PASSWORD},
                     timeout=10).json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and len(setup["recovery_codes"]) == 10
    totp = pyotp.TOTP(setup["secret"])
    # the current step's code to confirm, the next step's to sign in: each inside the
    # one-step window even if a step ends on the way (the code one step back, as before,
    # was refused when the step ended between reading the clock and confirming)
    step = totp.timecode(datetime.now(timezone.utc))
    assert api.post(system.url("/api/v1/me/2fa/totp/confirm"), json={
        "code": "000000", "current_password": PASSWORD}, timeout=10).status_code == 400
    assert api.post(system.url("/api/v1/me/2fa/totp/confirm"), json={
        "code": totp.generate_otp(step), "current_password": PASSWORD},
        timeout=10).status_code == 204
    assert login(system, user["username"]).status_code == 401
    signed_in(system, user, totp_code=totp.generate_otp(step + 1))
    reused = requests.post(system.url("/api/v1/auth/login"), json={
        "username": user["username"], "password": PASSWORD,
        "totp_code": totp.generate_otp(step + 1)}, timeout=10)
    assert reused.status_code == 401
    signed_in(system, user, totp_code=setup["recovery_codes"][3])
    again = requests.post(system.url("/api/v1/auth/login"), json={
        "username": user["username"], "password": PASSWORD,
        "totp_code": setup["recovery_codes"][3]}, timeout=10)
    assert again.status_code == 401
    assert api.delete(system.url("/api/v1/me/2fa/totp"), json={"current_password": "nope nope"},
                      timeout=10).status_code == 400
    assert api.delete(system.url("/api/v1/me/2fa/totp"), json={"current_password": PASSWORD},
                      timeout=10).status_code == 204
    assert login(system, user["username"]).status_code == 200


def test_sign_in_alerts_mail_a_sign_in_from_a_new_browser(system):
    user = new_user(system)
    api = signed_in(system, user)
    assert api.patch(system.url("/api/v1/me/security-preferences"),
                     json={"sign_in_alerts": True}, timeout=10).status_code == 200
    requests.post(system.url("/api/v1/auth/login"), json={
        "username": user["username"], "password": PASSWORD},
        headers={"User-Agent": "NewBrowser/1.0"}, timeout=10)

    def alerted():
        """a sign-in alert arrived"""
        return [m for m in mails_to(system, user["email"])
                if m["Subject"] == "New sign-in to your BizPortal online ID"]
    found = eventually(alerted)
    assert len(found) == 1 and "NewBrowser/1.0" in text_of(found[0])
