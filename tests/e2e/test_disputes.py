"""Disputes end to end through the gateway, on the real services, broker and PostgreSQL: a
billing user disputes a statement line, the account's disputes and the staff list show it,
staff resolve it once (credited through the credit path, or rejected), the customer gets a
message and a mail either way, the audit trail has it all; and the attacks: a viewer, another
account's invoice or line, bad amounts, hostile text in the mail, the page and the PDF, a
second resolution."""
import io
import uuid

import pypdf
import requests

from tests.support.auth_helpers import bearer, invite_and_accept, mails_to, text_of
from tests.support.disputes import billed, lines_of, open_dispute, resolve
from tests.support.api_client import bill, key, overview
from tests.support.system import eventually

HOSTILE = '<img src="/etc/passwd" onerror="alert(1)"/> <a href="https://evil.example">x</a>'


def html_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    return ""


def test_a_billing_user_disputes_a_line_and_staff_credit_it_once(system):
    owner, number, admin, statement = billed(system)
    invoice = statement["invoice_number"]
    _, billing_name, billing_id = invite_and_accept(system, admin, number, "billing")
    payer = bearer(system, billing_name)
    line = max(lines_of(payer, system, number, invoice), key=lambda l: l["amount_cents"])
    opened = open_dispute(payer, system, number, invoice, {
        "line_id": line["line_id"], "amount_cents": line["amount_cents"], "reason": HOSTILE})
    assert opened.status_code == 201, opened.text
    dispute = opened.json()
    assert dispute["status"] == "open" and dispute["reason"] == HOSTILE
    assert admin.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                     timeout=10).json()["items"] == [dispute]
    staff_list = system.staff().get(system.url("/internal/v1/disputes"),
                                    params={"status": "open", "limit": 100}, timeout=10).json()
    assert dispute["id"] in [d["id"] for d in staff_list["items"]]
    assert [d["id"] for d in overview(system, number)["open_disputes"]] == [dispute["id"]]
    again = open_dispute(admin, system, number, invoice, {
        "line_id": line["line_id"], "amount_cents": 1, "reason": "again"})
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"

    too_much = resolve(system, dispute["id"], {"outcome": "credited",
                                               "amount_cents": line["amount_cents"] + 1,
                                               "note": "n"})
    assert too_much.status_code == 422
    note = "We checked: <b>credited</b> & sorry"
    done = resolve(system, dispute["id"], {"outcome": "credited", "note": note})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "credited"
    assert done.json()["credited_cents"] == line["amount_cents"]
    for body in ({"outcome": "credited", "note": "twice"}, {"outcome": "rejected", "note": "x"}):
        twice = resolve(system, dispute["id"], body)
        assert twice.status_code == 409, twice.text
    activity = admin.get(system.url(f"/api/v1/accounts/{number}/activity"),
                         timeout=10).json()["items"]
    credits = [e for e in activity if e["kind"] == "credit"]
    assert [e["amount_cents"] for e in credits] == [-line["amount_cents"]]  # once

    def mailed():
        """the account's admin got the answer by mail"""
        return [m for m in mails_to(system, owner["email"]) if "dispute" in m["Subject"]]
    [mail] = eventually(mailed, timeout=20)
    html = html_of(mail)
    assert "&lt;img src=" in html and '<img src="/etc/passwd"' not in html
    assert "&lt;b&gt;credited&lt;/b&gt; &amp; sorry" in html
    assert HOSTILE in text_of(mail) and HOSTILE not in mail["Subject"]

    def in_centre():
        """the message centre lists it for the billing user who opened it"""
        items = payer.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
        return [i for i in items if "dispute" in i["subject"]]
    assert eventually(in_centre)

    def audited():
        trail = admin.get(system.url(f"/api/v1/accounts/{number}/audit"),
                          timeout=10).json()["items"]
        actions = {i["action"]: i for i in trail}
        return actions if {"dispute opened", "dispute resolved", "credit issued"} <= set(
            actions) else None
    actions = eventually(audited)
    assert actions["dispute opened"]["actor_user_id"] == billing_id

    # the credit is on the next statement, its description printed as text in the PDF
    bill(system, number, "2026-11-15")
    newest = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                       timeout=10).json()["items"][0]
    assert newest["adjustments_cents"] == -line["amount_cents"]


