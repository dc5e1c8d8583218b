"""Forgotten IDs and passwords recovered through the mailed messages, on the real system:
identity mails through notifications' RPC, mail lands in the Maildir."""
import requests

from tests.support.auth_helpers import PASSWORD, login, mails_to, new_user, reset_token, text_of
from tests.support.system import eventually

NEW_PASSWORD = "copper meadow signal 9"


def test_a_new_online_id_is_welcomed_by_email(system):
    user = new_user(system)
    (mail,) = eventually(lambda: mails_to(system, user["email"]))
    assert user["username"] in text_of(mail)
    assert PASSWORD not in mail.as_string() and user["security_key"] not in mail.as_string()


def test_a_forgotten_id_is_mailed_and_an_unknown_email_still_gets_202(system):
    user = new_user(system)
    eventually(lambda: mails_to(system, user["email"]))  # the welcome
    assert requests.post(system.url("/api/v1/auth/forgot-username"),
                         json={"email": "nobody-here@harbor.example"}, timeout=10).status_code == 202
    assert requests.post(system.url("/api/v1/auth/forgot-username"),
                         json={"email": user["email"].upper()}, timeout=10).status_code == 202
    reminder = eventually(lambda: [m for m in mails_to(system, user["email"])
                                   if m["Subject"] == "Your BizPortal username"])
    assert user["username"] in text_of(reminder[0])


def test_a_forgotten_password_is_reset_through_the_mailed_link(system):
    user = new_user(system)
    old = login(system, user["username"]).json()
    assert requests.post(system.url("/api/v1/auth/forgot-password"),
                         json={"username": "nobody.at.all.here"}, timeout=10).status_code == 202
    assert requests.post(system.url("/api/v1/auth/forgot-password"),
                         json={"username": user["username"]}, timeout=10).status_code == 202
    (mail,) = eventually(lambda: [m for m in mails_to(system, user["email"])
                                  if m["Subject"] == "Reset your BizPortal password"])
    assert system.url("/reset-password?token=") in text_of(mail)
    token = reset_token(mail)

    weak = requests.post(system.url("/api/v1/auth/reset-password"),
                         json={"token": token, "new_password": "password1234"}, timeout=10)
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    done = requests.post(system.url("/api/v1/auth/reset-password"),
                         json={"token": token, "new_password": NEW_PASSWORD}, timeout=10)
    assert done.status_code == 204
    again = requests.post(system.url("/api/v1/auth/reset-password"),
                          json={"token": token, "new_password": NEW_PASSWORD}, timeout=10)
    assert again.status_code == 422

    assert login(system, user["username"]).status_code == 401
    assert login(system, user["username"], NEW_PASSWORD).status_code == 200
    eventually(lambda: all(requests.get(system.url("/api/v1/me"), timeout=10, headers={
        "Authorization": f"Bearer {old['access_token']}"}).status_code == 401 for _ in range(8)))
    eventually(lambda: [m for m in mails_to(system, user["email"])
                        if m["Subject"] == "Your BizPortal password was changed"])
    assert token not in system.log_text("notifications") + system.log_text("identity")


def test_changing_the_password_needs_the_current_one(system):
    user = new_user(system)
    tokens = login(system, user["username"]).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    wrong = requests.put(system.url("/api/v1/me/password"), headers=headers, timeout=10,
                         json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "current_password" in wrong.json()["errors"]
    ok = requests.put(system.url("/api/v1/me/password"), headers=headers, timeout=10,
                      json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204
    assert requests.get(system.url("/api/v1/me"), headers=headers, timeout=10).status_code == 200
    patched = requests.patch(system.url("/api/v1/me"), headers=headers, timeout=10,
                             json={"first_name": "Rosalind"})
    assert patched.status_code == 200 and patched.json()["first_name"] == "Rosalind"
