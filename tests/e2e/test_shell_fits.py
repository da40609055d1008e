"""In Chromium, the page shell as people see it, with an organisation name of 60 characters:

- on a laptop (1280×720 and 1366×768), in Spanish and in English, the navigation bar of the admin,
  an agent, a requester, the counter staff and the registrar is one line, the page is no wider
  than the window and the user menu is on screen; the organisation's name gives way with an
  ellipsis and keeps its whole text (title, and the link's own text for screen readers);
- the admin's groups open and close from the keyboard, and the group of the page is marked;
- on a phone (390×844) the bar collapses to its toggler, nothing is wider than the screen, and
  the opened menu fits too;
- the kiosk, its receipt, the call screen and a person's status page: every target at least
  48 px each way, the kiosk's main buttons (a priority, a service) at least 64 px.
"""
import json
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser

ORGANISATION = "Secretaría Municipal de Atención Ciudadana y Trámites Públicos"[:60]
LAPTOPS = [(1280, 720), (1366, 768)]
PHONE = (390, 844)
PAGES = {  # the pages each role works on all day
    "admin": ["/admin", "/admin/users", "/admin/helpdesk/hours", "/tickets/admin", "/admin/settings"],
    "agent1": ["/tickets/ingeniero", "/tickets/new"],
    "user1": ["/tickets", "/tickets/new"],
    "staff1": ["/panel"],
    "registrar1": ["/registro"],
}
LOCALES = {"es": "es-ES", "en": "en-GB"}
MIN_TARGET, MIN_MAIN_TARGET = 48, 64  # px

# The bar as laid out: its height, one row's, where its entries and the user menu are.
SHELL = """() => {
  const nav = document.querySelector("nav.navbar"), brand = nav.querySelector(".navbar-brand");
  const box = (element) => { const r = element.getBoundingClientRect(); return {left: r.left, right: r.right,
    top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  const entries = [...nav.querySelectorAll(".navbar-brand, .navbar-nav > .nav-item")]
    .filter((element) => element.getClientRects().length).map(box);
  const menu = document.getElementById("user-menu");
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          nav: box(nav), brand: box(brand), brandText: brand.textContent.trim(), brandTitle: brand.title,
          brandCut: brand.scrollWidth > brand.clientWidth, entries, userMenu: menu && box(menu),
          toggler: getComputedStyle(nav.querySelector(".navbar-toggler")).display !== "none"};
}"""

TARGETS = """(scope) => [...document.querySelectorAll(scope + " :is(button, a[href], label.btn, select, textarea, "
    + "input:not([type=hidden]):not(.btn-check))")]
  .filter((element) => element.getClientRects().length && getComputedStyle(element).visibility !== "hidden")
  .map((element) => { const box = element.getBoundingClientRect();
    return {what: element.id || element.getAttribute("for") || element.textContent.trim().slice(0, 40),
            main: element.matches(".kiosk-priority label.btn, button.kiosk-service"),
            width: Math.round(box.width * 100) / 100, height: Math.round(box.height * 100) / 100}; })"""


def live_database(tmp_path_factory):
    (database,) = {path.resolve() for path in tmp_path_factory.getbasetemp().glob("live-instance*/live.db")}
    return database


@pytest.fixture(scope="module")
def long_organisation(live_server, tmp_path_factory):
    """The shared server's organisation named with 60 characters while this module runs; then as
    it was, so the other browser tests see the demo's name."""
    key = "organisation_name"
    with closing(sqlite3.connect(live_database(tmp_path_factory))) as connection:
        before = connection.execute("SELECT value, updated_at FROM settings WHERE key = ?", (key,)).fetchone()
        connection.execute("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
                           (key, json.dumps(ORGANISATION), datetime.now(UTC).replace(tzinfo=None)))
        connection.commit()
        yield ORGANISATION
        if before:
            connection.execute("UPDATE settings SET value = ?, updated_at = ? WHERE key = ?", (*before, key))
        else:
            connection.execute("DELETE FROM settings WHERE key = ?", (key,))
        connection.commit()


