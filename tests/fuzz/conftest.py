"""API fuzzing: schemathesis generates requests from the OpenAPI documents the gateway serves
(customers' /api/v1/openapi.json and, with the ADMIN_TOKEN, staff's /internal/v1/openapi.json)
and sends them to the running system: the session's ``system`` fixture
(tests/conftest.py), i.e. the four services and the gunicorn gateway as real processes on a
real RabbitMQ vhost and real PostgreSQL databases. Nothing is faked.

Requests are authenticated: public API calls carry the bearer token of a fresh account's
admin (tests/fuzz/world.py makes the account, its statements, methods and a payment through
the API first), staff calls the ADMIN_TOKEN. Path parameters are mostly mapped onto that
account's real ids (sometimes another company's account, sometimes left as generated), so
cases get past the authorisation check to the handlers. Staff runs touch fresh data only: a
bill run and a collections run are limited to the fuzzer's account, payment and reminder runs
are moved to dates before any data exists.

FUZZ_CASES (default 300) is the generated-case budget, shared by the operations. The cases
are the same on every run (a fixed seed: `make test` stays reproducible) unless FUZZ_RANDOM=1,
which `make chaos` sets to explore new ones each time.
"""
import collections
import datetime
import os
import threading

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from tests.support.auth_helpers import PASSWORD
from tests.fuzz.world import BANK, CARD, SECURITY_CODE, World, calls

DEFAULT_CASES = 300
RUNS_BEFORE_ANY_DATA = 2000  # payment and reminder runs fuzzed in a year no data lives in


def budget():
    return max(1, int(os.environ.get("FUZZ_CASES", DEFAULT_CASES)))


