"""Every kind of mail a customer gets is a correct mail whose links all work (issue 12,
point 3), on the system started as a newcomer starts it: ``make run`` with PORT set and
PUBLIC_URL unset (the Makefile's own recipe: bootstrap, then honcho, which gives every process
a PORT of its own), SQLite under DATA_DIR and the Maildir, on a vhost of the test broker.
Each mail is triggered as a customer or staff would (HTTP only), read with the stdlib email
package (``email.policy.default``), and every link in it is followed with requests: a page of
the portal, or a redirect to one, never another port, a connection error or a 404. Nothing is
faked; this system is this module's own, not the session's."""
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import requests

from services.notifications import mailer
from tests.support.auth_helpers import PASSWORD, login, new_user
from tests.support.ports import free_port
from tests.support.soft_authenticator import SoftAuthenticator
from tests.support.system import ROOT, eventually

# what each kind of mail's Subject says (part of it); each must arrive and be checked
KINDS = {
    "welcome on account opening": "Welcome to BizPortal",
    "online ID ready": "Your BizPortal online ID is ready",
    "bill ready": "bill is ready",
    "receipt": "receipt",
    "security alert": "security alert",
    "password changed": "password was changed",
    "username reminder": "Your BizPortal username",
    "reset link": "Reset your BizPortal password",
    "invitation": "You are invited",
    "email-change confirm link": "Confirm your new BizPortal email",
    "paperless verification link": "Confirm where your BizPortal bills go",
    # the account's life (issue 15) and passkeys (issue 17)
    "refund receipt": "Refund of",
    "past-due reminder": "Past due:",
    "suspension": "is suspended for non-payment",
    "restoration": "is restored",
    "dispute credited": "Your dispute was credited",
    "dispute rejected": "Your dispute was answered: no credit",
    "autopay skipped (above its limit)": "above your autopay limit",
    "autopay pre-draft notice": "Coming up: autopay will pay",
    "autopay card expiring": "expires before the next payment",
}
# security alerts share one subject: these kinds are told apart by what their text says
ALERTS = {"passkey added alert": "A passkey was added", "passkey removed alert":
          "A passkey was removed"}
CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Priya Natarajan", "postal_code": "60611"}


def honcho_base_port():
    """A PORT whose honcho neighbours (+100 for each of the Procfile's six processes) are free."""
    for _ in range(50):
        base = free_port()
        if base + 600 > 65535:
            continue
        try:
            for step in range(7):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + 100 * step))
        except OSError:
            continue
        return base
    raise RuntimeError("no free run of ports for honcho")


class Newcomer:
    """``make run`` in its own DATA_DIR: the portal on PORT, the staff token it generated."""

    def __init__(self, amqp_uri, data_dir):
        self.port = honcho_base_port()
        # the address make run prints (PUBLIC_URL's default): localhost, where passkeys work
        self.base_url = f"http://localhost:{self.port}"
        self.data_dir = Path(data_dir)
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("PUBLIC_URL", "GATEWAY_PORT", "SMTP_URL", "SECRET_KEY",
                                   "ADMIN_TOKEN", "KEY_ENCRYPTION_KEY", "DEV_SECRETS")
                    and not key.endswith("_DATABASE_URL")}
        # METRICS_PORT: its default would clash with any other run on this machine
        self.env.update(AMQP_URI=amqp_uri, DATA_DIR=str(self.data_dir), PORT=str(self.port),
                        METRICS_PORT=str(free_port()))
        self.log = self.data_dir / "make-run.log"
        self.process = None

    def start(self):
        self.started = datetime.now(timezone.utc).replace(microsecond=0)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # -o: the test's .venv is installed already; never reinstall in the middle of a run
        self.process = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "run"], cwd=ROOT, env=self.env,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url("/readyz"), timeout=3).status_code == 200:
                    self.admin_token = (self.data_dir / "admin_token").read_text().strip()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"make run not ready: {self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # make, honcho and what honcho runs
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def url(self, path):
        return self.base_url + path

    def staff(self):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.admin_token}"
        return session

    def mails(self):
        new = self.data_dir / "mail" / "new"
        return [message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted(new.glob("*"))] if new.exists() else []


@pytest.fixture(scope="module")
def newcomer(broker, tmp_path_factory):
    vhost, uri = broker.create_vhost(prefix="bizportal_newcomer")
    running = Newcomer(uri, tmp_path_factory.mktemp("newcomer"))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        broker.delete_vhost(vhost)


