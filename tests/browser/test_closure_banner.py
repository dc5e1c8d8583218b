"""The closure banner in Chromium against the real system (issue 15): a customer whose account
staff closed sees on the dashboard, at phone width, when it was closed, a link to the final
statement and what is left to pay; the final statement's page says so too, and paying the
rest on /pay works. No blocking axe violation, no Nu Html Checker error, no console error."""
import uuid

from tests.browser.checkers import axe_violations, blocking, vnu_errors
from tests.support.auth_helpers import new_user
from tests.support.portal_api import bill
from tests.support.portal_browser import add_card, sign_in
from tests.support.system import eventually


def test_a_closed_accounts_customer_sees_the_banner_the_final_statement_and_pays_the_rest(
        phone_page, system):
    user = new_user(system)
    number = user["account_number"]
    bill(system, number, "2026-11-15")
    closed = system.staff().post(system.url(f"/internal/v1/accounts/{number}/closure"),
                                 json={"effective_date": "2026-11-30", "reason": "Moving"},
                                 headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30)
    assert closed.status_code == 201, closed.text
    closure = closed.json()
    assert closure["amount_due_cents"] > 0
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    banner = p.locator("#closure-banner")
    assert banner.is_visible()
    words = banner.inner_text()
    assert "closed on Nov 30, 2026" in words
    assert p.locator("#amount-due").inner_text() in words
    assert "until May 30, 2028" in words
    assert blocking(axe_violations(p)) == []
    sent = p.context.request.get(system.url("/dashboard")).text()  # as the server sent it
    assert "closure-banner" in sent and vnu_errors({"dashboard": sent}) == {}
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    banner.locator("#final-statement-link").click()
    p.wait_for_load_state()
    assert p.locator("h1").first.inner_text() == \
        f"Final statement {closure['final_invoice_number']}"
    assert p.locator("#closure-banner").is_visible()
    assert "Business Voice line: credit, unused Nov 30, 2026" in p.locator(
        "#section-voice").inner_text()

    p.goto("/dashboard")
    p.locator("#closure-banner").get_by_role("link", name="Pay what is left").click()
    p.wait_for_load_state()
    add_card(p, "4242 4242 4242 4242")
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()
    assert "payment received" in p.locator("h1").inner_text()

    def paid_up():
        """the banner says nothing is left to pay"""
        p.goto("/dashboard")
        return "Nothing is left to pay" in p.locator("#closure-left").inner_text()
    eventually(paid_up)
    assert phone_page.console_errors == []
