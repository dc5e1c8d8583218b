"""Why a bill changed end to end: through the gateway on the real services, broker and
PostgreSQL. The first statement has no reasons; the next one, after more voice lines, more
calls and a credit whose reason is markup, gives a reason of each kind that add up exactly to
the change, to a viewer as to the admin; the statement PDF says the same, the markup as text
(no link, no image); another company's statement is a 404 problem.

The e2e account: cycle day 15, VOICE-LINE ×2 at $29.99, billed in Illinois."""
import base64
import io

import pypdf

from tests.support.auth_helpers import bearer, invite_and_accept, new_user
from tests.support.api_client import bill, key

HOSTILE_REASON = 'Outage <img src="/etc/passwd"/> <a href="https://evil.example">x</a>'


def _calls(n, day):
    return [{"started_at": f"{day}T{8 + i % 10:02d}:{i:02d}:00Z",
             "from_number": "+13125550188", "to_number": "+442071234567",
             "duration_seconds": 120, "call_type": "international"} for i in range(n)]


def _changes(session, system, number, invoice):
    return session.get(system.url(
        f"/api/v1/accounts/{number}/statements/{invoice}/changes"), timeout=10)


def test_the_next_statement_says_why_it_changed_and_the_pdf_says_it_too(system):
    owner = new_user(system)
    number = owner["account_number"]
    staff = system.staff()

    def load(n, day):
        loaded = staff.post(system.url(f"/internal/v1/accounts/{number}/usage"),
                            json={"calls": _calls(n, day)}, timeout=30)
        assert loaded.status_code == 202, loaded.text

    load(2, "2026-09-20")
    bill(system, number, "2026-10-15")
    changed = staff.post(system.url(f"/internal/v1/accounts/{number}/service-changes"),
                         json={"effective_date": "2026-11-15",
                               "changes": [{"code": "VOICE-LINE", "quantity": 3}]}, timeout=10)
    assert changed.status_code == 200, changed.text
    load(5, "2026-10-20")
    credited = staff.post(system.url(f"/internal/v1/accounts/{number}/credits"),
                          json={"amount_cents": 1000, "reason": HOSTILE_REASON},
                          headers=key(), timeout=10)
    assert credited.status_code == 201, credited.text
    bill(system, number, "2026-11-15")

    admin = bearer(system, owner["username"])
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)
    items = viewer.get(system.url(f"/api/v1/accounts/{number}/statements"),
                       timeout=10).json()["items"]
    newest, first = items[0]["invoice_number"], items[1]["invoice_number"]

    none = _changes(viewer, system, number, first)
    assert none.status_code == 200, none.text
    assert none.json()["previous_invoice_number"] is None and none.json()["reasons"] == []

    answer = _changes(viewer, system, number, newest).json()
    assert answer["previous_invoice_number"] == first
    assert sum(r["change_cents"] for r in answer["reasons"]) == answer["change_cents"] != 0
    kinds = {r["kind"] for r in answer["reasons"]}
    assert {"quantity_changed", "usage", "credit", "tax"} <= kinds
    said = [r["description"] for r in answer["reasons"]]
    assert "Business Voice line: 1 more (3 in all): +$29.99" in said
    assert any(d.startswith("3 more international calls: +$") for d in said)
    assert any(HOSTILE_REASON in d for d in said)

    pdf = admin.get(system.url(f"/api/v1/accounts/{number}/statements/{newest}/pdf"), timeout=30)
    assert pdf.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Why your bill changed" in text and "Business Voice line: 1 more (3 in all)" in text
    assert HOSTILE_REASON in text
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert "/URI" not in (annotation.get_object().get("/A") or {})


def test_another_companys_statement_is_a_404_problem(system):
    owner, stranger = new_user(system), new_user(system)
    bill(system, owner["account_number"], "2026-10-15")
    admin = bearer(system, owner["username"])
    invoice = admin.get(system.url(f"/api/v1/accounts/{owner['account_number']}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    other = bearer(system, stranger["username"])
    for number in (owner["account_number"], stranger["account_number"]):
        answer = _changes(other, system, number, invoice)
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("application/problem+json")
