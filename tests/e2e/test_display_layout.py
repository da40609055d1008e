"""In Chromium: the call screen holds the longest values the forms allow at every screen it is
meant for (TVs at 1920×1080, 1366×768, 1280×720 and portrait 1080×1920, and a phone at 390×844),
in Spanish and English: the current number on one line, inside its box and larger than any other
text; regions side by side, never over each other; every service of the footer in view; the
message ticker inside the screen; and no scrolling."""
import re

import pytest

from tests.support.browser import expect
from tests.support.call_screens import COUNTER_NAME, ORGANISATION, SERVICE_NAME, TICKER, LiveData, live_database
from tests.support.queue_api import QueueDesk

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920), (390, 844)]
# The widest three letters in the screen's bold font come first: the current number's worst case.
PREFIXES = ["MWW", "I", "DOC", "PER", "OBR", "CAT", "REG", "HAB", "MUL", "TRA", "CEM", "AGU", "IMP", "ZON"]
COLOURS = ["#d63384", "#198754", "#fd7e14", "#0dcaf0"]
RECENT = 12  # the most earlier calls a screen may list
BREAK_REASON = "Almuerzo del personal de atención al público y cambio de turno de la tarde en la sala"[:80]


@pytest.fixture(scope="module")
def screens(live_server, tmp_path_factory):
    """Two screens (es, en) of 14 services with 80-character names, 13 counters with 40-character
    names (two more on a break and closed, with long reasons), 12 earlier calls with four-digit
    numbers, a 300-character message and a 120-character organisation name. The latest call is
    narrow ("I-007"); each test's live call replaces it with the widest one, "MWW-8888"."""
    data = LiveData(live_database(tmp_path_factory))
    desk = QueueDesk(live_server, staff="staff2")
    services = [data.add_service(prefix, f"{SERVICE_NAME} {i % 10}", COLOURS[i % 4], 900 + i)
                for i, prefix in enumerate(PREFIXES)]
    counters = [data.add_counter(COUNTER_NAME.format(n), services[:2], position=900 + n) for n in range(1, 14)]
    data.add_counter(COUNTER_NAME.format(14), services[2:3], "break", BREAK_REASON, position=914)
    data.add_counter(COUNTER_NAME.format(15), services[3:4], "closed", "", position=915)
    data.add_screen("pantalla-larga", "es", services, RECENT, TICKER)
    data.add_screen("long-screen", "en", services, RECENT, TICKER)
    data.set_setting("organisation_name", ORGANISATION)

    first = desk.issue(services[0])  # opens today's number sequence of MWW, and tells today's date
    issue_date = data.value("SELECT issue_date FROM queue_tickets WHERE id = ?", (first["id"],))
    data.execute("UPDATE queue_tickets SET status = 'cancelled' WHERE id = ?", (first["id"],))  # out of the line
    for k in range(RECENT):
        data.add_call(services[2 + k % 12], 1000 + 777 * k, counters[k], issue_date, minutes_ago=40 - k)
    data.add_call(services[1], 7, counters[RECENT], issue_date, minutes_ago=10)  # "I-007": narrow
    try:
        yield {"data": data, "desk": desk, "mww": services[0], "counter": counters[-1], "services": services}
    finally:
        data.undo()


def call_widest_number(screens, number):
    screens["data"].next_number(screens["mww"], number)
    screens["desk"].issue(screens["mww"])
    return screens["desk"].call_next(screens["counter"])["ticket"]


# Measured in the page: every region's box, the current number against its box, font sizes,
# scrolling. Returned as plain data so the assertions below can say what was wrong.
MEASURE = """() => {
  const box = element => { const r = element.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
  const shown = element => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  const ticket = document.querySelector('#display-current [data-field=ticket]');
  let largestOther = 0, largestWhat = '';
  for (const element of document.querySelectorAll('body *')) {
    if (element === ticket || !shown(element)) continue;
    const ownText = Array.from(element.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size > largestOther) { largestOther = size; largestWhat = element.className || element.id || element.tagName; }
  }
  const regions = {};
  for (const region of document.querySelectorAll('[data-region]')) {
    if (shown(region)) regions[region.dataset.region] = box(region);
  }
  return {
    viewport: {width: innerWidth, height: innerHeight},
    scroll: {width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight},
    ticket: {text: ticket.textContent, box: box(ticket), size: parseFloat(getComputedStyle(ticket).fontSize),
             lineHeight: parseFloat(getComputedStyle(ticket).lineHeight),
             frame: box(document.querySelector('.display-ticket-box'))},
    largestOther, largestWhat, regions,
    services: Array.from(document.querySelectorAll('#display-waiting li')).map(box),
    prefixes: Array.from(document.querySelectorAll('#display-waiting .display-prefix')).map(
      prefix => ({text: prefix.textContent, whole: prefix.scrollWidth <= prefix.clientWidth + 0.5})),
    counters: Array.from(document.querySelectorAll('#display-counters li')).map(li => li.textContent),
    recent: Array.from(document.querySelectorAll('#display-recent li:not([hidden])')).map(box),
  };
}"""


