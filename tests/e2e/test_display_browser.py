"""In Chromium: the call screen and a person's status page follow calls made through the JSON API,
without a reload; the screen stays the same size over many calls and recovers from a lost connection."""
import re

import pytest

from tests.support.browser import expect, sign_in, wait_in_page
from tests.support.queue_api import QueueDesk

pytestmark = pytest.mark.browser

COUNTER = "Módulo 1"  # staff1's counter in the demo data; it serves A first, then B
CURRENT = "#display-current [data-field=ticket]"


@pytest.fixture(scope="module")
def api(live_server):
    return QueueDesk(live_server, service_prefix="A")  # logs in once per module: the login route is rate-limited


def open_screen(page):
    page.goto("/")
    expect(page.locator("#display")).to_have_attribute("data-connection", "online")


def test_a_call_appears_on_the_screen_without_a_reload(page, api):
    api.empty_the_line()
    open_screen(page)
    page.evaluate("window.notReloaded = true")

    api.issue()
    called = api.call_next()

    expect(page.locator(CURRENT)).to_have_text(called["ticket"])
    expect(page.locator("#display-current [data-field=counter]")).to_have_text(COUNTER)
    expect(page.locator("#display-current")).to_have_class(re.compile("is-flashing"))
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#display-waiting li[data-prefix=A] [data-field=count]").inner_text() == "0"
    assert page.locator("#display-offline").is_hidden()


def test_enable_sound_shows_while_the_browser_blocks_sound(page):
    """Headless Chromium's default policy lets no page play sound before a gesture, so the screen's
    silent test clip is refused and the button shows; the click unlocks it. The policy holds
    again after a reload (no gesture on that page yet), and so does the button: it shows whenever
    sound is really blocked. With --autoplay-policy=no-user-gesture-required it never shows
    (tests/e2e/test_display_voice.py)."""
    page.goto("/")
    button = page.locator("#display-sound")
    expect(button).to_be_visible()
    expect(page.locator("#display")).to_have_attribute("data-audio", "blocked")
    button.click()  # the gesture unlocks the chime and the voice
    expect(button).to_be_hidden()
    expect(page.locator("#display")).to_have_attribute("data-audio", "idle")  # the silent clip played
    page.reload()
    expect(page.locator("#display")).to_have_attribute("data-connection", "online")
    expect(button).to_be_visible()


def test_a_counter_on_a_break_shows_in_the_footer_until_it_opens(page, browser, live_server, api):
    api.empty_the_line()  # nobody called to Módulo 1: it may take a break
    open_screen(page)
    notices = page.locator("#display-counters li")
    staff = browser.new_context(base_url=live_server, locale="es-ES").new_page()
    try:
        sign_in(staff, "staff1")
        staff.goto("/panel")
        token = staff.locator("meta[name=csrf-token]").get_attribute("content")
        for state, reason in (("break", "almuerzo"), ("open", "")):
            response = staff.request.post("/panel/counter/state",
                                          form={"csrf_token": token, "state": state, "reason": reason})
            assert response.ok, response.text()
            if state == "break":
                expect(notices).to_have_text([f"{COUNTER} — en pausa: almuerzo"])
                expect(page.locator("#display-counters")).to_be_visible()
        expect(notices).to_have_count(0)
        expect(page.locator("#display-counters")).to_be_hidden()
    finally:
        staff.context.close()


def announcement_over(page):
    """Wait until no browser voice speaks: its utterances hold event listeners until they end
    (headless Chromium has no voice, so at once). The recorded words play through the screen's one
    audio element and hold none, so a call still being announced does not change the figures."""
    silent = "() => !window.speechSynthesis.speaking && !window.speechSynthesis.pending"
    wait_in_page(page, lambda: page.evaluate(silent), timeout=15, message="the announcement did not end")
    # Two rendered frames: text nodes a call replaced are let go by the rendering once it has run.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def dom_figures(page, cdp):
    """Elements in the document, DOM nodes alive and event listeners, once the last call settled."""
    announcement_over(page)
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    elements = page.evaluate("document.getElementsByTagName('*').length")
    return elements, metrics["Nodes"], metrics["JSEventListeners"]