@pytest.fixture
def saved_languages(live_server, tmp_path_factory):
    """Choosing a language in the menu saves it on the account (other browser tests have done so
    too): each account's language as it was when the test ends."""
    with closing(sqlite3.connect(live_database(tmp_path_factory))) as connection:
        before = connection.execute("SELECT locale, id FROM users").fetchall()
        yield
        connection.executemany("UPDATE users SET locale = ? WHERE id = ?", before)
        connection.commit()


@pytest.fixture
def open_page(browser, live_server):
    """open_page("en") gives a page of a fresh browser profile whose browser speaks that language;
    the test fails on any console error or CSP violation in any of them."""
    contexts, problems = [], []

    def make(language="es"):
        context = browser.new_context(base_url=live_server, locale=LOCALES[language])
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], f"browser reported errors: {problems}"


def sign_in_speaking(page, username, language):
    """Sign in, then choose the language in the menu if the account's saved one is another."""
    sign_in(page, username)
    if page.locator("html").get_attribute("lang") != language:
        page.click("#language-menu")
        with page.expect_navigation():
            page.click(f"button[data-locale={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)


def assert_no_sideways_scroll(shell, where):
    assert shell["scrollWidth"] <= shell["innerWidth"], f"{where}: the page is {shell['scrollWidth']} px wide"


def assert_brand_says_it_all(shell, where):
    assert shell["brandText"] == ORGANISATION and shell["brandTitle"] == ORGANISATION, where


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("username", PAGES)
def test_the_bar_is_one_line_on_a_laptop(open_page, long_organisation, saved_languages, username, language):
    page = open_page(language)
    sign_in_speaking(page, username, language)
    for width, height in LAPTOPS:
        page.set_viewport_size({"width": width, "height": height})
        for path in PAGES[username]:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            shell = page.evaluate(SHELL)
            where = f"{username} {language} {width}×{height} {path}"
            assert_no_sideways_scroll(shell, where)
            assert not shell["toggler"], where
            one_row = max(entry["height"] for entry in shell["entries"])
            assert shell["nav"]["height"] < one_row * 1.5 + 18, f"{where}: the bar wraps ({shell['nav']['height']} px)"
            tops = {round(entry["top"] + entry["height"] / 2) for entry in shell["entries"]}
            assert max(tops) - min(tops) <= 4, f"{where}: entries on more than one line: {shell['entries']}"
            menu = shell["userMenu"]
            assert menu["left"] >= 0 and menu["right"] <= width and menu["bottom"] <= shell["nav"]["bottom"], where
            assert shell["brand"]["right"] <= min(entry["left"] for entry in shell["entries"][1:]) + 1, where
            assert_brand_says_it_all(shell, where)
    assert shell["brandCut"] or username != "admin"  # 60 characters do not fit beside the admin's menus


def test_the_admins_groups_work_from_the_keyboard(open_page, long_organisation, saved_languages):
    page = open_page("en")
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in_speaking(page, "admin", "en")
    page.goto("/admin/helpdesk/holidays")
    group = page.locator("#nav-helpdesk")
    expect(group).to_have_attribute("aria-current", "true")
    expect(group).to_have_class(re.compile(r"\bactive\b"))
    assert page.locator("#nav-queue").get_attribute("aria-current") is None
    group.focus()
    page.keyboard.press("Enter")
    expect(group).to_have_attribute("aria-expanded", "true")
    menu = page.locator("[aria-labelledby=nav-helpdesk]")
    expect(menu).to_be_visible()
    expect(menu.locator("[aria-current=page]")).to_have_text("Business hours")
    page.keyboard.press("ArrowDown")
    expect(menu.locator("a").first).to_be_focused()
    expect(menu.locator("a").first).to_have_text("Helpdesk dashboard")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(group).to_be_focused()
    group.click()
    with page.expect_navigation():
        menu.get_by_text("All tickets").click()
    assert page.url.endswith("/tickets/admin")
    page.click("#nav-settings")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/admin/audit")
    expect(page.locator("#nav-settings")).to_have_attribute("aria-current", "true")
    expect(page.locator("#nav-helpdesk")).not_to_have_attribute("aria-current", "true")


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("username", ["admin", "agent1", "user1"])
def test_on_a_phone_the_bar_collapses_and_nothing_is_wider_than_the_screen(open_page, long_organisation,
                                                                            saved_languages, username, language):
    page = open_page(language)
    sign_in_speaking(page, username, language)  # on a laptop: the language menu is in sight
    width, height = PHONE
    page.set_viewport_size({"width": width, "height": height})
    for path in PAGES[username]:
        page.goto(path)
        shell = page.evaluate(SHELL)
        where = f"{username} {language} phone {path}"
        assert shell["toggler"] and page.locator("#main-nav").is_hidden(), where
        assert_no_sideways_scroll(shell, where)
        toggler = page.locator(".navbar-toggler").bounding_box()
        assert shell["brand"]["right"] <= toggler["x"] and toggler["x"] + toggler["width"] <= width, where
        assert toggler["height"] >= MIN_TARGET and toggler["width"] >= MIN_TARGET, where
        assert_brand_says_it_all(shell, where)
    page.click(".navbar-toggler")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("#user-menu")).to_be_in_viewport()
    for toggle in ["#user-menu", *(["#nav-helpdesk"] if username == "admin" else [])]:
        page.click(toggle)
        expect(page.locator(toggle)).to_have_attribute("aria-expanded", "true")
        shell = page.evaluate(SHELL)
        assert_no_sideways_scroll(shell, f"{username} {language} phone, {toggle} open")
        assert shell["userMenu"]["right"] <= width