def arrived(newcomer, to, subject_part):
    def found():
        return [m for m in newcomer.mails()
                if m["To"] == to and subject_part.lower() in m["Subject"].lower()]
    found.__doc__ = f"a mail to {to} about {subject_part!r}"
    return eventually(found, timeout=30)


def api(newcomer, username):
    session = requests.Session()
    token = login(newcomer, username).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def autopay_mails(newcomer):
    """Autopay's guardrail mails (issue 16): a statement above the autopay limit (one
    account), and on another a card that lapses before the draft, then the pre-draft notice
    of the payment run three days before it. Returns ``{kind: recipient}``."""
    today = date.today()
    capped, lapsing = new_user(newcomer), new_user(newcomer)
    for user, card, limit in ((capped, CARD, 100),
                              (lapsing, dict(CARD, exp_month=today.month,
                                             exp_year=today.year), None)):
        number, admin = user["account_number"], api(newcomer, user["username"])
        method = admin.post(newcomer.url(f"/api/v1/accounts/{number}/payment-methods"),
                            json=card, timeout=10).json()
        assert admin.put(newcomer.url(f"/api/v1/accounts/{number}/autopay"), timeout=10, json={
            "payment_method_id": method["id"], "max_amount_cents": limit}).ok
    next_cycle = (today.replace(day=28) + timedelta(days=10)).replace(day=15)
    for user in (capped, lapsing):
        run = newcomer.staff().post(newcomer.url("/internal/v1/bill-runs"), timeout=60, json={
            "statement_date": next_cycle.isoformat(),
            "account_numbers": [user["account_number"]]})
        assert run.json() == {"statements_issued": 1}, run.text
    arrived(newcomer, lapsing["email"], KINDS["autopay card expiring"])
    notice_day = next_cycle + timedelta(days=21 - 3)  # billing's due date less the notice
    assert newcomer.staff().post(newcomer.url("/internal/v1/payment-runs"), timeout=60, json={
        "run_date": notice_day.isoformat()}).json()["autopay_notices"] == 1
    return {"autopay skipped (above its limit)": capped["email"],
            "autopay pre-draft notice": lapsing["email"],
            "autopay card expiring": lapsing["email"]}