def test_many_calls_keep_the_recent_list_and_the_page_the_same_size(page, api):
    api.empty_the_line()
    open_screen(page)
    slots = int(page.locator("#display").get_attribute("data-recent"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    codes, warm = [], None
    for number in range(33):
        api.issue()
        codes.append(api.call_next()["ticket"])
        expect(page.locator(CURRENT)).to_have_text(codes[-1])
        if number == slots + 1:  # every recent slot filled once
            warm = dom_figures(page, cdp)

    assert dom_figures(page, cdp) == warm  # elements, DOM nodes, event listeners: none added
    visible = page.locator("#display-recent > li:not([hidden]) [data-field=ticket]")
    assert visible.all_inner_texts() == codes[-2:-slots - 2:-1]  # newest first, capped at N
    assert page.locator("#display-recent > li").count() == slots
    assert set(page.locator("#display-recent > li [data-field=counter]").all_inner_texts()) == {COUNTER}


def test_the_screen_catches_up_after_losing_its_connection(page, api):
    api.empty_the_line()
    servers, upgraded = [], []
    page.route_web_socket(re.compile(r"/socket\.io/"), lambda websocket: servers.append(websocket.connect_to_server()))
    # socket.io connects over HTTP, then upgrades: cutting the WebSocket before the client has sent
    # the upgrade packet ("5") would make Chrome log a send on a closing socket.
    page.on("websocket", lambda websocket: websocket.on(
        "framesent", lambda payload: upgraded.append(payload) if payload == "5" else None))
    open_screen(page)
    wait_in_page(page, lambda: upgraded and servers, message="the screen should have upgraded to a WebSocket")
    control = page.context.new_page()  # another screen, which stays online
    open_screen(control)

    # The network goes away: the connection drops and reconnection attempts hang.
    held = []
    page.route(re.compile(r"/socket\.io/"), lambda route: held.append(route))
    servers[-1].close()
    expect(page.locator("#display-offline")).to_be_visible()
    expect(page.locator("#display")).to_have_attribute("data-connection", "offline")

    api.issue()
    missed = api.call_next()["ticket"]  # announced while the screen could not hear it
    expect(control.locator(CURRENT)).to_have_text(missed)  # the call went out to every screen...
    control.close()
    assert page.locator(CURRENT).inner_text() != missed  # ...and this one, cut off, did not hear it

    page.unroute(re.compile(r"/socket\.io/"))
    for route in held:
        route.continue_()
    expect(page.locator(CURRENT)).to_have_text(missed, timeout=10000)  # from `state` on reconnect
    expect(page.locator("#display-offline")).to_be_hidden()
    assert page.locator("#display-waiting li").count() == 2  # replaced, not appended


def test_status_page_follows_the_line_and_shows_the_counter_when_called(page, api):
    api.empty_the_line()
    api.issue()
    mine = api.issue()
    page.goto(f"/t/{mine['token']}")
    status = page.locator("#ticket-status")
    expect(status).to_have_attribute("data-connection", "online")
    expect(page.locator("#status-ahead")).to_have_text("1")
    expect(page.locator("#status-called")).to_be_hidden()

    api.call_next()  # the person ahead
    expect(page.locator("#status-ahead")).to_have_text("0")
    expect(status).to_have_attribute("data-status", "waiting")

    assert api.call_next()["ticket"] == mine["ticket"]
    expect(status).to_have_attribute("data-status", "called")
    expect(page.locator("#status-called")).to_be_visible()
    expect(page.locator("#status-counter")).to_have_text(COUNTER)
    expect(page.locator("#status-called")).to_have_class(re.compile("is-flashing"))
    expect(page.locator("#status-cancel")).to_be_hidden()
    expect(page).to_have_title(re.compile(re.escape(mine["ticket"])))


def test_status_page_follows_its_ticket_into_another_line(page, browser, live_server, api):
    """A transfer at the counter moves the person to another service's line: their page names the
    new service without a reload."""
    cashier_id = api.find_service_id("B")  # issues tickets to find it: called below, so no line keeps them
    api.empty_the_line()
    mine = api.issue()
    page.goto(f"/t/{mine['token']}")
    expect(page.locator("#status-service")).to_have_text(mine["service"])
    staff = browser.new_context(base_url=live_server).new_page()
    try:
        sign_in(staff, "staff1")
        staff.goto("/panel")
        token = staff.locator("meta[name=csrf-token]").get_attribute("content")
        response = staff.request.post(f"/panel/tickets/{mine['id']}/transfer",
                                      form={"csrf_token": token, "service_id": str(cashier_id)},
                                      headers={"Accept": "application/json"})
        assert response.ok, response.text()
        expect(page.locator("#status-service")).to_contain_text(response.json()["ticket"]["service"])
        expect(page.locator("#status-service")).not_to_have_text(mine["service"])
    finally:
        staff.context.close()
