"""billing's statement PDF over its render budget (issue 11, point 1), in a container on a
real broker and database: the RPC answers Unavailable (503 at the gateway) for that statement,
logged, and billing goes on serving; with the budget back, the same statement renders."""
import base64

import pytest

from services.billing import pdf_sandbox
from services.contracts.errors import Unavailable
from tests.support.billing_accounts import billing  # noqa: F401 (fixture)
from tests.support.containers import hook

assert billing  # the fixture, used by name


def test_a_pdf_over_its_budget_is_unavailable_alone_and_billing_keeps_serving(billing,
                                                                              monkeypatch,
                                                                              caplog):
    container, number = billing
    hook(container, "issue_statements", {"statement_date": "2026-11-01"})
    invoice = hook(container, "list_statements", number)["items"][0]["invoice_number"]
    monkeypatch.setattr(pdf_sandbox, "DEFAULT", pdf_sandbox.Budget(wall_seconds=0.001))
    with pytest.raises(Unavailable, match="cannot be made right now"):
        hook(container, "get_statement_pdf", number, invoice)
    assert f"statement {invoice} PDF not rendered" in caplog.text
    assert hook(container, "get_account_summary", number)["invoice_number"] == invoice
    monkeypatch.undo()
    document = base64.b64decode(hook(container, "get_statement_pdf", number, invoice))
    assert document.startswith(b"%PDF")
