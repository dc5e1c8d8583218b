"""The /pay page in Chromium against the real system: a customer with a statement due adds a
card, pays, sees the confirmation, and the dashboard's amount due drops to zero; a declined
card shows its reason; autopay's limit and its next draft (date and amount) are shown, and a
limit that is not an amount is explained; the page works at phone width without console
errors."""
import re

from tests.support.auth_helpers import new_user
from tests.support.api_client import bill
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


def test_the_pay_page_shows_the_autopay_limit_and_the_next_draft_date_and_amount(phone_page,
                                                                                 system):
    user = new_user(system)
    p = phone_page.page
    sign_in(p, user["username"])
    add_card(p, "4242 4242 4242 4242")
    form = p.locator("#autopay-form")
    form.get_by_label("Maximum amount (optional)").fill("twelve")
    form.get_by_role("button", name="Turn autopay on").click()
    p.wait_for_load_state()
    assert "Maximum amount: Enter an amount in dollars" in p.locator(".flashes").inner_text()
    assert "off" in p.locator("#autopay-status").inner_text()
    form.get_by_label("Maximum amount (optional)").fill("2,500.00")
    form.get_by_role("button", name="Turn autopay on").click()
    p.wait_for_load_state()
    assert "up to $2,500.00 a statement" in p.locator(".flashes").inner_text()
    assert p.locator("#autopay-limit").inner_text().startswith("$2,500.00 per statement")
    assert p.locator("#autopay-next").inner_text().startswith("None scheduled")
    assert form.get_by_label("Maximum amount (optional)").input_value() == "2500.00"

    bill(system, user["account_number"], "2026-11-15")  # due Dec 6, 2026
    p.goto("/dashboard")
    amount = p.locator("#amount-due").inner_text()

    def drafted():
        p.goto("/pay")
        return "Dec 6, 2026" in p.locator("#autopay-next").inner_text()
    eventually(drafted)
    assert p.locator("#autopay-next").inner_text().startswith(f"{amount} on Dec 6, 2026")
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1
    assert phone_page.console_errors == []
