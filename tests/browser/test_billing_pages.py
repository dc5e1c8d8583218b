"""The billing pages in Chromium against the real system: the dashboard (amount due, due date,
invoice number, chart), the history, a statement's fee detail with its calls, the CSV export
and the PDF; another company's user gets a 404 page; all usable at phone width."""
import csv
import io

from tests.support.auth_helpers import new_user
from tests.support.api_client import bill, calls
from tests.support.portal_browser import sign_in


def customer_with_a_statement(system):
    user = new_user(system)
    number = user["account_number"]
    loaded = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                 json={"calls": calls(12)}, timeout=30)
    assert loaded.status_code == 202, loaded.text
    for day in ("2026-09-27", "2026-10-27"):
        bill(system, number, day)
    return user


def test_the_dashboard_history_and_statement_detail_show_the_bill(page, system):
    user = customer_with_a_statement(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    assert p.locator("#account-number").inner_text() == user["account_number"]
    assert p.locator("#amount-due").inner_text().startswith("$")
    assert p.locator("#amount-due").inner_text() != "$0.00"
    assert p.locator("#due-date").inner_text() == "Nov 17, 2026"
    invoice = p.locator("#invoice-number").inner_text()
    assert p.locator("#statement-chart rect").count() == 2

    p.get_by_role("link", name="Billing history").click()
    p.wait_for_load_state()
    assert p.locator("#statements tbody tr").count() == 2
    assert p.locator("#activity tbody tr").count() == 2

    p.get_by_role("link", name=invoice).click()
    p.wait_for_load_state()
    assert invoice in p.locator("h1").inner_text()
    assert p.locator("#section-voice").is_visible()
    assert p.locator("#calls tbody tr").count() == 12
    assert p.locator("#section-taxes").get_by_text("911 service fee").is_visible()

    with p.expect_download() as download:
        p.get_by_role("link", name="Export call history to CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert rows[0] == ["date", "time", "from", "to", "type", "duration_seconds", "charge"]
    assert len(rows) == 13

    pdf = p.request.get(p.locator("#pdf-link").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert page.console_errors == []


def test_another_companys_user_gets_a_404_page_for_that_statement(page, system):
    owner = customer_with_a_statement(system)
    stranger = new_user(system)
    p = page.page
    sign_in(p, owner["username"])
    p.goto("/dashboard")
    invoice = p.locator("#invoice-number").inner_text()
    p.context.clear_cookies()
    sign_in(p, stranger["username"])
    for path in (f"/billing/{invoice}", f"/billing/{invoice}/calls.csv",
                 f"/billing/{invoice}/statement.pdf"):
        response = p.request.get(path)
        assert response.status == 404, path
    p.goto(f"/billing/{invoice}")
    assert invoice not in p.content()


def test_the_statement_page_fits_a_phone_screen(phone_page, system):
    user = customer_with_a_statement(system)
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    invoice = p.locator("#invoice-number").inner_text()
    for path in ("/dashboard", "/billing", f"/billing/{invoice}"):
        p.goto(path)
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    assert phone_page.console_errors == []
