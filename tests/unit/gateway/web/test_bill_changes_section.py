"""A statement page's "Why your bill changed" with billing replaced by a table-driven fake: the
reasons as a list, text with markup escaped (a credit's reason is staff's text), and the first
statement's sentence."""
import copy

from tests.support.portal_client import client_for, fake_rpc  # noqa: F401 (client_for: fixture)
from tests.support.statement_detail import DETAIL

HOSTILE = '<img src=x onerror="alert(1)">'
CHANGES = {"invoice_number": DETAIL["invoice_number"],
           "previous_invoice_number": "26100110000042", "previous_total_cents": 11925,
           "total_cents": 12345, "change_cents": 420, "currency": "USD", "reasons": [
               {"kind": "usage", "section": "voice", "change_cents": 920,
                "description": "3 more international calls: +$9.20"},
               {"kind": "credit", "section": "adjustments", "change_cents": -500,
                "description": f"Credits: $0.00 last time, -$5.00 now (Credit: {HOSTILE}): "
                               "-$5.00"}]}


def _page(client_for, changes):
    detail = copy.deepcopy(DETAIL)
    detail.update(period_start="2026-10-01", period_end="2026-11-01", status="due")
    for section in detail["sections"]:
        section.setdefault("code", section["name"].lower())
        for i, line in enumerate(section["lines"]):
            line.setdefault("line_id", str(i))
    rpc = fake_rpc({("billing", "get_statement"): detail,
                    ("billing", "get_statement_calls"): [],
                    ("billing", "get_statement_changes"): changes})
    response = client_for(rpc).get(f"/billing/{DETAIL['invoice_number']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page[page.index('id="bill-changes"'):page.index("</section>",
                                                           page.index('id="bill-changes"'))]


def test_the_reasons_are_listed_and_markup_in_them_is_text(client_for):
    section = _page(client_for, CHANGES)
    assert "Why your bill changed" in section and "+$4.20" in section
    assert '<li data-kind="usage">3 more international calls: +$9.20</li>' in section
    assert HOSTILE not in section and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in section


def test_the_first_statement_says_there_is_none_before_it(client_for):
    first = {**CHANGES, "previous_invoice_number": None, "previous_total_cents": None,
             "change_cents": 0, "reasons": []}
    section = _page(client_for, first)
    assert "first statement" in section and "<li" not in section
