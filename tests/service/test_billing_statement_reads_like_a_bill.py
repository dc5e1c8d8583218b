"""The statement PDF reads like a bill (issue 12, point 2), checked the way a printer and a
reader would see it: billing in a container on a real broker and database issues a real
statement; its PDF (the on-demand one and the print batch's) is rasterised with poppler's
pdftoppm, its text laid out with pdftotext -layout, its structure checked with qpdf --check and
its metadata read with pdfinfo. The remittance address comes from billing's config."""
import base64
import re
import subprocess

import pytest
from nameko.testing.services import entrypoint_waiter
from PIL import Image

from services.billing.service import BillingService
from services.contracts.money import us_date, usd
from tests.support.billing_accounts import REQUEST, calls
from tests.support.containers import hook

PAYEE = "Northwind Telecom Receivables"
ADDRESS = "PO Box 4410, Carol Stream, IL 60197-4410"
OPEN = {**REQUEST, "bill_cycle_day": 1, "billing_address": {
    "line1": "10 Pier Road", "line2": "Suite 1200", "city": "New York", "state": "NY",
    "postal_code": "10004"},
    "services": [{"code": "FIBER-2G", "quantity": 1}, {"code": "VOICE-UNLTD", "quantity": 12},
                 {"code": "TV-PREMIER", "quantity": 1}, {"code": "STATIC-IP-5", "quantity": 1}]}


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, (command, result.stderr)
    return result.stdout


@pytest.fixture
def bill(start_service, tmp_path):
    """A paper account billed once: its number and key, the statement detail, the on-demand
    PDF's path and the print batch's."""
    container = start_service(BillingService, REMIT_PAYEE=PAYEE, REMIT_ADDRESS=ADDRESS)
    opened = hook(container, "open_account", OPEN)
    number = opened["account_number"]
    hook(container, "load_usage", number, {"calls": calls(30)})
    with entrypoint_waiter(container, "on_statement_issued"):
        hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    invoice = hook(container, "list_statements", number)["items"][0]["invoice_number"]
    path = tmp_path / "statement.pdf"
    path.write_bytes(base64.b64decode(hook(container, "get_statement_pdf", number, invoice)))
    return {"number": number, "key": opened["security_key"], "path": path,
            "detail": hook(container, "get_statement", number, invoice),
            "batch": tmp_path / "print-batch" / "2026-11-01" / f"{invoice}.pdf"}


def pages_of(path):
    return int(re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", str(path)), re.MULTILINE).group(1))


def page_text(path, page):
    return run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-")


def test_the_statement_and_its_paper_copy_pass_qpdf_and_render_every_page(bill, tmp_path):
    for document in (bill["path"], bill["batch"]):
        assert "No syntax or stream encoding errors" in run("qpdf", "--check", str(document))
    run("pdftoppm", "-png", "-r", "40", str(bill["path"]), str(tmp_path / "page"))
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages_of(bill["path"]) >= 1
    for image in images:
        grey = Image.open(image).convert("L")
        inked = sum(1 for value in grey.getdata() if value < 200) / (grey.width * grey.height)
        assert 0.005 < inked < 0.5, (image.name, inked)  # printed on, not blank nor black


def test_page_one_reads_letterhead_customer_account_block_amount_due_then_the_stub(bill):
    detail, text = bill["detail"], page_text(bill["path"], 1)
    # the addressee's lines run beside the account block, which starts level with its name
    parts = ["BizPortal Business Services", "Northwind Logistics", "Account number",
             "Attn: Ana Ruiz", "10 Pier Road", "Suite 1200", "New York, NY 10004",
             "Amount due ", "Account summary",
             "Please detach and return this portion with your payment",
             f"Make checks payable to {PAYEE}", f"Mail to {ADDRESS}", "Amount enclosed"]
    where = [text.find(part) for part in parts]
    assert -1 not in where and where == sorted(where), list(zip(parts, where))
    # the account number with the security key beside it, as a new customer needs them
    assert re.search(rf"Account number\s+{bill['number']}\s*\n.*Security key\s+{bill['key']}",
                     text), text
    assert text.count(bill["key"]) == 1  # at the top only: the stub goes in the mail
    assert re.search(rf"Invoice number\s+{detail['invoice_number']}", text)
    assert re.search(r"Statement date\s+Nov 1, 2026", text)
    assert re.search(r"Service period\s+Oct 1, 2026 to Oct 31, 2026", text)
    amount = usd(detail["amount_due_cents"])
    assert re.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d{2}", amount), amount  # thousands, US form
    assert f"Amount due {amount}" in text and f"Due by {us_date(detail['due_date'])}" in text
    assert us_date(detail["due_date"]) == "Nov 22, 2026"


def test_the_stub_carries_whom_to_pay_the_customer_account_invoice_and_amount(bill):
    text = page_text(bill["path"], 1)
    stub = text[text.index("Please detach and return this portion"):]
    detail = bill["detail"]
    assert "Northwind Logistics" in stub
    for label, value in (("Account number", bill["number"]),
                         ("Invoice number", detail["invoice_number"]),
                         ("Due by", "Nov 22, 2026"),
                         ("Amount due", usd(detail["amount_due_cents"]))):
        assert re.search(rf"{label}\s+{re.escape(value)}", stub), (label, stub)
    assert "Security key" not in stub and bill["key"] not in stub


def test_every_page_is_numbered_and_the_paper_copy_reads_the_same(bill):
    total = pages_of(bill["path"])
    for page in range(1, total + 1):
        assert re.search(rf"Page {page} of {total}\s*$", page_text(bill["path"], page).rstrip())
    whole = run("pdftotext", "-layout", str(bill["path"]), "-")
    assert whole == run("pdftotext", "-layout", str(bill["batch"]), "-")
    assert "Total Voice" in whole and "Business Voice Unlimited line" in whole


def test_the_document_says_what_it_is_and_who_sent_it(bill):
    info = dict(re.findall(r"^(\w+):[ \t]*(.*)$", run("pdfinfo", str(bill["path"])), re.MULTILINE))
    invoice = bill["detail"]["invoice_number"]
    assert info["Title"] == f"Statement {invoice} for Northwind Logistics"
    assert info["Author"] == "BizPortal Business Services"
    assert info["Subject"] == f"Business statement of Nov 1, 2026 for account {bill['number']}"
    assert bill["key"] not in run("pdfinfo", str(bill["path"]))
