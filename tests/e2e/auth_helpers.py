"""Helpers for the auth end-to-end and browser tests: open an account as staff, sign up."""
import mailbox
import re
import uuid

import requests

PASSWORD = "violet staple orbit 42"

ACCOUNT = {
    "contact_name": "Priya Natarajan", "phone": "+1 (312) 555-0188",
    "billing_address": {"line1": "401 N Michigan Ave", "city": "Chicago", "state": "IL",
                        "postal_code": "60611"},
    "bill_cycle_day": 15, "services": [{"code": "VOICE-LINE", "quantity": 2}],
}


def open_account(system):
    tag = uuid.uuid4().hex[:8]
    response = system.staff().post(system.url("/internal/v1/accounts"), json={
        **ACCOUNT, "company_name": f"Harbor Dental {tag}", "email": f"ap-{tag}@harbor.example"},
        timeout=10)
    assert response.status_code == 201, response.text
    return {**response.json(), "company_name": f"Harbor Dental {tag}"}


def new_user(system, **changes):
    """Opens an account and signs up its first online ID; returns the sign-up request."""
    opened = open_account(system)
    tag = uuid.uuid4().hex[:8]
    company_name = opened.pop("company_name")
    request = {**opened, "username": f"user.{tag}", "password": PASSWORD,
               "email": f"user-{tag}@harbor.example", "first_name": "Rosa", "last_name": "Diaz"}
    request.update(changes)
    response = requests.post(system.url("/api/v1/signup"), json=request, timeout=10)
    assert response.status_code == 201, response.text
    request["user_id"] = response.json()["user_id"]
    request["company_name"] = company_name
    return request


def login(system, username, password=PASSWORD):
    return requests.post(system.url("/api/v1/auth/login"),
                         json={"username": username, "password": password}, timeout=10)


def mails_to(system, address):
    box = mailbox.Maildir(str(system.data_dir / "mail"), create=True)
    return [m for m in box if m["To"] == address]


def text_of(message):
    """The text/plain part of a mail."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def reset_token(message):
    return re.search(r"reset-password\?token=([A-Za-z0-9_-]+)", text_of(message)).group(1)
