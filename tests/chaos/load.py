"""The mixed load: client threads driving the HTTP API as customers and staff tools do.

Each customer account is set up first (staff open it, its admin signs up, adds a card and a
bank account, some enrol in autopay). Then each thread loops over weighted operations until
told to stop. Money-moving requests carry an Idempotency-Key (staff's refunds of card
payments and credits too); after a timeout, a dropped connection, a 503 or a 409 "still being processed"
the client retries the SAME key, as a well-behaved client must. Every response status is
recorded, every payment the API accepted (a 201) with the status it was given, and every
refund and credit it accepted.
"""
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

PASSWORD = "violet staple orbit 42"
CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Priya Natarajan", "postal_code": "60611"}
DECLINED = dict(CARD, card_number="4000000000000002")
BANK = {"type": "bank_account", "routing_number": "110000000", "account_number": "000123456789",
        "account_type": "checking", "name": "Lakeside Architects"}
RETURNED_BANK = dict(BANK, account_number="000123450002")
ACCOUNT = {"contact_name": "Priya Natarajan", "phone": "+1 (312) 555-0188",
           "billing_address": {"line1": "401 N Michigan Ave", "city": "Chicago", "state": "IL",
                               "postal_code": "60611"},
           "bill_cycle_day": 15, "services": [{"code": "VOICE-LINE", "quantity": 2}]}
TIMEOUT = 15          # a client's patience for one request
MAX_TRIES = 40        # retries of one idempotent request before the client gives up
FIRST_STATEMENT = date(2026, 1, 15)


@dataclass
class Customer:
    account_number: str
    username: str
    email: str
    methods: dict
    autopay: bool
    token: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Record:
    statuses: Counter = field(default_factory=Counter)     # (kind, status) -> count
    failures: list = field(default_factory=list)           # 5xx without excuse, with details
    accepted: dict = field(default_factory=dict)           # payment id -> (account, status)
    card_paid: dict = field(default_factory=dict)          # succeeded card payment -> (account, cents)
    refunds: dict = field(default_factory=dict)            # refund id -> (payment id, cents, status)
    credits: dict = field(default_factory=dict)            # credit id -> (account, cents)
    given_up: list = field(default_factory=list)           # keys the client gave up on
    connection_errors: Counter = field(default_factory=Counter)
    ops: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind, response):
        with self.lock:
            self.statuses[(kind, response.status_code)] += 1
            bad = response.status_code >= 500 and not (
                response.status_code == 503 and response.headers.get("Retry-After"))
            if bad:
                self.failures.append((kind, response.status_code, response.headers.get(
                    "X-Request-ID"), response.text[:300]))

    def error(self, kind, exc):
        with self.lock:
            self.connection_errors[(kind, type(exc).__name__)] += 1


