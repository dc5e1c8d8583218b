"""Pages show dates and money as people in the US read them ("Nov 17, 2026", "$1,204.50"),
never the API's ISO text, and a <time datetime> carries a value the HTML standard accepts.
The gateway in-process with a fake service client and a signed-in session."""
import re

from gateway.web.filters import machine_datetime
from tests.support.portal_client import SUMMARY, client_for, fake_rpc  # noqa: F401 (fixture)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STATEMENT = {"invoice_number": "INV-7", "statement_date": "2026-10-27", "due_date": "2026-11-17",
             "previous_balance_cents": 0, "payments_cents": 0, "adjustments_cents": 0,
             "new_charges_cents": 120450, "amount_due_cents": 120450, "status": "open"}


def visible_dates(html):
    """ISO dates a person would read: outside attributes (hrefs, datetime=)."""
    return ISO_DATE.findall(re.sub(r'="[^"]*"', "", html))


def test_the_dashboard_and_billing_history_read_dates_and_money_the_us_way(client_for):
    rpc = fake_rpc({
        ("billing", "get_account_summary"): {
            **SUMMARY, "amount_due_cents": 120450, "due_date": "2026-11-17",
            "invoice_number": "INV-7",
            "last_payment": {"amount_cents": 5000, "paid_at": "2026-10-02T15:04:05.123456+00:00"}},
        ("billing", "list_statements"): {"items": [STATEMENT], "next_cursor": None},
        ("billing", "get_activity"): {"items": [
            {"date": "2026-10-27", "kind": "charge", "description": "Charges", "amount_cents":
             120450, "balance_cents": 120450}]},
    })
    client = client_for(rpc)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "$1,204.50" in dashboard and "Nov 17, 2026" in dashboard
    assert "$50.00 on Oct 2, 2026" in dashboard and "Oct 2026" in dashboard
    history = client.get("/billing").get_data(as_text=True)
    assert "Oct 27, 2026" in history and "Nov 17, 2026" in history
    assert visible_dates(dashboard) == [] and visible_dates(history) == []


def test_a_machine_time_is_whole_seconds_in_utc():
    assert machine_datetime("2026-12-02T03:24:09.534691+00:00") == "2026-12-02T03:24:09+00:00"
    assert machine_datetime("2026-12-02T05:00:00+02:00") == "2026-12-02T03:00:00+00:00"
    assert machine_datetime("2026-12-02T03:24:09") == "2026-12-02T03:24:09+00:00"