def small_targets(page, scope="body"):
    return [target for target in page.evaluate(TARGETS, scope)
            if min(target["width"], target["height"]) < (MIN_MAIN_TARGET if target["main"] else MIN_TARGET)]


@pytest.fixture
def registrar(open_page):
    """registrar1 at the kiosk; window.print() does nothing (a real kiosk prints silently). The
    numbers a test takes leave the line when it ends: the server is shared with the other browser
    tests, whose counters expect to call their own numbers."""
    page = open_page("es")
    page.add_init_script("window.print = function () {};")
    page.taken = []
    sign_in(page, "registrar1")
    yield page
    for status_url in page.taken:
        page.goto(status_url)
        with page.expect_navigation():  # the form as its button sends it, without the confirmation
            page.evaluate("document.getElementById('status-cancel').submit()")


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720), PHONE, (1080, 1920)],
                         ids=lambda size: "×".join(map(str, size)))
def test_kiosk_receipt_call_screen_and_status_page_targets(registrar, open_page, long_organisation, size):
    width, height = size
    page = registrar
    page.set_viewport_size({"width": width, "height": height})
    for path in ("/registro", "/registro?mode=kiosk"):
        page.goto(path)
        scope = "main" if "mode" not in path else "body"  # at the desk the bar is the shell's, not the kiosk's
        targets = page.evaluate(TARGETS, scope)
        assert sum(target["main"] for target in targets) >= 4, path  # "no" + three priorities, and services
        assert small_targets(page, scope) == [], f"{path} at {width}×{height}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path

    page.goto("/registro")
    page.locator("button.kiosk-service").first.click()
    page.wait_for_url(re.compile(r"/registro/tickets/\d+$"))
    status_url = page.locator(".receipt-url").inner_text()
    page.taken.append(status_url)
    expect(page.locator("#print-again")).to_be_visible()
    assert small_targets(page) == [], f"receipt at {width}×{height}"

    public = open_page("es")
    public.set_viewport_size({"width": width, "height": height})
    public.goto("/")
    expect(public.locator("#display-sound")).to_be_visible()  # headless Chromium blocks sound until a tap
    assert small_targets(public) == [], f"call screen at {width}×{height}"
    public.goto(status_url)
    expect(public.locator("#status-alert-enable")).to_be_visible()
    expect(public.locator("#status-cancel button")).to_be_visible()
    assert small_targets(public, "main") == [], f"status page at {width}×{height}"
    assert public.evaluate("document.documentElement.scrollWidth") <= width
