"""The security key a new customer needs to sign up is printed at the top of every statement,
next to the account number (issue 12, part 1), on the real system: staff open an account and
bill it; the paper bill in the print batch carries the key; the customer signs up with the key
read from it (pypdf) and finds it on the statement PDF downloaded from the portal. Staff
reissue the key: the old one is refused at sign-up with the generic 422, and the next statement
prints the new one."""
import io
import re
import uuid

import pypdf
import requests

from tests.support.auth_helpers import PASSWORD, bearer, mails_to, open_account, text_of
from tests.support.api_client import bill
from tests.support.system import eventually

TOP = re.compile(r"Account number\s+(\d{16})\s+Security key\s+([A-Z0-9]{8})")


def printed_key(document, account_number):
    """The key printed next to ``account_number`` at the top of the statement's first page."""
    text = pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text()
    found = TOP.search(text)
    assert found, text[:400]
    assert found.group(1) == account_number
    return found.group(2)


def paper_bill(system, number, statement_date):
    """The print batch's PDF of that account's statement (what the customer gets by mail)."""
    folder = system.data_dir / "print-batch" / statement_date

    def find():
        for path in sorted(folder.glob("*.pdf")) if folder.exists() else ():
            text = pypdf.PdfReader(str(path)).pages[0].extract_text()
            if number in text:
                return path.read_bytes()
        return None
    return eventually(find, timeout=40)


def signup(system, number, key, tag=None):
    tag = tag or uuid.uuid4().hex[:8]
    return requests.post(system.url("/api/v1/signup"), json={
        "account_number": number, "security_key": key, "username": f"key.{tag}",
        "password": PASSWORD, "email": f"key-{tag}@harbor.example", "first_name": "Rosa",
        "last_name": "Diaz"}, timeout=10)


def latest_pdf(system, customer, number):
    items = customer.get(system.url(f"/api/v1/accounts/{number}/statements"),
                         timeout=10).json()["items"]
    response = customer.get(system.url(
        f"/api/v1/accounts/{number}/statements/{items[0]['invoice_number']}/pdf"), timeout=30)
    assert response.status_code == 200, response.text[:300]
    return response.content


def test_a_new_customer_signs_up_with_the_key_printed_on_its_statement(system):
    opened = open_account(system)
    number = opened["account_number"]
    bill(system, number, "2026-09-15")
    key = printed_key(paper_bill(system, number, "2026-09-15"), number)
    assert key == opened["security_key"]
    tag = uuid.uuid4().hex[:8]
    signed_up = signup(system, number, key, tag)
    assert signed_up.status_code == 201, signed_up.text
    customer = bearer(system, f"key.{tag}")
    assert printed_key(latest_pdf(system, customer, number), number) == key
    summary = customer.get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10)
    assert summary.status_code == 200
    assert key not in summary.text


def test_a_reissued_key_replaces_the_old_one_at_sign_up_and_on_the_next_statement(system):
    opened = open_account(system)
    number, old = opened["account_number"], opened["security_key"]
    tag = uuid.uuid4().hex[:8]
    assert signup(system, number, old, tag).status_code == 201
    customer = bearer(system, f"key.{tag}")
    bill(system, number, "2026-09-15")
    assert printed_key(latest_pdf(system, customer, number), number) == old

    staff = system.staff()
    reissued = staff.post(system.url(f"/internal/v1/accounts/{number}/security-key"),
                          timeout=10)
    assert reissued.status_code == 200, reissued.text
    assert set(reissued.json()) == {"account_number", "security_key"}
    new = reissued.json()["security_key"]
    assert reissued.json()["account_number"] == number and new != old

    refused = signup(system, number, old)
    assert refused.status_code == 422, refused.text
    assert old not in refused.text and new not in refused.text
    # the new key matches: the sign-up gets as far as the account's existing online ID
    assert signup(system, number, new).status_code == 409
    bill(system, number, "2026-10-15")
    assert printed_key(latest_pdf(system, customer, number), number) == new
    assert printed_key(paper_bill(system, number, "2026-10-15"), number) == new

    unknown = staff.post(system.url("/internal/v1/accounts/4000000000000002/security-key"),
                         timeout=10)
    assert unknown.status_code == 404
    anonymous = requests.post(system.url(f"/internal/v1/accounts/{number}/security-key"),
                              timeout=10)
    assert anonymous.status_code == 401


def test_the_welcome_mail_says_the_key_is_at_the_top_of_every_invoice(system):
    opened = open_account(system)
    address = f"ap-{opened['company_name'].split()[-1]}@harbor.example"
    mail = eventually(lambda: mails_to(system, address), timeout=30)
    text = " ".join(text_of(mail[0]).split())
    assert "printed at the top of every invoice" in text, text
    assert opened["security_key"] not in text
