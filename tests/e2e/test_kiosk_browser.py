"""In Chromium, the public kiosk (/registro?mode=kiosk) as registrar1 runs it on a touch screen:
no navigation bar, every target at least 64 px high on the three screens kiosks have, both
languages one tap away on the page, a number issued with a priority, "Take your ticket", and back
at the start by itself, in the organisation's language, with nothing chosen."""
import re

import pytest

from tests.support.browser import expect, sign_in, wait_in_page

pytestmark = pytest.mark.browser

SCREENS = {"landscape 1366×768": (1366, 768), "portrait 1080×1920": (1080, 1920), "tablet 800×1280": (800, 1280)}
MIN_TARGET = 64  # px: a finger, not a mouse
KIOSK = "/registro?mode=kiosk"

TARGETS = """() => [...document.querySelectorAll(
    "button, a[href], label.btn, input:not([type=hidden]):not(.btn-check)")]
  .filter((element) => element.getClientRects().length && getComputedStyle(element).visibility !== "hidden")
  .map((element) => {
    const box = element.getBoundingClientRect();
    return { what: element.id || element.getAttribute("for") || element.textContent.trim().slice(0, 40),
             width: box.width, height: box.height };
  })"""


@pytest.fixture
def kiosk(page):
    """registrar1 signed in on the kiosk; window.print() is counted (a real kiosk prints silently).
    The numbers a test takes leave the line when it ends: the server is shared with the other
    browser tests, whose counters expect to call their own numbers."""
    page.prints, page.taken = [], []
    page.expose_binding("notePrint", lambda source: page.prints.append(source["frame"].url))
    page.add_init_script("window.print = function () { window.notePrint(); };")
    sign_in(page, "registrar1")
    page.goto(KIOSK)
    yield page
    for status_url in page.taken:
        page.goto(status_url)
        with page.expect_navigation():  # the form as its button sends it, without the confirmation
            page.evaluate("document.getElementById('status-cancel').submit()")


def take_number(page, priority=None):
    """Tap a priority (if given) and the first service; returns the number shown."""
    if priority:
        page.click(f"label[for=priority-{priority}]")
        assert page.locator(f"#priority-{priority}").is_checked()
    page.locator("button.kiosk-service").first.click()
    page.wait_for_url(re.compile(r"/registro/tickets/\d+"))
    page.taken.append(page.locator(".receipt-url").inner_text())
    return page.locator(".receipt-code").inner_text()


def small_targets(page):
    return [target for target in page.evaluate(TARGETS)
            if target["height"] < MIN_TARGET or target["width"] < MIN_TARGET]


def tap_language(page, locale):
    with page.expect_navigation():
        page.click(f".kiosk-languages button[data-locale={locale}]")
    expect(page.locator("html")).to_have_attribute("lang", locale)


def test_kiosk_is_full_screen_with_big_targets_and_stays_signed_in(kiosk):
    page = kiosk
    assert page.locator(".navbar").count() == 0 and page.locator("#user-menu").count() == 0
    # The session lasts while the kiosk is open: keepalive.js pings, after common.js it needs.
    scripts = page.eval_on_selector_all("script[src]", "(scripts) => scripts.map((s) => s.getAttribute('src'))")
    common = next(i for i, src in enumerate(scripts) if src.endswith("/js/common.js"))
    keepalive = next(i for i, src in enumerate(scripts) if src.endswith("/js/keepalive.js"))
    assert common < keepalive and int(page.locator("body").get_attribute("data-keepalive-seconds")) >= 10
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        targets = page.evaluate(TARGETS)
        assert len(targets) >= 8, targets  # two languages, four priority choices, the services
        assert small_targets(page) == [], f"targets under {MIN_TARGET} px on the {screen} screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing off the side


def test_a_refused_choice_is_a_message_big_enough_to_read_and_close(kiosk):
    page = kiosk
    page.set_viewport_size({"width": 1366, "height": 768})
    page.eval_on_selector("button.kiosk-service", "(button) => { button.value = '999999'; }")  # a service gone
    with page.expect_navigation():
        page.locator("button.kiosk-service").first.click()
    expect(page.locator(".alert-danger")).to_be_visible()
    assert page.url.endswith(KIOSK) and page.locator(".navbar").count() == 0
    assert small_targets(page) == []
    page.click(".alert .btn-close")
    expect(page.locator(".alert")).to_have_count(0)


