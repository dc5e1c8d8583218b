"""The fuzzer's own customer, made through the public and staff APIs before fuzzing starts:
a fresh account with usage and a bill run (so statements and invoice numbers exist), its
admin signed up and signed in, a card, a bank account and a scheduled payment; and a second
online ID whose sessions the /me/sessions operations list and end (all but its current one),
and a third that signs out everywhere else. The fuzzer's
path parameters are mapped onto these ids (see conftest.py), so generated requests reach the
handlers behind the authorisation check instead of stopping at 404."""
import datetime
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from tests.support.auth_helpers import ACCOUNT, PASSWORD
from tests.support.soft_authenticator import SoftAuthenticator

STATEMENT_DATE = "2026-10-15"
CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Fuzz Card", "postal_code": "60611"}
BANK = {"type": "bank_account", "routing_number": "110000000", "account_number": "000123456789",
        "account_type": "checking", "name": "Fuzz Bank"}
SECURITY_CODE = "2468"  # the only code the fuzzer sets (see conftest.steer_body)
SERVICES = [{"code": "INT-500", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 2}]
TOKEN_RENEW_SECONDS = 300  # access tokens live 600 s; a long run renews them on the way
MAX_THROTTLE_WAIT = 30     # seconds the setup waits out a sign-in throttle
SPARE_SESSIONS = 5         # sessions POST /auth/logout may end (sign-ins cost argon2 time)
OTHER_SESSIONS = 2         # the sessions user's sessions that /me/sessions may end


def calls(n):
    return [{"started_at": f"2026-10-{1 + i % 9:02d}T1{i % 10}:15:00-05:00",
             "from_number": "+13125550188", "to_number": "+12125550147",
             "duration_seconds": 30 + i, "call_type": "local"} for i in range(n)]


def _ok(response, status):
    assert response.status_code == status, (response.request.method, response.url,
                                            response.status_code, response.text)
    return response.json() if response.content else None


@dataclass
class Tokens:
    """One signed-in session's tokens, renewed with its refresh token when they get old."""
    url: object
    pair: dict
    at: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def headers(self):
        with self._lock:
            if time.monotonic() - self.at > TOKEN_RENEW_SECONDS:
                self.pair = _ok(requests.post(self.url("/api/v1/auth/refresh"), json={
                    "refresh_token": self.pair["refresh_token"]}, timeout=10), 200)
                self.at = time.monotonic()
            return {"Authorization": f"Bearer {self.pair['access_token']}"}


