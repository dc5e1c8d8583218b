"""The /pay page in Chromium against the real system: a customer with a statement due adds a
card, pays, sees the confirmation, and the dashboard's amount due drops to zero; a declined
card shows its reason; the page works at phone width without console errors."""
import re

from tests.support.portal_browser import add_card, billed_customer, sign_in
from tests.support.system import eventually


def test_a_customer_adds_a_card_pays_and_the_amount_due_drops_to_zero(page, system):
    user = billed_customer(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    assert p.locator("#amount-due").inner_text() != "$0.00"
    add_card(p, "4242 4242 4242 4242")
    assert "Added Visa ending in 4242" in p.locator(".flashes").inner_text()
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()
    assert "payment received" in p.locator("h1").inner_text()
    assert re.search(r"went through", p.locator("#payment-status").inner_text())

    def zero_on_dashboard():
        p.goto("/dashboard")
        return p.locator("#amount-due").inner_text() == "$0.00"
    eventually(zero_on_dashboard)
    assert page.console_errors == []


def test_a_declined_card_and_a_bad_number_are_explained(phone_page, system):
    user = billed_customer(system)
    p = phone_page.page
    sign_in(p, user["username"])
    add_card(p, "4242 4242 4242 4241")
    assert "Card number: This card number is not valid." in p.locator(".flashes").inner_text()
    add_card(p, "4000 0000 0000 0002")
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()
    assert "did not go through" in p.locator("h1").inner_text()
    assert "declined" in p.locator("#payment-status").inner_text()
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1
    assert phone_page.console_errors == []