def test_both_languages_are_one_tap_away(kiosk):
    page = kiosk
    expect(page.locator(".kiosk-languages button")).to_have_count(2)
    tap_language(page, "en")
    expect(page.locator("h1")).to_have_text("Take a number")
    expect(page.locator("label[for=priority-elderly]")).to_have_text("Older adult")
    assert "mode=kiosk" in page.url and page.locator(".navbar").count() == 0
    assert page.locator(".kiosk-languages button[data-locale=en]").get_attribute("aria-current") == "true"
    tap_language(page, "es")
    expect(page.locator("h1")).to_have_text("Tome su turno")
    expect(page.locator("label[for=priority-elderly]")).to_have_text("Adulto mayor")


def test_a_number_with_priority_then_back_to_the_start_by_itself(kiosk, live_server):
    page = kiosk
    page.goto(f"{KIOSK}&return_after=6")
    tap_language(page, "en")  # a visitor reading English; the next one starts in Spanish again
    code = take_number(page, "elderly")
    assert re.fullmatch(r"[A-Z]{1,3}-\d{3,}", code) and page.locator(".take-code").inner_text() == code
    assert "mode=kiosk" in page.url
    expect(page.locator(".take-title")).to_have_text("Take your ticket")
    assert "Older adult" in page.locator(".receipt-priority").inner_text()
    assert page.locator("body").get_attribute("data-return-seconds") == "6"
    wait_in_page(page, lambda: page.prints, message="the receipt did not print")

    page.wait_for_url(re.compile(r"/registro\?mode=kiosk&return_after=6$"), timeout=20000)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Tome su turno")
    assert page.locator("#priority-none").is_checked() and not page.locator("#priority-elderly").is_checked()
    assert len(page.prints) == 1


def test_take_your_ticket_fits_every_screen_and_done_goes_back_at_once(kiosk, live_server):
    page = kiosk
    page.goto(f"{KIOSK}&return_after=120")
    take_number(page, "pregnant")
    assert page.locator("body").get_attribute("data-return-seconds") == "120"
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator(".take-code")).to_be_in_viewport()
        expect(page.locator("#back-to-kiosk")).to_be_in_viewport()
        assert small_targets(page) == [], f"targets under {MIN_TARGET} px on the {screen} screen"
    with page.expect_navigation():
        page.click("#back-to-kiosk")
    assert page.url == f"{live_server}/registro?mode=kiosk&return_after=120"
    expect(page.locator("h1")).to_have_text("Tome su turno")


def test_the_return_waits_ten_seconds_unless_the_kiosk_url_says(kiosk):
    page = kiosk
    for query, seconds in [("", "10"), ("&return_after=1", "3"), ("&return_after=abc", "10"),
                           ("&return_after=99999999", "10"), ("&return_after=500", "120")]:
        page.goto(f"{KIOSK}{query}")
        take_number(page)
        assert page.locator("body").get_attribute("data-return-seconds") == seconds, query
        with page.expect_navigation():
            page.click("#back-to-kiosk")


def test_the_desk_kiosk_keeps_its_navigation_and_print_button(kiosk):
    page = kiosk
    page.goto("/registro")
    assert page.locator(".navbar").count() == 1 and page.locator(".kiosk-languages").count() == 0
    take_number(page)
    assert re.search(r"/registro/tickets/\d+$", page.url)
    assert page.locator("#print-again").is_visible() and page.locator(".take-ticket").count() == 0
    assert page.locator("body").get_attribute("data-return-seconds") is None
    page.click("#back-to-kiosk")
    page.wait_for_url(re.compile(r"/registro$"))


def test_an_untouched_kiosk_starts_afresh(kiosk):
    """A half-made choice does not wait for the next person: two minutes without a touch
    (data-idle-reload-seconds) and the kiosk reloads with nothing chosen. The page's clock is
    moved on instead of waiting."""
    page = kiosk
    page.clock.install()
    page.goto(KIOSK)
    assert page.locator("body").get_attribute("data-idle-reload-seconds") == "120"
    page.click("label[for=priority-disability]")
    assert page.locator("#priority-disability").is_checked()
    page.clock.fast_forward(60_000)
    page.click("label[for=priority-elderly]")  # a touch: the two minutes start again
    page.clock.fast_forward(90_000)
    assert page.locator("#priority-elderly").is_checked()
    with page.expect_navigation():
        page.clock.fast_forward(31_000)
    expect(page.locator("#priority-none")).to_be_checked()
    assert not page.locator("#priority-elderly").is_checked() and page.url.endswith(KIOSK)
