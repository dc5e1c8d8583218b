"""/docs in Chromium: Swagger UI, once downloaded compressed, is not downloaded again on the
next visit, and it stays free of critical and serious axe-core violations with an operation
open, tried out, and the authorize dialog showing."""
from tests.browser import checkers
from tests.browser.portal_pages import open_page
from tests.browser.transfer import bytes_per_visit

FIRST_VISIT_MAX = 700_000    # the 1.7 MB of Swagger UI and the document, compressed
REPEAT_VISIT_MAX = 60_000    # the page and the OpenAPI document only: the bundle is cached


def test_a_repeat_visit_to_docs_downloads_none_of_swagger_ui_again(browser, system):
    context = browser.new_context(base_url=system.base_url)
    first, repeat = bytes_per_visit(context, "/docs",
                                    ready=lambda p: p.locator(".opblock").first.wait_for())
    context.close()
    assert first < FIRST_VISIT_MAX and repeat < REPEAT_VISIT_MAX, (first, repeat)


def test_docs_with_an_operation_tried_out_and_the_authorize_dialog_open_pass_axe(page, system):
    p = page.page
    open_page(p, "/docs")
    p.locator(".opblock-summary-control").nth(1).click()
    p.get_by_role("button", name="Try it out").first.click()
    p.get_by_role("button", name="Authorize").first.click()
    p.locator(".modal-ux").wait_for()
    found = checkers.blocking(checkers.axe_violations(p))
    assert found == [], checkers.report({"/docs": found})
    assert page.console_errors == []
