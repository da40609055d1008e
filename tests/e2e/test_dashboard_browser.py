"""In Chromium: the queue dashboard's "All history" filter (the dates step aside while it is
ticked), its exports of the whole history, and the page at the three sizes in both languages and
themes."""
import csv
import io

import pytest

from tests.support.browser import expect, sign_in
from tests.support.queue_api import api_login, api_request

pytestmark = pytest.mark.browser

MAIN_FITS = "() => { const main = document.querySelector('main'); return main.scrollWidth <= main.clientWidth; }"
SIZES = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}, {"width": 390, "height": 844}]


def issue_a_ticket(base_url):
    """One queue ticket through the kiosk's JSON API (registrar1), so the export has a row."""
    token = api_login(base_url, "registrar1")
    for service_id in range(1, 10):  # the demo's services have small ids
        status, body = api_request(base_url, "POST", "/api/queue/tickets", {"service_id": service_id}, token)
        if status == 201:
            return body
    raise AssertionError("no open service in the demo data")


def test_all_history_sets_the_dates_aside_and_the_exports_follow(browser, live_server):
    ticket = issue_a_ticket(live_server)
    context = browser.new_context(base_url=live_server, locale="en-US", accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        sign_in(page, "admin")
        page.goto("/admin")
        expect(page.locator("#start")).to_be_enabled()
        page.check("#all_history")
        expect(page.locator("#start")).to_be_disabled()
        expect(page.locator("#end")).to_be_disabled()
        page.uncheck("#all_history")
        expect(page.locator("#start")).to_be_enabled()
        page.check("#all_history")
        with page.expect_navigation():
            page.click("#report-filter button[type=submit]")
        assert "all_history=y" in page.url and "start=" not in page.url  # disabled fields are not sent
        expect(page.locator("#queue-dashboard")).to_contain_text("All history")
        expect(page.locator("#live-badge")).to_be_visible()
        expect(page.locator("#all_history")).to_be_checked()
        expect(page.locator("#start")).to_be_disabled()

        with page.expect_download() as download:
            page.click("#export-csv")
        assert download.value.suggested_filename == "queue-tickets-all.csv"
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert rows[0][:3] == ["Code", "Issued for", "Service"]
        assert ticket["ticket"] in [row[0] for row in rows[1:]]
        with page.expect_download() as download:
            page.click("#export-xlsx")
        assert download.value.suggested_filename == "queue-tickets-all.xlsx"
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("locale, theme", [("es-ES", "light"), ("es-ES", "dark"), ("en-US", "light"),
                                           ("en-US", "dark")])
def test_the_dashboard_at_every_size(browser, live_server, locale, theme):
    context = browser.new_context(base_url=live_server, locale=locale, color_scheme=theme)
    page = context.new_page()
    try:
        sign_in(page, "admin")
        page.goto("/admin?all_history=y")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
        expect(page.locator("#live-badge")).to_be_visible()
        for size in SIZES:
            page.set_viewport_size(size)
            expect(page.locator("#all_history")).to_be_visible()
            expect(page.locator("#report-filter button[type=submit]")).to_be_in_viewport()
            # The page's own content stays inside its column (wide tables scroll in their box) once the
            # charts have followed the new width (Chart.js resizes on the next frames).
            page.wait_for_function(MAIN_FITS)
    finally:
        context.close()
