"""A mobile team's first day: generate a Python client from the customer OpenAPI document the
running gateway serves (openapi-python-client, pinned in the test extras), with no generator
warning, and use that client alone to sign up, sign in, add a card and pay, read the account
summary (its last payment as a typed attribute), list statements and download a statement's
PDF and call history. Only the staff steps (opening the account, the bill run) go around it:
the staff API is not in the customer document. The real system, as in every e2e test.
"""
import importlib
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests

from tests.support.auth_helpers import PASSWORD, open_account
from tests.support.system import eventually

PACKAGE = "bizportal_client"
# openapi-python-client reads JSON, octet-stream and text/* bodies; downloads are bytes
GENERATOR_CONFIG = f"""\
package_name_override: {PACKAGE}
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
  text/csv: application/octet-stream
"""
GENERATOR = Path(sys.executable).with_name("openapi-python-client")  # beside this Python


@pytest.fixture(scope="module")
def generated(system, tmp_path_factory):
    """The generated package, imported; fails on any generator warning."""
    folder = tmp_path_factory.mktemp("generated-client")
    document = folder / "openapi.json"
    document.write_bytes(requests.get(system.url("/api/v1/openapi.json"), timeout=10).content)
    config = folder / "config.yaml"
    config.write_text(GENERATOR_CONFIG)
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(document), "--config",
                          str(config), "--meta", "none", "--output-path",
                          str(folder / PACKAGE), "--fail-on-warning"],
                         capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def api(name):
    """A generated operation module, by tag and operationId (``payments.create_payment``)."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def models():
    return importlib.import_module(f"{PACKAGE}.models")


def test_a_client_generated_from_the_document_signs_in_pays_and_downloads_a_statement(
        system, generated):
    opened = open_account(system)
    number = opened["account_number"]
    run = system.staff().post(system.url("/internal/v1/bill-runs"), timeout=60, json={
        "statement_date": "2026-10-15", "account_numbers": [number]})
    assert run.status_code == 200, run.text
    m, tag = models(), uuid.uuid4().hex[:8]
    anonymous = generated.Client(base_url=system.base_url, raise_on_unexpected_status=True)

    signed_up = api("auth.sign_up").sync(client=anonymous, body=m.SignupRequest(
        account_number=number, security_key=opened["security_key"], username=f"mobile.{tag}",
        password=PASSWORD, email=f"mobile-{tag}@harbor.example", first_name="Ana",
        last_name="Lima"))
    assert isinstance(signed_up, m.SignedUp), signed_up
    tokens = api("auth.sign_in").sync(client=anonymous, body=m.LoginRequest(
        username=f"mobile.{tag}", password=PASSWORD))
    assert isinstance(tokens, m.TokenPair), tokens
    client = generated.AuthenticatedClient(base_url=system.base_url, token=tokens.access_token,
                                           raise_on_unexpected_status=True)

    owed = api("accounts.get_account_summary").sync(number, client=client)
    assert owed.amount_due_cents > 0 and owed.last_payment is None
    card = api("payments.add_payment_method").sync(number, client=client, body=(
        m.PaymentMethodRequest(type_=m.PaymentMethodRequestType.CARD,
                               card_number="4242424242424242", exp_month=12, exp_year=2031,
                               cvc="123", name="Ana Lima", postal_code="60611")))
    assert isinstance(card, m.PaymentMethod) and card.last4 == "4242", card
    paid = api("payments.create_payment").sync(number, client=client, body=m.PaymentRequest(
        amount_cents=owed.amount_due_cents, payment_method_id=card.id),
        idempotency_key=str(uuid.uuid4()))
    assert isinstance(paid, m.Payment) and paid.status == "succeeded", paid

    def paid_off():
        """billing heard of the payment"""
        summary = api("accounts.get_account_summary").sync(number, client=client)
        return summary if summary.last_payment else None
    summary = eventually(paid_off)
    assert isinstance(summary, m.AccountSummary)
    assert summary.last_payment.amount_cents == owed.amount_due_cents
    # typed as the document says (not == 0: another test's bill run in this shared system may
    # already have billed this account again; paying down is tests/e2e/test_payments.py's)
    assert isinstance(summary.amount_due_cents, int) and isinstance(summary.due_date, date)

    page = api("statements.list_statements").sync(number, client=client)
    [statement] = page.items
    pdf = api("statements.get_statement_pdf").sync(number, statement.invoice_number,
                                                   client=client)
    assert pdf.payload.read().startswith(b"%PDF")
    calls = api("statements.get_statement_calls_csv").sync(number, statement.invoice_number,
                                                          client=client)
    assert calls.payload.read().startswith(b"date,time,from,to,type,duration_seconds,charge")


def test_a_generated_client_lists_the_services_and_disputes_a_line(system, generated):
    opened = open_account(system)
    number = opened["account_number"]
    run = system.staff().post(system.url("/internal/v1/bill-runs"), timeout=60, json={
        "statement_date": "2026-10-15", "account_numbers": [number]})
    assert run.status_code == 200, run.text
    m, tag = models(), uuid.uuid4().hex[:8]
    anonymous = generated.Client(base_url=system.base_url, raise_on_unexpected_status=True)
    assert isinstance(api("auth.sign_up").sync(client=anonymous, body=m.SignupRequest(
        account_number=number, security_key=opened["security_key"], username=f"mobile.{tag}",
        password=PASSWORD, email=f"mobile-{tag}@harbor.example", first_name="Ana",
        last_name="Lima")), m.SignedUp)
    tokens = api("auth.sign_in").sync(client=anonymous, body=m.LoginRequest(
        username=f"mobile.{tag}", password=PASSWORD))
    client = generated.AuthenticatedClient(base_url=system.base_url, token=tokens.access_token,
                                           raise_on_unexpected_status=True)

    services = api("account_services.list_account_services").sync(number, client=client)
    assert isinstance(services, m.AccountServices), services
    assert services.items and all(isinstance(i, m.AccountServiceItem) for i in services.items)
    assert services.monthly_cents == sum(i.quantity * i.monthly_cents for i in services.items)
    assert isinstance(services.next_statement_date, date)
    assert all(p.self_service for p in services.self_service_products)

    [statement] = api("statements.list_statements").sync(number, client=client).items
    detail = api("statements.get_statement").sync(number, statement.invoice_number,
                                                  client=client)
    line = max((line for section in detail.sections for line in section.lines),
               key=lambda line: line.amount_cents)
    dispute = api("disputes.open_dispute").sync(
        number, statement.invoice_number, client=client,
        body=m.DisputeRequest(line_id=line.line_id, amount_cents=line.amount_cents,
                              reason="Not ours"))
    assert isinstance(dispute, m.Dispute), dispute
    assert dispute.status == m.DisputeStatus.OPEN and dispute.line_id == line.line_id
    assert dispute.amount_cents == line.amount_cents
    listed = api("disputes.list_disputes").sync(number, client=client)
    assert isinstance(listed, m.DisputePage) and [d.id for d in listed.items] == [dispute.id]
    again = api("disputes.open_dispute").sync_detailed(
        number, statement.invoice_number, client=client,
        body=m.DisputeRequest(line_id=line.line_id, amount_cents=1, reason="again"))
    assert again.status_code == 409 and isinstance(again.parsed, m.Problem), again