def inside(inner, outer, slack=0.5):
    return (inner["left"] >= outer["left"] - slack and inner["top"] >= outer["top"] - slack
            and inner["right"] <= outer["right"] + slack and inner["bottom"] <= outer["bottom"] + slack)


def overlap(a, b, slack=0.5):
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def check_layout(figures, where):
    viewport = {"left": 0, "top": 0, "right": figures["viewport"]["width"], "bottom": figures["viewport"]["height"]}
    ticket = figures["ticket"]
    assert figures["scroll"]["width"] <= figures["viewport"]["width"], (where, figures["scroll"])
    assert figures["scroll"]["height"] <= figures["viewport"]["height"], (where, figures["scroll"])
    # One line: its box is one line box high (line-height 1), however long the number.
    assert ticket["box"]["height"] <= ticket["lineHeight"] * 1.05, (where, ticket)
    assert inside(ticket["box"], ticket["frame"]), (where, ticket)
    assert inside(ticket["frame"], figures["regions"]["current"]), (where, ticket)
    assert ticket["size"] > figures["largestOther"], (where, ticket["size"], figures["largestWhat"],
                                                      figures["largestOther"])
    regions = figures["regions"]
    assert set(regions) == {"header", "current", "recent", "waiting", "ticker"}, (where, sorted(regions))
    names = sorted(regions)
    for i, first in enumerate(names):
        assert inside(regions[first], viewport), (where, first, regions[first])
        for second in names[i + 1:]:
            assert not overlap(regions[first], regions[second]), (where, first, second, regions)
    # The footer is never covered, nor cut: every service's pill and the counters line in it.
    assert len(figures["services"]) == len(PREFIXES), where
    for pill in figures["services"]:
        assert inside(pill, regions["waiting"]), (where, pill, regions["waiting"])
    # Each pill starts with its prefix, whole: long names may end alike in "…", prefixes never do.
    assert sorted(prefix["text"] for prefix in figures["prefixes"]) == sorted(PREFIXES), where
    assert all(prefix["whole"] for prefix in figures["prefixes"]), (where, figures["prefixes"])
    # Every earlier call in its column.
    assert len(figures["recent"]) == RECENT, where
    for row in figures["recent"]:
        assert inside(row, regions["recent"]), (where, row, regions["recent"])


@pytest.mark.parametrize("slug, language", [("pantalla-larga", "es"), ("long-screen", "en")])
def test_the_longest_values_fit_every_screen_size(page, screens, slug, language):
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.goto(f"/screen/{slug}")
    root = page.locator("#display")
    expect(root).to_have_attribute("data-connection", "online")
    assert page.locator("html").get_attribute("lang") == language
    current = page.locator("#display-current [data-field=ticket]")
    before = current.inner_text()  # "I-007", narrow, on the first run
    called = call_widest_number(screens, 8888 if language == "es" else 9888)  # refitted on the call
    assert called != before
    expect(current).to_have_text(called)
    counters = page.locator("#display-counters li")
    expect(counters).to_have_count(2)  # the open ones are not listed
    assert COUNTER_NAME.format(14) in counters.first.inner_text()
    assert page.locator("#display-ticker").inner_text().strip() == TICKER.strip()

    for width, height in SIZES:  # resized in place: the page fits itself again
        page.set_viewport_size({"width": width, "height": height})
        expect(root).to_have_attribute("data-fitted", f"{width}x{height}")
        check_layout(page.evaluate(MEASURE), f"{slug} {width}x{height}")


def test_with_reduced_motion_the_message_stands_still_and_ellipsised(page, screens):
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/screen/pantalla-larga")
    expect(page.locator("#display")).to_have_attribute("data-fitted", "1280x720")
    text = page.locator("#display-ticker span")
    style = text.evaluate("s => [getComputedStyle(s).animationName, getComputedStyle(s).textOverflow,"
                          " s.scrollWidth > s.clientWidth]")
    assert style == ["none", "ellipsis", True]  # still, and cut with an ellipsis
    ticker = page.locator("#display-ticker").bounding_box()
    shown = text.bounding_box()
    assert shown["x"] >= ticker["x"] and shown["x"] + shown["width"] <= ticker["x"] + ticker["width"] + 0.5


def test_before_the_first_call_the_dash_is_a_quiet_number_size_not_a_bar(page, screens):
    """A screen whose line nobody has called today shows a dash as large as a short number would
    be, muted: fitted alone, the dash stretched into a bar across the box."""
    quiet = screens["data"].add_service("QUI", f"{SERVICE_NAME} Q", position=950)
    screens["data"].add_screen("sin-llamados", "es", [quiet])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/screen/sin-llamados")
    expect(page.locator("#display")).to_have_attribute("data-fitted", "1366x768")
    dash = page.locator("#display-current [data-field=ticket]")
    expect(dash).to_have_text("—")
    expect(dash).to_have_class(re.compile(r"\bis-idle\b"))
    width, box = dash.evaluate("d => [d.getBoundingClientRect().width, d.parentElement.clientWidth]")
    assert width < box * 0.4, (width, box)  # "A-000" fills the box; its dash is a third of that