class Tally:
    """Cases sent, by operation and by status, printed at the end of the session."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.by_operation = collections.defaultdict(collections.Counter)
        self.cases = 0

    def record(self, label, status):
        with self.lock:
            self.cases += 1
            self.statuses[status] += 1
            self.by_operation[label][status] += 1

    def lines(self):
        yield (f"API fuzzing: {self.cases} cases over {len(self.by_operation)} operations, "
               f"budget FUZZ_CASES={budget()}")
        yield "statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        refused = sorted(label for label, c in self.by_operation.items()
                         if not any(s < 400 for s in c))
        yield (f"operations with a 2xx answer: {len(self.by_operation) - len(refused)}"
               f"/{len(self.by_operation)}; only refusals: {', '.join(refused) or 'none'}")
        for label in refused:  # what stopped them, to steer the next change of conftest
            yield f"  {label}: " + ", ".join(
                f"{s}: {n}" for s, n in sorted(self.by_operation[label].items()))


TALLY = Tally()


def pytest_terminal_summary(terminalreporter):
    if TALLY.cases:
        terminalreporter.section("API fuzzing")
        for line in TALLY.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def fuzz_world(system):
    return World(system).build()


@pytest.fixture(scope="session")
def fuzz_tally():
    return TALLY


@pytest.fixture(scope="session")
def fuzz_budget():
    return budget()


DOCUMENTS = ("/api/v1/openapi.json", "/internal/v1/openapi.json")


@pytest.fixture(scope="session")
def fuzz_schemas(system, fuzz_world):
    """The served OpenAPI documents, customers' then staff's, each with a hook steering
    parameters onto real ids."""
    config = schemathesis.Config.from_dict({"generation": {"database": "none"}})
    schemas = []
    for url in DOCUMENTS:
        schema = schemathesis.openapi.from_url(system.url(url), config=config,
                                               headers=fuzz_world.staff_headers())
        schema.base_url = system.base_url
        schema.hook("flatmap_case")(steer(fuzz_world))
        schemas.append(schema)
    return schemas


def _positive(case, location):
    component = case.meta.components.get(location) if case.meta else None
    return component is None or component.mode == GenerationMode.POSITIVE


def steer(world):
    """A flatmap_case hook: a draw of 0-9 decides, per case, whether path parameters become
    the fuzzer's own ids (most of the time), another company's account, or stay as
    generated; positive bodies get real method ids and, at times, the real credentials."""
    def hook(context, case):
        original_path = dict(case.path_parameters or {})
        original_body = case.body

        def apply(draw):
            values = world.path_values()
            if _positive(case, ParameterLocation.PATH):
                path = dict(original_path)
                for name in path:
                    choices = values.get(name)
                    if choices and draw >= 2:
                        path[name] = choices[0 if draw >= 3 or len(choices) == 1 else 1]
                case.path_parameters = path
            if isinstance(original_body, dict):
                body = dict(original_body)
                if _positive(case, ParameterLocation.BODY):
                    body = steer_body(case.operation.path, body, draw, world)
                case.body = staff_run_body(case.operation.path, body, world)
            return case
        return st.integers(0, 9).map(apply)
    return hook


ADDRESS = {"line1": "401 N Michigan Ave", "city": "Chicago", "state": "IL",
           "postal_code": "60611"}
CONTACT = {"email": "ap@fuzz.example", "phone": "+1 (312) 555-0188", "billing_address": ADDRESS,
           "company_name": "Fuzz Freight Co", "contact_name": "Ada Fuzz"}
# valid values for fields random text rarely satisfies (email, phone, address, Luhn, names
# free of control characters, an amount within what the account may pay), laid
# over a positive body's own fields half the time, so its other fields reach the service
VALID_FIELDS = {
    "/internal/v1/accounts": CONTACT,
    "/api/v1/accounts/{account_number}/profile": CONTACT,
    "/api/v1/accounts/{account_number}/users": {"email": "invitee@fuzz.example"},
    "/api/v1/auth/forgot-username": {"email": "nobody@fuzz.example"},
    "/internal/v1/accounts/{account_number}/usage": {"calls": calls(3)},
    # a product the catalogue knows and admins may change, so a change can be made
    "/internal/v1/accounts/{account_number}/service-changes": {
        "changes": [{"code": "VOICE-LINE", "quantity": 2}]},
    "/api/v1/accounts/{account_number}/service-changes": {
        "changes": [{"code": "STATIC-IP-1", "quantity": 1}]},
    # payments ignore a code unless the user requires one, which the fuzzer may turn on
    "/api/v1/accounts/{account_number}/payments": {"security_code": SECURITY_CODE,
                                                   "amount_cents": 500},
    # a credit and a dispute within their amounts, a reason free of control characters
    "/internal/v1/accounts/{account_number}/credits": {"amount_cents": 500,
                                                       "reason": "Fuzz credit",
                                                       "invoice_number": None},
    "/api/v1/accounts/{account_number}/statements/{invoice_number}/disputes": {
        "amount_cents": 1, "reason": "Fuzz dispute"},
    # a closure's reason free of control characters; its date stays generated, so it rarely
    # falls in the world account's open period (a closed world still answers as documented)
    "/internal/v1/accounts/{account_number}/closure": {"reason": "Fuzz closure"},
    # thresholds within range and count, so a setting is saved
    "/api/v1/accounts/{account_number}/usage-alerts": {"thresholds_cents": [500, 2000],
                                                       "bill_shock": True},
}
LAID_EVEN_IF_ABSENT = {"/internal/v1/accounts/{account_number}/usage": ("calls",),
                       "/api/v1/accounts/{account_number}/payments": ("security_code",),
                       "/api/v1/accounts/{account_number}/payment-methods": (*CARD, *BANK)}
# the forms that ask for the current password (step-up); not /me/password: the fuzzer keeps its own
NEEDS_CURRENT_PASSWORD = {"/api/v1/me/security-code", "/api/v1/me/challenge",
                          "/api/v1/me/2fa/totp", "/api/v1/me/2fa/totp/confirm", "/api/v1/me",
                          "/api/v1/me/security-preferences", "/api/v1/me/passkeys/options",
                          "/api/v1/me/passkeys/{passkey_id}",
                          "/api/v1/accounts/{account_number}/invoice-delivery",
                          "/api/v1/accounts/{account_number}/users"}


def steer_body(path, body, draw, world):
    if "payment_method_id" in body and draw >= 3 and world.method_ids:
        body["payment_method_id"] = world.method_ids[draw % len(world.method_ids)]
    if path.endswith("/disputes") and "line_id" in body and draw >= 3 and world.line_ids:
        body["line_id"] = world.line_ids[draw % len(world.line_ids)]
    if path == "/api/v1/auth/login" and draw >= 7:
        body.update(username=world.username, password=PASSWORD)
        body.pop("totp_code", None)
    if draw >= 5:
        valid = VALID_FIELDS.get(path, {})
        if path.endswith("/payment-methods"):
            valid = CARD if body.get("type") == "card" else BANK
        always = LAID_EVEN_IF_ABSENT.get(path, ())
        body.update({k: v for k, v in valid.items() if k in body or k in always})
        if path in NEEDS_CURRENT_PASSWORD and "current_password" in body:
            body["current_password"] = PASSWORD
            if "security_code" in body:
                body["security_code"] = SECURITY_CODE  # so payments can send it
    return body


def staff_run_body(path, body, world):
    """Staff runs act on the fuzzer's data only (also for negative cases: a run that turned
    out valid must still not touch anyone else's account)."""
    if path in ("/internal/v1/bill-runs", "/internal/v1/collection-runs"):
        numbers = body.get("account_numbers")
        if numbers is None or (isinstance(numbers, list) and numbers
                               and all(isinstance(n, str) for n in numbers)):
            body["account_numbers"] = [world.account_number]
    elif path in ("/internal/v1/payment-runs", "/internal/v1/reminder-runs"):
        moved = _in_year(body.get("run_date"), RUNS_BEFORE_ANY_DATA)
        if moved:
            body["run_date"] = moved
    return body


def _in_year(value, year):
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return day.replace(year=year, day=min(day.day, 28)).isoformat()
