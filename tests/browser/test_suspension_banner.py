"""The suspension banner in Chromium against the real system (issue 15, dunning): a customer
whose account a staff collections run suspended sees on the dashboard, at phone width, that it
is suspended, what to pay and where; paying it on /pay restores the account at once and the
banner goes. The page has no blocking axe violation, no Nu Html Checker error and no console
error."""
from tests.support.auth_helpers import new_user
from tests.support.api_client import bill
from tests.support.portal_browser import add_card, sign_in
from tests.support.system import eventually
from tests.browser.checkers import axe_violations, blocking, vnu_errors


def test_a_suspended_customer_sees_the_banner_pays_and_it_goes(phone_page, system):
    user = new_user(system)
    number = user["account_number"]
    bill(system, number, "2026-09-15")  # due 2026-10-06
    run = system.staff().post(system.url("/internal/v1/collection-runs"), json={
        "run_date": "2026-11-05", "account_numbers": [number]}, timeout=60)
    assert run.status_code == 200 and run.json()["suspended"] == 1, run.text
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    banner = p.locator("#suspension-banner")
    assert banner.is_visible()
    assert "suspended for non-payment" in banner.inner_text()
    owed = p.locator("#amount-due").inner_text()
    assert owed != "$0.00" and owed in banner.inner_text()
    assert blocking(axe_violations(p)) == []
    sent = p.context.request.get(system.url("/dashboard")).text()  # as the server sent it
    assert "suspension-banner" in sent and vnu_errors({"dashboard": sent}) == {}
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    banner.get_by_role("link", name="Pay the past-due amount").click()
    p.wait_for_load_state()
    add_card(p, "4242 4242 4242 4242")
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()
    assert "payment received" in p.locator("h1").inner_text()

    def restored():
        """the dashboard no longer shows the banner"""
        p.goto("/dashboard")
        return p.locator("#suspension-banner").count() == 0
    eventually(restored)
    assert phone_page.console_errors == []
