"""In Chromium: a person's status page (/t/<token>) sounds and vibrates once when two people are
ahead and again when called, never twice for the same state; after the tap that browsers require,
which it remembers. The sound element's play() and navigator.vibrate are recorded by an init
script (the real play() still runs, so a refused one would show). And the page at phone size in
both languages and themes.
"""
import pytest

from tests.support.browser import expect, sign_in, wait_in_page
from tests.support.queue_api import QueueDesk

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
RECORD_ALERTS = """
window.__alerts = { plays: [], vibrations: [] };
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  // A muted play is the silent unlock on a tap, not an alert.
  if (!this.muted) window.__alerts.plays.push(this.currentSrc || this.src);
  return realPlay.call(this);
};
Object.defineProperty(Navigator.prototype, "vibrate", {
  configurable: true,
  value: function (pattern) { window.__alerts.vibrations.push(pattern); return true; },
});
// Each render of a status sets #status-ahead's text (a new text node, even when the number is the
// same): counting those mutations tells the test when a refresh has been shown.
window.__renders = 0;
document.addEventListener("DOMContentLoaded", function () {
  const ahead = document.getElementById("status-ahead");
  if (ahead) new MutationObserver(function () { window.__renders += 1; }).observe(ahead, { childList: true });
});
"""


@pytest.fixture(scope="module")
def api(live_server):
    return QueueDesk(live_server, service_prefix="A")  # logs in once per module: the login route is rate-limited


def alerts(page):
    return page.evaluate("({ plays: window.__alerts.plays.length, vibrations: window.__alerts.vibrations.length })")


def open_status(page, token):
    page.add_init_script(RECORD_ALERTS)
    page.goto(f"/t/{token}")
    expect(page.locator("#ticket-status")).to_have_attribute("data-connection", "online")


def settled(page, api, ahead):
    """The page shows `ahead` people ahead, then renders that same state once more (someone joins
    the line behind): an alert that a refresh would wrongly repeat has had its chance."""
    expect(page.locator("#status-ahead")).to_have_text(str(ahead))
    renders = page.evaluate("window.__renders")
    api.issue()
    wait_in_page(page, lambda: page.evaluate("window.__renders") > renders, message="the page did not refresh")
    expect(page.locator("#status-ahead")).to_have_text(str(ahead))


def staff_action(browser, live_server, ticket_id, action):
    """A button of the counter panel (recall, finish...), pressed by staff1 in their own browser."""
    staff = browser.new_context(base_url=live_server).new_page()
    try:
        sign_in(staff, "staff1")
        staff.goto("/panel")
        token = staff.locator("meta[name=csrf-token]").get_attribute("content")
        response = staff.request.post(f"/panel/tickets/{ticket_id}/{action}", form={"csrf_token": token},
                                      headers={"Accept": "application/json"})
        assert response.ok, response.text()
    finally:
        staff.context.close()


