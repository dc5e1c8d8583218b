"""What a customer types is text on their statement, never markup (issue 11, point 1): an
account admin sets the company name and billing address to ReportLab tags through the API;
the statement PDF they download, and the paper bill in the print batch, show those tags as
literal text, embed no file of the billing host, carry no link, and the print-batch event is
not parked. Read with pypdf, on the real system."""
import io

import pypdf

from tests.support.auth_helpers import bearer, new_user
from tests.support.api_client import bill
from tests.support.system import eventually

HOSTILE = {
    "company_name": 'Evil <img src="/etc/passwd" width="90" height="90"/> Co',
    "contact_name": "<para><b>Mallory</b></para>",
    "billing_address": {"line1": '<a href="https://evil.example/pay">Pay here</a> 1 Main St',
                        "line2": '<font size="90">&amp; Sons</font> <b',
                        "city": "<br/>Springfield", "state": "IL", "postal_code": "60611"},
}
SHOWN = [HOSTILE["company_name"], HOSTILE["billing_address"]["line1"],
         HOSTILE["billing_address"]["line2"], HOSTILE["billing_address"]["city"]]


def words(text):
    return " ".join(text.split())


def assert_plain_text_statement(document):
    """The literal markup is the text; no link, no image, nothing of /etc/passwd."""
    reader = pypdf.PdfReader(io.BytesIO(document))
    text = words(" ".join(page.extract_text() for page in reader.pages))
    for value in SHOWN:
        assert words(value) in text, (value, text[:800])
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "/URI" not in action, annotation.get_object()
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        images = [name for name, ref in xobjects.items()
                  if ref.get_object().get("/Subtype") == "/Image"]
        assert images == []
    assert b"/URI" not in document and b"root:x:0:0" not in document
    assert "root:" not in text


def hostile_account(system):
    owner = new_user(system)
    admin = bearer(system, owner["username"])
    number = owner["account_number"]
    changed = admin.patch(system.url(f"/api/v1/accounts/{number}/profile"), json=HOSTILE,
                          timeout=10)
    assert changed.status_code == 200, changed.text
    assert changed.json()["company_name"] == HOSTILE["company_name"]
    return number, admin


def test_markup_in_the_company_name_and_address_is_plain_text_in_the_statement_pdf(system):
    number, admin = hostile_account(system)
    bill(system, number, "2026-11-15")
    invoice = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    response = admin.get(system.url(f"/api/v1/accounts/{number}/statements/{invoice}/pdf"),
                         timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert_plain_text_statement(response.content)


def test_a_paper_account_with_a_hostile_name_still_gets_its_paper_bill(system):
    number, admin = hostile_account(system)
    delivery = admin.get(system.url(f"/api/v1/accounts/{number}/invoice-delivery"), timeout=10)
    assert delivery.json()["method"] == "paper"
    statement_date = "2026-11-17"
    bill(system, number, statement_date)
    invoice = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    batch = system.data_dir / "print-batch" / statement_date / f"{invoice}.pdf"
    eventually(batch.exists, timeout=40)
    assert_plain_text_statement(batch.read_bytes())
    # the statement_issued event of this invoice was handled, not parked in billing
    found = [item for item in _billing_dead_letters(system)
             if (item.get("body") or {}).get("data", {}).get("invoice_number") == invoice]
    assert found == []


def _billing_dead_letters(system):
    items, cursor = [], None
    while True:
        params = {"limit": 100, "service": "billing", **({"cursor": cursor} if cursor else {})}
        page = system.staff().get(system.url("/internal/v1/dead-letters"), params=params,
                                  timeout=15).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items

