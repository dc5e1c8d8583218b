"""Every page of the portal and /docs, signed in and signed out, at desktop width and at a
phone's 390 px, has no critical or serious axe-core violation; the HTML the server sends for
each has no Nu Html Checker error. The pages come from the gateway's routes
(tests/browser/portal_pages.py), so a new page is checked without anyone listing it."""
from urllib.parse import urlsplit

import pytest

from tests.browser import checkers
from tests.browser.portal_pages import customer_with_everything, open_page, page_urls

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def customer(system, browser):
    return customer_with_everything(system, browser)


def new_context(browser, system, customer, signed_in, width):
    state = customer[0] if signed_in else None
    return browser.new_context(base_url=system.base_url, storage_state=state,
                               viewport=WIDTHS[width], is_mobile=width == "phone")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_no_page_has_a_critical_or_serious_accessibility_violation(browser, system, customer,
                                                                   signed_in, width):
    context = new_context(browser, system, customer, signed_in, width)
    p = context.new_page()
    found, seen = {}, set()
    for path in page_urls(customer[1]):
        open_page(p, path)
        where = urlsplit(p.url)
        if (where.path, where.query) in seen:
            continue  # signed out, every account page is the sign-in page again
        seen.add((where.path, where.query))
        violations = checkers.blocking(checkers.axe_violations(p))
        if violations:
            found[path] = violations
    context.close()
    assert found == {}, checkers.report(found)


def test_the_html_the_server_sends_for_every_page_has_no_nu_checker_error(browser, system,
                                                                         customer):
    documents = {}
    for signed_in in (True, False):
        context = new_context(browser, system, customer, signed_in, "desktop")
        for path in page_urls(customer[1]):
            # context.request shares the browser's cookies: the signed-in session's HTML
            response = context.request.get(path, headers={"Accept": "text/html"})
            if "text/html" in response.headers.get("content-type", ""):
                documents[f"{'signed in' if signed_in else 'signed out'} {path}"] = response.text()
        context.close()
    assert len(documents) == 2 * len(page_urls(customer[1]))
    found = checkers.vnu_errors(documents)
    assert found == {}, f"{sum(map(len, found.values()))} errors:\n" + "\n".join(
        f"{page}: {error}" for page, errors in found.items() for error in errors)
