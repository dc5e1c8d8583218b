"""One online ID with several accounts, in Chromium against the real system (issue 17 part
1): "My accounts" with each account's amount due, due date and the total, linking another
account from its form, the account switcher in the header choosing what every page shows,
and paying several accounts at once with one card declined (the sandbox declines
4000 0000 0000 0002) while the other payment goes through."""
from tests.support.auth_helpers import open_account
from tests.support.api_client import bill
from tests.support.portal_browser import add_card, billed_customer, sign_in
from tests.support.system import eventually

DUE = "Nov 5, 2026"  # a 2026-10-15 statement's due date, as the portal writes it


def link_in_form(p, opened, key=None):
    p.goto("/accounts")
    p.get_by_label("Account number").fill(opened["account_number"])
    p.get_by_label("Security key").fill(key or opened["security_key"])
    p.get_by_role("button", name="Add account").click()
    p.wait_for_load_state()


def switch_to(p, number):
    p.get_by_label("Account", exact=True).select_option(number)
    p.get_by_role("button", name="Switch account").click()
    p.wait_for_load_state()


def row(p, number):
    return p.locator(f"#my-accounts tr[data-account='{number}']")


def test_my_accounts_links_an_account_and_the_switcher_chooses_what_pages_show(page, system):
    user = billed_customer(system)
    first = user["account_number"]
    second = open_account(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/accounts")
    owed = row(p, first).locator(".amount-due").inner_text()
    assert owed.startswith("$") and owed != "$0.00"
    assert row(p, first).locator(".due-date").inner_text() == DUE
    assert p.locator("#total-due").inner_text() == owed

    link_in_form(p, second, key="WRONG2345")
    assert "We could not match that account number and security key" in \
        p.locator(".flashes").inner_text()
    assert row(p, second["account_number"]).count() == 0

    link_in_form(p, second)
    assert f"Account {second['account_number']} was added" in p.locator(".flashes").inner_text()
    assert row(p, second["account_number"]).locator(".amount-due").inner_text() == "$0.00"
    assert row(p, second["account_number"]).locator(".due-date").inner_text() == \
        "No statement yet"
    assert row(p, second["account_number"]).locator(".role").inner_text() == "Admin"
    assert p.locator("#total-due").inner_text() == owed  # the new one owes nothing yet

    switcher = p.get_by_label("Account", exact=True)
    assert switcher.locator("option").count() == 2
    p.goto("/dashboard")  # the linked account is the one shown now
    assert p.locator("#account-number").inner_text() == second["account_number"]
    p.goto("/billing")
    switch_to(p, first)
    assert p.url.endswith("/billing")  # back on the same page, about the other account
    p.goto("/dashboard")
    assert p.locator("#account-number").inner_text() == first
    assert p.locator("#amount-due").inner_text() == owed
    assert page.console_errors == []


def test_my_accounts_and_the_multi_payment_form_fit_a_phone(phone_page, system):
    user = billed_customer(system)
    p = phone_page.page
    sign_in(p, user["username"])
    link_in_form(p, open_account(system))
    for path in ("/accounts", "/accounts/pay"):
        p.goto(path)
        assert p.evaluate("document.documentElement.scrollWidth") <= 375 + 1, path
    assert p.get_by_role("button", name="Switch account").is_visible()
    assert phone_page.console_errors == []


def test_several_accounts_are_paid_at_once_and_one_decline_does_not_stop_the_other(page,
                                                                                  system):
    user = billed_customer(system)
    first = user["account_number"]
    second = open_account(system)
    p = page.page
    sign_in(p, user["username"])
    link_in_form(p, second)
    bill(system, second["account_number"])
    add_card(p, "4000 0000 0000 0002")  # on the linked account, the current one: declines
    assert "ending in 0002" in p.locator(".flashes").inner_text()
    switch_to(p, first)
    add_card(p, "4242 4242 4242 4242")
    assert "ending in 4242" in p.locator(".flashes").inner_text()

    p.goto("/accounts")
    owed_first = row(p, first).locator(".amount-due").inner_text()
    p.get_by_role("link", name="Pay several accounts at once").click()
    p.wait_for_load_state()
    assert p.get_by_label(f"Amount (USD) for {first}").input_value() == \
        owed_first.lstrip("$").replace(",", "")
    assert p.get_by_label(f"Amount (USD) for {second['account_number']}").input_value() != ""
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()

    assert p.locator("h1").inner_text() == "Your payments"
    results = p.locator("#payment-results li.payment-result")
    assert results.count() == 2
    paid = p.locator(f"#payment-results li[data-account='{first}']")
    declined = p.locator(f"#payment-results li[data-account='{second['account_number']}']")
    assert "Paid " + owed_first in paid.inner_text()
    assert "status-succeeded" in paid.get_attribute("class")
    assert "declined" in declined.inner_text() and "Nothing was charged" in declined.inner_text()
    assert "status-failed" in declined.get_attribute("class")
    p.reload()  # the confirmation is a page of its own: reloading pays nothing again
    assert p.locator("#payment-results li.payment-result").count() == 2

    def first_paid_off():
        p.goto("/accounts")
        return row(p, first).locator(".amount-due").inner_text() == "$0.00"
    eventually(first_paid_off)
    assert row(p, second["account_number"]).locator(".amount-due").inner_text() != "$0.00"
    assert page.console_errors == []
