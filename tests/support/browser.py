"""Driving Chromium in the browser tests (tests/e2e)."""
from urllib.parse import urlsplit

from tests.support.waiting import wait_until


def expect(target):
    """Playwright's `expect`, which retries its assertion until it holds or its timeout ends.
    Imported late: without Playwright the `page` fixture skips (or fails in CI) instead of collection."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def sign_in(page, username, password="demo1234"):
    """Sign in through the login form; returns once the page it leads to has loaded."""
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


def wait_in_page(page, condition, timeout=5, message=None):
    """wait_until for conditions on a Playwright page or on what its event handlers collect: the
    pauses between tries are the page's own (wait_for_timeout), during which Playwright keeps
    delivering the page's events (websocket frames, console messages) to their handlers."""
    return wait_until(condition, timeout, interval=0.05, message=message,
                      pause=lambda seconds: page.wait_for_timeout(seconds * 1000))
