"""The statement PDF's "Why your bill changed" (billing/pdf_changes.py), read back with
pypdf: each reason in plain language after the charges; the first statement says it has no
earlier one; a quoted credit reason with markup is shown as text."""
import copy
import io

import pypdf

from services.billing import pdf
from tests.support.statement_detail import DETAIL

CHANGES = {"previous_invoice_number": "26100110000042", "previous_total_cents": 11925,
           "total_cents": 12345, "change_cents": 420, "reasons": [
               {"kind": "usage", "section": "voice", "change_cents": 420,
                "description": "3 more international calls: +$4.20"}]}


def read(document):
    reader = pypdf.PdfReader(io.BytesIO(document))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_no_link_or_image(reader):
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert "/URI" not in (annotation.get_object().get("/A") or {})
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]


def _with(changes):
    detail = copy.deepcopy(DETAIL)
    detail["changes"] = changes
    return detail


def test_the_reasons_follow_the_charges_in_plain_language():
    _, shown = read(pdf.render(_with(CHANGES)))
    assert "Why your bill changed" in shown
    assert ("This statement charged $123.45, against $119.25 on statement 26100110000042: "
            "+$4.20.") in shown
    assert "3 more international calls: +$4.20" in shown
    assert shown.index("Why your bill changed") > shown.index("Account summary")


def test_the_first_statement_has_nothing_to_compare_with():
    first = {"previous_invoice_number": None, "previous_total_cents": None,
             "total_cents": 12345, "change_cents": 0, "reasons": []}
    _, shown = read(pdf.render(_with(first)))
    assert "This is the account's first statement" in shown


def test_a_credit_reason_with_markup_is_text():
    hostile = copy.deepcopy(CHANGES)
    hostile["reasons"][0]["description"] = 'Credits (<img src="/etc/passwd"/> <b>x): -$1.00'
    reader, shown = read(pdf.render(_with(hostile)))
    assert_no_link_or_image(reader)
    assert '<img src="/etc/passwd"/> <b>x' in shown