def test_the_alert_sounds_when_two_are_ahead_and_when_called_once_each(page, browser, live_server, api):
    api.empty_the_line()
    for _ in range(3):
        api.issue()
    mine = api.issue()
    open_status(page, mine["token"])
    status = page.locator("#ticket-status")
    expect(page.locator("#status-ahead")).to_have_text("3")
    expect(page.locator("#status-near")).to_be_hidden()

    button = page.locator("#status-alert-enable")
    expect(button).to_be_visible()  # a fresh browser has had no tap yet
    button.click()  # the tap: a preview of the sound, and a short buzz
    expect(button).to_be_hidden()
    expect(page.locator("#status-alert-on")).to_be_visible()
    assert alerts(page) == {"plays": 1, "vibrations": 1}

    api.call_next()  # two people ahead now: "you're nearly there"
    expect(page.locator("#status-ahead")).to_have_text("2")
    expect(status).to_have_attribute("data-alerted", "near")
    expect(page.locator("#status-near")).to_be_visible()
    wait_in_page(page, lambda: alerts(page) == {"plays": 2, "vibrations": 2}, message="no alert at two ahead")
    assert page.evaluate("window.__alerts.plays[1]").endswith("/static/sounds/alert.wav")

    api.call_next()  # one ahead, then nobody: the same state, refreshed, stays quiet
    settled(page, api, 1)
    api.call_next()
    settled(page, api, 0)
    assert alerts(page) == {"plays": 2, "vibrations": 2}

    called = api.call_next()
    assert called["ticket"] == mine["ticket"]
    expect(status).to_have_attribute("data-status", "called")
    expect(status).to_have_attribute("data-alerted", "called")
    wait_in_page(page, lambda: alerts(page) == {"plays": 3, "vibrations": 3}, message="no alert when called")
    expect(page.locator("#status-near")).to_be_hidden()

    staff_action(browser, live_server, mine["id"], "recall")  # called again: a new alert
    wait_in_page(page, lambda: alerts(page) == {"plays": 4, "vibrations": 4}, message="no alert on a recall")
    expect(page.locator("#status-alert-enable")).to_be_hidden()  # no play() was refused meanwhile
    staff_action(browser, live_server, mine["id"], "finish")
    expect(status).to_have_attribute("data-status", "done")
    expect(page.locator("#status-alerts")).to_be_hidden()
    assert status.get_attribute("data-wake-lock") != "on"  # released: the ticket is final
    assert alerts(page) == {"plays": 4, "vibrations": 4}


def test_the_state_a_page_opens_in_never_alerts_and_the_yes_is_remembered(page, api):
    """Reloading in the "nearly there" state stays quiet; the yes of the first visit is kept."""
    api.empty_the_line()
    api.issue()
    api.issue()
    mine = api.issue()
    open_status(page, mine["token"])
    expect(page.locator("#status-near")).to_be_visible()  # two ahead when it opens: shown, not sounded
    page.locator("#status-alert-enable").click()
    assert alerts(page) == {"plays": 1, "vibrations": 1}

    page.reload()  # the person reopens the page: the state it opens in is not news
    expect(page.locator("#ticket-status")).to_have_attribute("data-connection", "online")
    # A new page needs a new tap before it may sound: the button asks again, but since the yes is
    # remembered, a tap anywhere will do. It unlocks the sound silently.
    expect(page.locator("#status-alert-enable")).to_be_visible()
    page.locator("h1.status-code").click()
    expect(page.locator("#status-alert-on")).to_be_visible()
    expect(page.locator("#status-alert-enable")).to_be_hidden()
    api.call_next()
    settled(page, api, 1)
    assert alerts(page) == {"plays": 0, "vibrations": 0}
    assert page.locator("#ticket-status").get_attribute("data-alerted") is None


@pytest.mark.parametrize("locale, theme", [("es-ES", "light"), ("es-ES", "dark"), ("en-US", "light"),
                                           ("en-US", "dark")])
def test_the_page_fits_a_phone_and_a_desk_in_both_languages_and_themes(browser, live_server, api, locale, theme):
    context = browser.new_context(base_url=live_server, locale=locale, viewport=PHONE, color_scheme=theme)
    page = context.new_page()
    try:
        api.empty_the_line()
        api.issue()
        mine = api.issue()
        page.goto(f"/t/{mine['token']}")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
        expect(page.locator("html")).to_have_attribute("lang", locale[:2])
        expect(page.locator("#status-label")).to_have_text("en espera" if locale == "es-ES" else "waiting")
        for size in (PHONE, {"width": 1280, "height": 720}, {"width": 1366, "height": 768}):
            page.set_viewport_size(size)
            # What the person needs is on the first screen, and nothing sticks out sideways.
            for element in ("#status-near", "#status-keep-open", "#status-alert-enable", "#status-cancel button"):
                expect(page.locator(element)).to_be_in_viewport()
            assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    finally:
        context.close()