class Load:
    def __init__(self, system, threads=6, seed=7):
        self.system = system
        self.threads = threads
        self.random = random.Random(seed)
        self.customers = []
        self.record = Record()
        self.stop = threading.Event()
        self._workers = []
        self._statement_lock = threading.Lock()
        self.statement_dates = []      # bill-run dates used so far
        self.started = self.ended = None

    # -- set-up ------------------------------------------------------------------------------

    def staff(self, method, path, **kwargs):
        return self.system.staff().request(method, self.system.url(path), timeout=60, **kwargs)

    def open_customer(self, index, autopay):
        tag = uuid.uuid4().hex[:8]
        opened = self.staff("POST", "/internal/v1/accounts", json={
            **ACCOUNT, "company_name": f"Chaos Dental {tag}", "email": f"ap-{tag}@chaos.example"})
        assert opened.status_code == 201, opened.text
        number = opened.json()["account_number"]
        username, email = f"chaos.{tag}", f"user-{tag}@chaos.example"
        signup = requests.post(self.system.url("/api/v1/signup"), json={
            **opened.json(), "username": username, "password": PASSWORD, "email": email,
            "first_name": "Rosa", "last_name": "Diaz"}, timeout=30)
        assert signup.status_code == 201, signup.text
        customer = Customer(number, username, email, {}, autopay)
        self.sign_in(customer)
        for name, method in (("card", CARD), ("declined", DECLINED), ("bank", BANK),
                             ("returned_bank", RETURNED_BANK)):
            added = self.api(customer, "POST", f"/api/v1/accounts/{number}/payment-methods",
                             json=method)
            assert added.status_code == 201, added.text
            customer.methods[name] = added.json()["id"]
        if autopay:
            enrolled = self.api(customer, "PUT", f"/api/v1/accounts/{number}/autopay",
                                json={"payment_method_id": customer.methods["card"],
                                      "enabled": True})
            assert enrolled.status_code == 200, enrolled.text
        return customer

    def set_up(self, accounts=8):
        self.customers = [self.open_customer(i, autopay=i % 2 == 0) for i in range(accounts)]
        self.bill_run()  # a statement for everyone before the load starts

    # -- requests ------------------------------------------------------------------------------

    def sign_in(self, customer, kind="sign_in"):
        response = requests.post(self.system.url("/api/v1/auth/login"), json={
            "username": customer.username, "password": PASSWORD}, timeout=TIMEOUT)
        self.record.note(kind, response)
        if response.status_code == 200:
            customer.token = response.json()["access_token"]
        return response

    def api(self, customer, method, path, kind=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {customer.token}")
        response = requests.request(method, self.system.url(path), headers=headers,
                                    timeout=TIMEOUT, **kwargs)
        if kind:
            self.record.note(kind, response)
        return response

    def retried(self, kind, send):
        """Send until an answer that is not "try again"; returns it, or None when the client
        gave up. Timeouts and dropped connections count as "try again"."""
        for attempt in range(MAX_TRIES):
            try:
                response = send()
            except requests.RequestException as exc:
                self.record.error(kind, exc)
                time.sleep(0.5)
                continue
            self.record.note(kind, response)
            retry = response.status_code in (503, 429) or (
                response.status_code == 409 and "still being processed" in response.text)
            if response.status_code == 401 and attempt < MAX_TRIES - 1:
                return response
            if not retry:
                return response
            time.sleep(min(float(response.headers.get("Retry-After") or 1), 1.0))
        return None

    # -- operations ----------------------------------------------------------------------------

    def op_sign_in(self, customer):
        try:
            self.sign_in(customer)
        except requests.RequestException as exc:
            self.record.error("sign_in", exc)

    def op_summary(self, customer):
        self.api(customer, "GET", f"/api/v1/accounts/{customer.account_number}/summary",
                 kind="summary")

    def op_statements(self, customer):
        self.api(customer, "GET", f"/api/v1/accounts/{customer.account_number}/statements",
                 kind="statements")

    def op_history(self, customer):
        self.api(customer, "GET", f"/api/v1/accounts/{customer.account_number}/payments",
                 kind="payment_history")

    def op_messages(self, customer):
        self.api(customer, "GET", "/api/v1/me/notifications", kind="messages")

    def pay(self, customer, method_name, kind):
        key = str(uuid.uuid4())
        body = {"amount_cents": self.random.randint(100, 2500),
                "payment_method_id": customer.methods[method_name]}
        path = f"/api/v1/accounts/{customer.account_number}/payments"

        def send():
            response = self.api(customer, "POST", path, json=body,
                                headers={"Idempotency-Key": key})
            if response.status_code == 401:  # the access token lapsed: sign in, same key
                self.sign_in(customer)
            return response
        response = self.retried(kind, send)
        if response is not None and response.status_code == 401:
            response = self.retried(kind, send)
        if response is None:
            with self.record.lock:
                self.record.given_up.append((customer.account_number, key))
            return
        if response.status_code == 201:
            payment = response.json()
            with self.record.lock:
                self.record.accepted[payment["id"]] = (customer.account_number, payment["status"])
                if method_name == "card" and payment["status"] == "succeeded":
                    self.record.card_paid[payment["id"]] = (customer.account_number,
                                                            payment["amount_cents"])

    def op_card_payment(self, customer):
        self.pay(customer, "card", "card_payment")

    def op_declined_payment(self, customer):
        self.pay(customer, "declined", "card_payment")

    def op_bank_payment(self, customer):
        self.pay(customer, self.random.choice(["bank", "bank", "returned_bank"]), "bank_payment")

    def op_refund(self, customer):
        """Staff give back part of one of the customer's card payments (sometimes more than
        is left: a 422), retrying the same key as any money-moving client."""
        with self.record.lock:
            paid = [(pid, cents) for pid, (number, cents) in self.record.card_paid.items()
                    if number == customer.account_number]
        if not paid:
            return
        payment_id, cents = self.random.choice(paid)
        body = {"amount_cents": self.random.randint(1, max(1, cents // 2)),
                "reason": "Chaos run: charged twice"}
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        path = f"/internal/v1/accounts/{customer.account_number}/payments/{payment_id}/refunds"
        response = self.retried("refund", lambda: self.staff(
            "POST", path, json=body, headers=headers))
        if response is None:
            with self.record.lock:
                self.record.given_up.append((customer.account_number, headers["Idempotency-Key"]))
        elif response.status_code == 201:
            refund = response.json()
            with self.record.lock:
                self.record.refunds[refund["id"]] = (payment_id, refund["amount_cents"],
                                                     refund["status"])

    def op_credit(self, customer):
        """Staff credit the account a small amount (billing's ledger only), same key on retry."""
        body = {"amount_cents": self.random.randint(1, 500), "reason": "Chaos run: outage"}
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        response = self.retried("credit", lambda: self.staff(
            "POST", f"/internal/v1/accounts/{customer.account_number}/credits", json=body,
            headers=headers))
        if response is None:
            with self.record.lock:
                self.record.given_up.append((customer.account_number, headers["Idempotency-Key"]))
        elif response.status_code == 201:
            note = response.json()
            with self.record.lock:
                self.record.credits[note["credit_id"]] = (customer.account_number,
                                                          note["amount_cents"])

    def op_usage(self, customer):
        start = f"2026-0{self.random.randint(1, 9)}-{self.random.randint(10, 28)}T14:{self.random.randint(10, 59)}:00Z"
        calls = [{"started_at": start, "from_number": "+13125550188",
                  "to_number": f"+1415555{self.random.randint(1000, 9999)}",
                  "duration_seconds": self.random.randint(5, 900), "call_type": "long_distance"}]
        self.retried("usage_load", lambda: self.staff(
            "POST", f"/internal/v1/accounts/{customer.account_number}/usage",
            json={"calls": calls}))

    def bill_run(self):
        """Bills every load account for the next monthly statement date."""
        with self._statement_lock:
            n = len(self.statement_dates)
            month = FIRST_STATEMENT.month + n
            when = date(FIRST_STATEMENT.year + (month - 1) // 12, (month - 1) % 12 + 1, 15)
            self.statement_dates.append(when)
        self.retried("bill_run", lambda: self.staff("POST", "/internal/v1/bill-runs", json={
            "statement_date": when.isoformat(),
            "account_numbers": [c.account_number for c in self.customers]}))

    def op_bill_run(self, _customer):
        if len(self.statement_dates) < 12:  # a year of statements is plenty
            self.bill_run()

    def op_payment_run(self, _customer):
        self.payment_run(date.today())

    def payment_run(self, run_date):
        return self.retried("payment_run", lambda: self.staff(
            "POST", "/internal/v1/payment-runs", json={"run_date": run_date.isoformat()}))

    OPERATIONS = (("op_summary", 22), ("op_sign_in", 10), ("op_card_payment", 18),
                  ("op_declined_payment", 4), ("op_bank_payment", 8), ("op_statements", 8),
                  ("op_history", 8), ("op_messages", 6), ("op_usage", 10), ("op_bill_run", 2),
                  ("op_payment_run", 4), ("op_refund", 4), ("op_credit", 2))

    def _loop(self, seed):
        rng = random.Random(seed)
        names = [name for name, _ in self.OPERATIONS]
        weights = [weight for _, weight in self.OPERATIONS]
        while not self.stop.is_set():
            customer = rng.choice(self.customers)
            name = rng.choices(names, weights)[0]
            with customer.lock:  # one client per customer at a time, as a person would
                try:
                    getattr(self, name)(customer)
                except requests.RequestException as exc:
                    self.record.error(name[3:], exc)
            with self.record.lock:
                self.record.ops += 1

    def start(self):
        self.started = time.monotonic()
        for i in range(self.threads):
            worker = threading.Thread(target=self._loop, args=(i,), daemon=True)
            worker.start()
            self._workers.append(worker)

    def finish(self):
        self.stop.set()
        for worker in self._workers:
            worker.join(timeout=MAX_TRIES * (TIMEOUT + 1))
        self.ended = time.monotonic()

    def ops_per_second(self):
        return self.record.ops / max(0.001, (self.ended or time.monotonic()) - self.started)

    def last_due_date(self):
        return max(self.statement_dates) + timedelta(days=60)
