"""The billing portal pages with services replaced by a table-driven fake client and a
signed-in session cookie: a new account with no statement yet, a credit balance, money shown
as dollars, and an unknown invoice as a 404 page."""
from gateway.web.billing_pages import chart
from services.contracts.money import usd
from services.contracts.errors import NotFound
from tests.support.portal_client import client_for, fake_rpc  # noqa: F401 (client_for: fixture)


def test_a_new_account_without_statements_gets_a_friendly_dashboard_and_history(client_for):
    client = client_for(fake_rpc())
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Bluebird Bakery" in dashboard and "$0.00" in dashboard
    assert "No statement yet" in dashboard and "Your first statement will appear here." in dashboard
    history = client.get("/billing").get_data(as_text=True)
    assert "No statements yet." in history and "No activity yet." in history


def test_an_unknown_invoice_is_a_404_page(client_for):
    rpc = fake_rpc({("billing", "get_statement"): NotFound("No statement has that number.")})
    response = client_for(rpc).get("/billing/999", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.content_type.startswith("text/html")


def test_money_shows_as_dollars_with_thousands_and_credits():
    assert usd(123456) == "$1,234.56" and usd(-2500) == "-$25.00" and usd(None) == "—"


def test_the_chart_runs_oldest_to_newest_and_scales_to_the_largest_bill():
    bars = chart([{"statement_date": "2026-11-01", "amount_due_cents": 5000},
                  {"statement_date": "2026-10-01", "amount_due_cents": 10000},
                  {"statement_date": "2026-09-01", "amount_due_cents": -300}])
    assert [b["label"] for b in bars] == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert [b["height"] for b in bars] == [0, 160, 80]


def test_a_suspended_account_s_dashboard_says_so_and_what_to_pay_an_active_one_does_not(
        client_for):
    from tests.support.portal_client import SUMMARY
    suspended = dict(SUMMARY, status="suspended", amount_due_cents=48250, past_due_cents=48250)
    page = client_for(fake_rpc({("billing", "get_account_summary"): suspended})).get(
        "/dashboard").get_data(as_text=True)
    assert 'id="suspension-banner"' in page and "suspended for non-payment" in page
    assert "past-due amount of <strong>$482.50</strong>" in page and 'href="/pay"' in page
    for status in ("active", None):
        page = client_for(fake_rpc({("billing", "get_account_summary"): dict(
            SUMMARY, status=status)})).get("/dashboard").get_data(as_text=True)
        assert "suspension-banner" not in page
