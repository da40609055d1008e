"""In Chromium: two tabs of one counter's panel show the same counter, live. What one tab does (a
call, a break) appears in the other without a reload, and the other tab's "Call next" then
finishes what it shows."""
import re

import pytest

from tests.support.browser import expect, sign_in
from tests.support.queue_api import api_login, api_request

pytestmark = pytest.mark.browser


def test_a_second_tab_follows_the_counter_live(browser, live_server):
    registrar = api_login(live_server, "registrar1")
    context = browser.new_context(base_url=live_server, locale="es-ES", viewport={"width": 1366, "height": 768})
    try:
        first = context.new_page()
        sign_in(first, "staff1")
        first.goto("/panel")
        second = context.new_page()  # the same session: the same counter, another tab
        second.goto("/panel")
        for page in (first, second):
            page.wait_for_function("() => window.io && document.getElementById('panel')")
        tickets = [api_request(live_server, "POST", "/api/queue/tickets", {"service_id": 1}, registrar)[1]
                   for _ in range(2)]
        expect(second.locator("#waiting-list")).to_contain_text(tickets[-1]["ticket"])  # the line is live

        with first.expect_navigation():
            first.click("#call-next")
        current = first.locator("#current-ticket").inner_text()
        assert re.fullmatch(r"[A-Z]{1,3}-\d{3,4}", current), current  # someone was called (earlier tests left others)
        expect(second.locator("#current-ticket")).to_have_text(current)  # no reload in the second tab

        with second.expect_navigation():
            second.click("#call-next")  # it finishes what it now shows, and calls the next one
        expect(first.locator("#current-ticket")).not_to_have_text(current)
        expect(second.locator("#current-ticket")).to_have_text(first.locator("#current-ticket").inner_text())

        with second.expect_navigation():
            second.click("[data-shortcut=f]")  # finish: the counter is free to pause
        expect(first.locator("#counter-pause")).to_be_visible()
        first.locator("#counter-pause summary").click()
        first.fill("#pause-reason", "Almuerzo")
        with first.expect_navigation():
            first.click("#counter-pause button[value=break]")
        expect(second.locator("#counter-state")).to_contain_text(re.compile("Almuerzo"))
        with second.expect_navigation():
            second.click("#counter-state button")  # open again, for the tests after this one
        expect(first.locator("#counter-state")).to_have_count(0)
    finally:
        context.close()