@dataclass
class World:
    system: object
    account_number: str = ""
    other_account_number: str = ""  # staff-made, nobody's: the caller gets 404 on it
    username: str = ""
    user_id: str = ""
    invoice_numbers: list = field(default_factory=list)
    method_ids: list = field(default_factory=list)
    payment_ids: list = field(default_factory=list)
    notification_ids: list = field(default_factory=list)
    line_ids: list = field(default_factory=list)
    dispute_ids: list = field(default_factory=list)
    fraud_case_ids: list = field(default_factory=list)
    # a second online ID for /me/sessions: ending "every session but this one" with the
    # admin's token would end the spares below; its sessions but the current may be ended
    sessions_username: str = ""
    other_session_ids: list = field(default_factory=list)
    passkey_ids: list = field(default_factory=list)  # the admin's, for /me/passkeys/{id}
    _tokens: Tokens = None
    _sessions_tokens: Tokens = None
    _everywhere_tokens: Tokens = None
    _spares: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path):
        return self.system.url(path)

    # --- the customer -----------------------------------------------------------------

    def build(self):
        staff = self.system.staff()
        tag = uuid.uuid4().hex[:8]
        opened = _ok(staff.post(self.url("/internal/v1/accounts"), json={
            **ACCOUNT, "company_name": f"Fuzz Works {tag}", "email": f"ap-{tag}@fuzz.example",
            "services": SERVICES}, timeout=10), 201)
        self.account_number = opened["account_number"]
        self.other_account_number = _ok(staff.post(self.url("/internal/v1/accounts"), json={
            **ACCOUNT, "company_name": f"Nobody's {tag}", "email": f"no-{tag}@fuzz.example"},
            timeout=10), 201)["account_number"]
        self.username = f"fuzz.{tag}"
        self.user_id = _ok(requests.post(self.url("/api/v1/signup"), json={
            **opened, "username": self.username, "password": PASSWORD,
            "email": f"fuzz-{tag}@fuzz.example", "first_name": "Fuzz", "last_name": "Tester"},
            timeout=10), 201)["user_id"]
        self._tokens = Tokens(self.url, self.login())
        self._spares = [self.login()["access_token"] for _ in range(SPARE_SESSIONS)]
        self._sessions_user(staff, tag)
        _ok(staff.post(self.url(f"/internal/v1/accounts/{self.account_number}/usage"),
                       json={"calls": calls(30)}, timeout=30), 202)
        _ok(staff.post(self.url("/internal/v1/bill-runs"), json={
            "statement_date": STATEMENT_DATE, "account_numbers": [self.account_number]},
            timeout=60), 200)
        self.invoice_numbers = [s["invoice_number"] for s in self.get(
            f"/api/v1/accounts/{self.account_number}/statements")["items"]]
        assert self.invoice_numbers, "the bill run issued no statement"
        self._open_disputes()
        self._raise_fraud_case(staff)
        self.add_method(CARD)
        self.add_method(BANK)
        _ok(self.schedule_payment(), 201)
        self.payment_ids.append(self._paid_by_card())  # one staff's refunds can take back
        self._find_notifications()
        self._add_passkey()
        return self

    def _open_disputes(self):
        """Two open disputes of the statement's lines: real ids for the resolution and line
        ids the fuzzer's disputes name (it may resolve them; another line stays open)."""
        invoice = self.invoice_numbers[0]
        detail = self.get(f"/api/v1/accounts/{self.account_number}/statements/{invoice}")
        lines = [line for section in detail["sections"] for line in section["lines"]
                 if line["amount_cents"] > 0]
        self.line_ids = [line["line_id"] for line in lines]
        for line in lines[:2]:
            self.dispute_ids.append(_ok(requests.post(self.url(
                f"/api/v1/accounts/{self.account_number}/statements/{invoice}/disputes"),
                json={"line_id": line["line_id"], "amount_cents": 1, "reason": "Fuzz"},
                headers=self.headers(), timeout=10), 201)["id"])

    def _raise_fraud_case(self, staff):
        """A night burst to a revenue-share prefix: one open fraud alert, a real case id for
        marking it expected (the guard scores the load as it is stored)."""
        night = [{"started_at": f"2026-09-03T0{7 + i // 30}:{2 * (i % 30):02d}:00Z",
                  "from_number": "+13125550188", "to_number": f"+88213{i:07d}",
                  "duration_seconds": 200, "call_type": "international"} for i in range(40)]
        _ok(staff.post(self.url(f"/internal/v1/accounts/{self.account_number}/usage"),
                       json={"calls": night}, timeout=30), 202)
        self.fraud_case_ids = [case["id"] for case in self.get(
            f"/api/v1/accounts/{self.account_number}/fraud-alerts")["items"]]
        assert self.fraud_case_ids, "the night burst raised no fraud alert"

    def _add_passkey(self):
        """A passkey of the admin's, for /me/passkeys/{passkey_id} (made at the address the
        fuzzer calls: PUBLIC_URL's host, on the relying party's allow-list)."""
        started = _ok(requests.post(self.url("/api/v1/me/passkeys/options"), timeout=10,
                                    headers=self.headers(),
                                    json={"current_password": PASSWORD}), 200)
        credential = SoftAuthenticator().create(started["options"], self.system.base_url)
        self.passkey_ids.append(_ok(requests.post(self.url("/api/v1/me/passkeys"), json={
            "challenge_id": started["challenge_id"], "credential": credential,
            "name": "Fuzz key"}, headers=self.headers(), timeout=10), 201)["id"])

    def schedule_payment(self):
        """A payment due in 30 days with the newest method: one the fuzzer can cancel. Best
        effort once fuzzing runs (it may have made payments need a security code)."""
        response = requests.post(
            self.url(f"/api/v1/accounts/{self.account_number}/payments"),
            json={"amount_cents": 500, "payment_method_id": self.method_ids[-1],
                  "security_code": SECURITY_CODE,  # ignored unless the user requires it
                  "scheduled_for": (datetime.date.today()
                                    + datetime.timedelta(days=30)).isoformat()},
            headers={**self.headers(), "Idempotency-Key": str(uuid.uuid4())}, timeout=10)
        if response.status_code == 201:
            with self._lock:
                self.payment_ids.insert(0, response.json()["id"])
        return response

    def _paid_by_card(self):
        """A succeeded card payment of $10.00 (the fuzzer refunds parts of it); its id."""
        paid = _ok(requests.post(
            self.url(f"/api/v1/accounts/{self.account_number}/payments"),
            json={"amount_cents": 1000, "payment_method_id": self.method_ids[0]},
            headers={**self.headers(), "Idempotency-Key": str(uuid.uuid4())}, timeout=20), 201)
        assert paid["status"] == "succeeded", paid
        return paid["id"]

    def _find_notifications(self, wait=10):
        """The bill-ready notice reaches the message centre through events: wait briefly."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            items = self.get("/api/v1/me/notifications")["items"]
            if items:
                self.notification_ids = [n["id"] for n in items]
                return
            time.sleep(0.3)

    def add_method(self, method, throttled_ok=False):
        response = requests.post(
            self.url(f"/api/v1/accounts/{self.account_number}/payment-methods"), json=method,
            headers=self.headers(), timeout=10)
        if throttled_ok and response.status_code == 429:
            return False  # the account tried its methods for this hour (payments/carding.py)
        created = _ok(response, 201)
        with self._lock:
            self.method_ids.append(created["id"])
        return True

    def forget_method(self, method_id):
        """The fuzzer removed one of the methods: add another card so payments stay reachable
        (unless the fuzzer's own cards spent the account's tries for the hour)."""
        with self._lock:
            if method_id not in self.method_ids:
                return
            self.method_ids.remove(method_id)
        if self.add_method(CARD, throttled_ok=True):
            self.schedule_payment()  # removing a method canceled its scheduled payments

    def get(self, path):
        return _ok(requests.get(self.url(path), headers=self.headers(), timeout=10), 200)

    # --- tokens -----------------------------------------------------------------------

    def _online_id(self, staff, name):
        """A fresh account's first online ID ``name``; returns its username."""
        opened = _ok(staff.post(self.url("/internal/v1/accounts"), json={
            **ACCOUNT, "company_name": f"Fuzz {name}", "email": f"{name}@fuzz.example"},
            timeout=10), 201)
        _ok(requests.post(self.url("/api/v1/signup"), json={
            **opened, "username": name, "password": PASSWORD,
            "email": f"{name}@fuzz.example", "first_name": "Fuzz", "last_name": "Sessions"},
            timeout=10), 201)
        return name

    def _sessions_user(self, staff, tag):
        self.sessions_username = self._online_id(staff, f"fuzz.s.{tag}")
        others = [self.login(self.sessions_username) for _ in range(OTHER_SESSIONS)]
        self._sessions_tokens = Tokens(self.url, self.login(self.sessions_username))
        listed = self._sessions_get("/api/v1/me/sessions")["items"]
        self.other_session_ids = [s["id"] for s in listed if not s["current"]]
        assert len(self.other_session_ids) == len(others)
        # "sign out everywhere else" from a third ID, so the ids above stay for the one-session
        # ending (the document lists that operation first)
        self._everywhere_tokens = Tokens(self.url, self.login(
            self._online_id(staff, f"fuzz.e.{tag}")))

    def _sessions_get(self, path):
        return _ok(requests.get(self.url(path), headers=self.sessions_headers(), timeout=10),
                   200)

    def login(self, username=None):
        """Signs the fuzzer in (or ``username``); waits out a short sign-in throttle (earlier
        tests of the session may have spent this address's free failed sign-ins)."""
        for _ in range(3):
            response = requests.post(self.url("/api/v1/auth/login"), json={
                "username": username or self.username, "password": PASSWORD}, timeout=10)
            wait = int(response.headers.get("Retry-After", 0))
            if response.status_code != 429 or wait > MAX_THROTTLE_WAIT:
                break
            time.sleep(wait)
        return _ok(response, 200)

    def headers(self):
        """The admin's bearer header, renewed with the refresh token when it gets old."""
        return self._tokens.headers()

    def sessions_headers(self, everywhere=False):
        """The sessions user's current session (never ended: /me/sessions ends the others);
        ``everywhere``: the third ID's, for ending every other session."""
        return (self._everywhere_tokens if everywhere else self._sessions_tokens).headers()

    def spare_headers(self):
        """A session POST /auth/logout may end (never the main one); once the spares are
        used up, an ended one (a documented 401)."""
        with self._lock:
            token = self._spares.pop() if len(self._spares) > 1 else self._spares[0]
        return {"Authorization": f"Bearer {token}"}

    def staff_headers(self):
        return {"Authorization": f"Bearer {self.system.admin_token}"}

    def path_values(self):
        """Real values for each path parameter name the API uses."""
        methods = list(reversed(self.method_ids))  # newest first
        return {"account_number": [self.account_number, self.other_account_number],
                "invoice_number": self.invoice_numbers, "method_id": methods,
                "payment_method_id": methods, "payment_id": list(self.payment_ids),
                "user_id": [self.user_id], "notification_id": self.notification_ids,
                "session_id": list(self.other_session_ids),
                "dispute_id": list(self.dispute_ids),
                "case_id": list(self.fraud_case_ids),
                "passkey_id": list(self.passkey_ids)}
