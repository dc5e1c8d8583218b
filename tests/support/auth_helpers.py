"""Helpers for the end-to-end and browser tests against the running system: open an account
as staff, sign up, sign in (an API session with its bearer token), invite and accept, and read
the mail (a Maildir) and the links it carries."""
import mailbox
import re
import uuid

import requests

from tests.support.system import eventually

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


def bearer(system, username, password=PASSWORD):
    """A requests session signed in as ``username`` (its access token on every request)."""
    response = login(system, username, password)
    assert response.status_code == 200, response.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


def invitation_token(system, email):
    def mailed():
        """the invitation mail arrived"""
        return [m for m in mails_to(system, email) if "invited" in m["Subject"]]
    text = text_of(eventually(mailed)[-1])
    return re.search(r"/invitations/accept\?token=([A-Za-z0-9_-]+)", text).group(1)


def invite_and_accept(system, admin, number, role):
    """``admin`` (a bearer session) invites a new address as ``role``, who accepts with the
    mailed link; returns ``(token, username, user_id)``."""
    email = f"guest-{uuid.uuid4().hex[:8]}@harbor.example"
    invited = admin.post(system.url(f"/api/v1/accounts/{number}/users"), timeout=10,
                         json={"email": email, "role": role, "current_password": PASSWORD})
    assert invited.status_code == 201, invited.text
    token = invitation_token(system, email)
    username = f"guest.{uuid.uuid4().hex[:8]}"
    accepted = requests.post(system.url("/api/v1/invitations/accept"), json={
        "token": token, "username": username, "password": PASSWORD, "first_name": "Lee",
        "last_name": "Park"}, timeout=10)
    assert accepted.status_code == 201, accepted.text
    return token, username, accepted.json()["user_id"]


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


def mail_with(system, address, subject_part):
    return eventually(lambda: [m for m in mails_to(system, address)
                               if subject_part in m["Subject"]], timeout=20)


def link_in(message, path):
    return re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9_-]+",
                     text_of(message)).group(0)


def follow(link):
    """Opens a mailed link in a fresh browser-like session and presses the page's button."""
    browser = requests.Session()
    page = browser.get(link, timeout=10)
    assert page.status_code == 200, page.text
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page.text,
                     re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             form.group(2)))
    return browser.post(link.split("/", 3)[0] + "//" + link.split("/", 3)[2] + form.group(1),
                        data=fields, timeout=10)