@pytest.fixture(scope="module")
def every_kind(newcomer):
    """Triggers each kind of mail once, as customers and staff do (bootstrap's demo account
    was welcomed already); returns when the system was started."""
    user = new_user(newcomer)  # the account's welcome, then the online ID's
    number, email = user["account_number"], user["email"]
    admin = api(newcomer, user["username"])
    delivery = newcomer.url(f"/api/v1/accounts/{number}/invoice-delivery")
    assert admin.put(delivery, json={"method": "paperless", "current_password": PASSWORD},
                     timeout=10).status_code == 200
    run = newcomer.staff().post(newcomer.url("/internal/v1/bill-runs"), timeout=60, json={
        "statement_date": "2026-10-15", "account_numbers": [number]})
    assert run.json() == {"statements_issued": 1}, run.text
    arrived(newcomer, email, "bill is ready")
    amount = admin.get(newcomer.url(f"/api/v1/accounts/{number}/summary"),
                       timeout=10).json()["amount_due_cents"]
    card = admin.post(newcomer.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                      timeout=10).json()
    paid = admin.post(newcomer.url(f"/api/v1/accounts/{number}/payments"),
                      json={"amount_cents": amount, "payment_method_id": card["id"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert paid.status_code == 201, paid.text
    tag = uuid.uuid4().hex[:8]
    bills_to, invitee, moved_to = (f"{who}-{tag}@harbor.example"
                                   for who in ("ap", "guest", "rosa"))
    assert admin.put(delivery, timeout=10, json={"method": "paperless", "email": bills_to,
                                                 "current_password": PASSWORD}).ok
    assert admin.post(newcomer.url(f"/api/v1/accounts/{number}/users"), timeout=10, json={
        "email": invitee, "role": "viewer", "current_password": PASSWORD}).status_code == 201
    assert requests.post(newcomer.url("/api/v1/auth/forgot-username"), json={"email": email},
                         timeout=10).status_code == 202
    assert requests.post(newcomer.url("/api/v1/auth/forgot-password"),
                         json={"username": user["username"]}, timeout=10).status_code == 202
    passkeys(newcomer, admin)
    disputes(newcomer, admin, number)
    collections_and_refund(newcomer)
    new_password = "amber quarry lantern 77"
    assert admin.put(newcomer.url("/api/v1/me/password"), timeout=10, json={
        "current_password": PASSWORD, "new_password": new_password}).status_code == 204
    assert admin.patch(newcomer.url("/api/v1/me"), timeout=10, json={
        "email": moved_to, "current_password": new_password}).status_code == 200
    expected = dict(autopay_mails(newcomer), **{
        "online ID ready": email, "bill ready": email, "receipt": email,
        "security alert": email, "password changed": email, "username reminder": email,
        "reset link": email, "invitation": invitee, "email-change confirm link": moved_to,
        "paperless verification link": bills_to,
    })
    for kind, to in expected.items():
        arrived(newcomer, to, KINDS[kind])
    for words in ALERTS.values():
        alerted(newcomer, email, words)

    def welcomed():
        """the account's contact was welcomed"""
        return any(KINDS["welcome on account opening"] in m["Subject"]
                   for m in newcomer.mails())
    eventually(welcomed, timeout=30)
    return newcomer.started


def alerted(newcomer, to, words):
    def found():
        return [m for m in newcomer.mails()
                if m["To"] == to and words in m.get_body(("plain",)).get_content()]
    found.__doc__ = f"a security alert to {to} saying {words!r}"
    return eventually(found, timeout=30)


def passkeys(newcomer, admin):
    """A passkey added (with the password, at the localhost address make run prints) and
    removed: a security alert each."""
    started = admin.post(newcomer.url("/api/v1/me/passkeys/options"), timeout=10,
                         json={"current_password": PASSWORD})
    assert started.status_code == 200, started.text
    options = started.json()
    credential = SoftAuthenticator().create(options["options"], newcomer.base_url)
    added = admin.post(newcomer.url("/api/v1/me/passkeys"), timeout=10, json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "Laptop"})
    assert added.status_code == 201, added.text
    removed = admin.delete(newcomer.url(f"/api/v1/me/passkeys/{added.json()['id']}"),
                           json={"current_password": PASSWORD}, timeout=10)
    assert removed.status_code == 204, removed.text


def disputes(newcomer, admin, number):
    """Two lines of the statement disputed: staff credit one and reject the other."""
    [statement] = admin.get(newcomer.url(f"/api/v1/accounts/{number}/statements"),
                            timeout=10).json()["items"]
    invoice = statement["invoice_number"]
    detail = admin.get(newcomer.url(f"/api/v1/accounts/{number}/statements/{invoice}"),
                       timeout=10).json()
    lines = [line for section in detail["sections"] for line in section["lines"]
             if line["amount_cents"] > 0]
    for line, outcome in zip(lines, ("credited", "rejected")):
        opened = admin.post(newcomer.url(
            f"/api/v1/accounts/{number}/statements/{invoice}/disputes"), timeout=10, json={
            "line_id": line["line_id"], "amount_cents": 100, "reason": "Not ours"})
        assert opened.status_code == 201, opened.text
        answered = newcomer.staff().post(newcomer.url(
            f"/internal/v1/disputes/{opened.json()['id']}/resolution"), timeout=10,
            json={"outcome": outcome, "note": "Checked"})
        assert answered.status_code == 200, answered.text


def collections_and_refund(newcomer):
    """Another account past due: reminded, suspended, paid (restored, a receipt) and part of
    that payment refunded by staff (a refund receipt)."""
    user = new_user(newcomer)
    number = user["account_number"]
    admin = api(newcomer, user["username"])
    staff = newcomer.staff()
    run = staff.post(newcomer.url("/internal/v1/bill-runs"), timeout=60, json={
        "statement_date": "2026-09-15", "account_numbers": [number]})
    assert run.json() == {"statements_issued": 1}, run.text
    for day, done in (("2026-10-07", "reminders_sent"), ("2026-11-05", "suspended")):
        collected = staff.post(newcomer.url("/internal/v1/collection-runs"), timeout=60,
                               json={"run_date": day, "account_numbers": [number]})
        assert collected.status_code == 200 and collected.json()[done] == 1, collected.text
    arrived(newcomer, user["email"], KINDS["suspension"])
    amount = admin.get(newcomer.url(f"/api/v1/accounts/{number}/summary"),
                       timeout=10).json()["amount_due_cents"]
    card = admin.post(newcomer.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                      timeout=10).json()
    paid = admin.post(newcomer.url(f"/api/v1/accounts/{number}/payments"),
                      json={"amount_cents": amount, "payment_method_id": card["id"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert paid.status_code == 201, paid.text
    arrived(newcomer, user["email"], KINDS["restoration"])
    refunded = staff.post(newcomer.url(
        f"/internal/v1/accounts/{number}/payments/{paid.json()['id']}/refunds"), timeout=20,
        json={"amount_cents": 500, "reason": "Goodwill"},
        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert refunded.status_code == 201, refunded.text
    arrived(newcomer, user["email"], KINDS["refund receipt"])


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for key, value in attrs if key == "href"]


def links(mail):
    """The links of the text part and of the HTML part (none there when it has none)."""
    plain = mail.get_body(("plain",)).get_content()
    html_part = mail.get_body(("html",))
    parser = _Hrefs()
    parser.feed(html_part.get_content() if html_part is not None else "")
    in_text = sorted(link.rstrip(".,;:!?)") for link in re.findall(r"https?://\S+", plain))
    in_html = sorted(h for h in parser.hrefs if re.match(r"https?://", h))
    return in_text, in_html


def problems_of(mail, began):
    """What is wrong with one mail's headers and parts (an empty list: nothing)."""
    wrong = []
    if not mail["Date"]:
        wrong.append("no Date")
    else:
        date = parsedate_to_datetime(mail["Date"])
        if date.utcoffset() != timedelta(0) or not (
                began - timedelta(seconds=1) <= date <= datetime.now(timezone.utc)):
            wrong.append(f"Date {mail['Date']}")
    if not re.fullmatch(rf"<[0-9a-f-]{{36}}@{re.escape(mailer.DOMAIN)}>",
                        str(mail["Message-ID"] or "")):
        wrong.append(f"Message-ID {mail['Message-ID']}")
    if mail["From"] != mailer.SENDER or not mail["To"] or not mail["Subject"]:
        wrong.append("From, To or Subject")
    if mail.get_content_type() != "multipart/alternative" or mail.get_body(("html",)) is None:
        wrong.append("no HTML part")
    else:
        in_text, in_html = links(mail)
        if in_text != in_html:
            wrong.append(f"links differ: text {in_text}, HTML {in_html}")
    return wrong


def follow(newcomer, link):
    """Where a link ends (status, url) when opened in a fresh browser-like session; every hop
    must stay on the portal's own address."""
    browser = requests.Session()
    url = link
    for _ in range(5):
        assert urlparse(url)[:2] == urlparse(newcomer.base_url)[:2], f"{link} leads to {url}"
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response.status_code, url
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"{link}: too many redirects")


def test_every_kind_of_mail_is_dated_identified_and_has_both_parts(newcomer, every_kind):
    mails = newcomer.mails()
    for kind, subject_part in KINDS.items():
        assert any(subject_part.lower() in m["Subject"].lower() for m in mails), kind
    for kind, words in ALERTS.items():
        assert any(words in m.get_body(("plain",)).get_content() for m in mails), kind
    wrong = {f"{m['Subject']} -> {m['To']} {m['Message-ID']}": problems_of(m, every_kind)
             for m in mails}
    wrong = {mail: problems for mail, problems in wrong.items() if problems}
    assert wrong == {}, f"{len(wrong)} of {len(mails)} mails are wrong: {wrong}"
    print(f"{len(mails)} mails of {len(KINDS) + len(ALERTS)} kinds checked: 0 wrong")


def test_every_link_in_every_mail_opens_a_page_of_the_portal(newcomer, every_kind):
    mails = newcomer.mails()
    followed, broken = 0, []
    for mail in mails:
        for link in links(mail)[0]:
            try:
                status, ended = follow(newcomer, link)
            except (AssertionError, requests.RequestException) as exc:
                broken.append(f"{mail['Subject']}: {link}: {exc}")
                continue
            followed += 1
            if status != 200:
                broken.append(f"{mail['Subject']}: {link} -> {status} at {ended}")
    assert followed and not broken, f"{len(broken)} broken of {followed + len(broken)}: {broken}"
    print(f"{followed} links followed in {len(mails)} mails: 0 broken")
