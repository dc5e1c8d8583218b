"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by
scripts/ensure-chromium.sh) against the real running system (the session's ``system``
fixture). Console errors and failed page requests are collected so a test can assert none."""
import os

import pytest
from playwright.sync_api import sync_playwright

from tests.support.secret_collector import watch_page

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out on a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Page:
    """A page plus what went wrong on it."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} at {m.location.get('url')}"))
        page.on("response", lambda r: r.status >= 400 and self.console_errors.append(
            f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        watch_page(page)  # what is typed into forms, for the final secret scan


@pytest.fixture
def page(browser, system):
    context = browser.new_context(base_url=system.base_url)
    wrapped = Page(context.new_page())
    yield wrapped
    context.close()


@pytest.fixture
def phone_page(browser, system):
    context = browser.new_context(base_url=system.base_url, viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    wrapped = Page(context.new_page())
    yield wrapped
    context.close()
