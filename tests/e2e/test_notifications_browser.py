"""In Chromium: the requester's bell counts up with a toast the moment staff answer, the toast
and dropdown show the text as text, and opening the ticket reads the notification."""
import re

import pytest

from tests.support.browser import sign_in, wait_in_page

pytestmark = pytest.mark.browser


def wait_until_connected(page, seconds=5):
    """Polled with evaluate: wait_for_function compiles its text, which the CSP forbids."""
    wait_in_page(page, lambda: page.evaluate("() => Boolean(window.liveSocket && window.liveSocket.connected)"),
                 seconds, "the page's socket did not connect")


def test_a_staff_reply_shows_a_toast_on_the_requesters_page(browser, live_server, page):
    sign_in(page, "user1")
    page.goto("/tickets/new")
    page.fill("#title", "<b>Teclado</b> roto")
    page.select_option("#category_id", label="Pagos")  # agent2's area: agent1 stays free for other tests
    page.fill("#description", "Faltan teclas.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    number = page.locator("#ticket-number").inner_text()
    ticket_path = re.sub(r"^https?://[^/]+", "", page.url)
    page.goto("/tickets")
    wait_until_connected(page)
    before = int(page.locator("#notification-count").get_attribute("data-count"))

    staff_context = browser.new_context(base_url=live_server, locale="es-ES")
    staff = staff_context.new_page()
    sign_in(staff, "admin")
    staff.goto(ticket_path)
    staff.fill("#body", "Le llevo uno nuevo.")
    with staff.expect_navigation():  # the reply is posted and its page back before the browser closes
        staff.click("#reply-form button[type=submit]")
    staff_context.close()

    toast = page.locator("#notification-toasts .toast.show", has_text=number)
    toast.wait_for()
    assert "<b>Teclado</b> roto" in toast.inner_text()  # the title as text, not markup
    assert page.locator("#notification-toasts b").count() == 0
    assert page.locator("#notification-count").inner_text() == str(before + 1)
    item = page.locator("#notification-items a.notification-unread", has_text=number)
    assert item.get_attribute("href") == ticket_path

    page.click("#notification-toggle")
    item.click()
    page.wait_for_url(re.compile(re.escape(ticket_path) + "$"))
    assert page.locator("#notification-count").get_attribute("data-count") == str(before)