def test_a_rejected_dispute_is_told_too_and_holds_nothing_back_any_more(system):
    owner, number, admin, statement = billed(system)
    invoice = statement["invoice_number"]
    line = lines_of(admin, system, number, invoice)[0]
    dispute = open_dispute(admin, system, number, invoice, {
        "line_id": line["line_id"], "amount_cents": 100, "reason": "Not ours"}).json()
    done = resolve(system, dispute["id"], {"outcome": "rejected", "note": "Billed right"})
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert done.json()["credited_cents"] is None
    assert eventually(lambda: [m for m in mails_to(system, owner["email"])
                               if "no credit" in m["Subject"]], timeout=20)
    assert not [e for e in admin.get(system.url(f"/api/v1/accounts/{number}/activity"),
                                     timeout=10).json()["items"] if e["kind"] == "credit"]


def test_who_may_dispute_what_and_every_refusal_is_a_problem_document(system):
    owner, number, admin, statement = billed(system)
    invoice = statement["invoice_number"]
    stranger, their_number, their_admin, theirs = billed(system)
    line = lines_of(admin, system, number, invoice)[0]
    their_line = lines_of(their_admin, system, their_number, theirs["invoice_number"])[0]
    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = bearer(system, viewer_name)
    ok = {"line_id": line["line_id"], "amount_cents": 100, "reason": "why"}
    cases = [
        (viewer, number, invoice, ok, 403),
        (their_admin, number, invoice, ok, 404),                      # not their account
        (admin, number, theirs["invoice_number"], ok, 404),           # another's invoice
        (admin, number, invoice, {**ok, "line_id": their_line["line_id"]}, 404),
        (admin, number, invoice, {**ok, "amount_cents": -100}, 400),
        (admin, number, invoice, {**ok, "amount_cents": 0}, 400),
        (admin, number, invoice, {**ok, "amount_cents": 10 ** 20}, 400),
        (admin, number, invoice, {**ok, "amount_cents": line["amount_cents"] + 1}, 422),
        (admin, number, invoice, {**ok, "reason": "a\u202eb"}, 400),
        (admin, number, invoice, {**ok, "line_id": "1 OR 1=1"}, 400),
    ]
    for session, account, inv, body, status in cases:
        response = open_dispute(session, system, account, inv, body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"
    assert admin.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                     timeout=10).json()["items"] == []
    assert viewer.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                      timeout=10).status_code == 200
    assert their_admin.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                           timeout=10).status_code == 404
    # staff only, and resolving what does not exist or with a bad body changes nothing
    assert admin.get(system.url("/internal/v1/disputes"), timeout=10).status_code == 403
    assert requests.get(system.url("/internal/v1/disputes"), timeout=10).status_code == 401
    assert resolve(system, str(uuid.uuid4()), {"outcome": "rejected", "note": "n"}
                   ).status_code == 404
    assert system.staff().get(system.url("/internal/v1/disputes"), params={"status": "shut"},
                              timeout=10).status_code == 400
    dispute = open_dispute(admin, system, number, invoice, ok).json()
    for body in ({"outcome": "rejected", "amount_cents": 5, "note": "n"},
                 {"outcome": "credited"}, {"outcome": "credited", "amount_cents": -1,
                                           "note": "n"}):
        assert resolve(system, dispute["id"], body).status_code == 400
    assert admin.get(system.url(f"/api/v1/accounts/{number}/disputes"),
                     timeout=10).json()["items"][0]["status"] == "open"


def test_a_staff_credits_hostile_reason_is_plain_text_in_the_statement_pdf(system):
    owner, number, admin, statement = billed(system)
    made = system.staff().post(system.url(f"/internal/v1/accounts/{number}/credits"), json={
        "amount_cents": 250, "reason": '<img src="/etc/passwd"/> <font size="90">big</font>'},
        headers=key(), timeout=10)
    assert made.status_code == 201, made.text
    bill(system, number, "2026-11-15")
    newest = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                       timeout=10).json()["items"][0]
    pdf = admin.get(system.url(
        f"/api/v1/accounts/{number}/statements/{newest['invoice_number']}/pdf"), timeout=30)
    assert pdf.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert '<img src="/etc/passwd"/> <font size="90">big</font>' in text, text[:1500]
    assert b"root:x:0:0" not in pdf.content
