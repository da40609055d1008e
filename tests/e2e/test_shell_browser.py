"""In Chromium: sign in with each demo role, switch theme and language, sign out."""
import pytest

from tests.support.browser import expect, sign_in, wait_in_page

pytestmark = pytest.mark.browser

DEMO_HOMES = {
    "admin": "/admin",
    "staff1": "/panel",
    "registrar1": "/registro",
    "agent1": "/tickets/ingeniero",
    "user1": "/tickets",
}


@pytest.mark.parametrize("username", DEMO_HOMES)
def test_each_demo_role_signs_in_and_out(page, live_server, username):
    sign_in(page, username)
    page.wait_for_url(f"{live_server}{DEMO_HOMES[username]}")
    assert page.locator("#user-menu").is_visible()
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url(f"{live_server}/login")
    assert page.locator("#user-menu").count() == 0


def test_dark_mode_is_remembered_across_pages(page):
    page.goto("/login")
    html = page.locator("html")
    assert html.get_attribute("data-bs-theme") == "light"
    page.click("#theme-toggle")
    assert html.get_attribute("data-bs-theme") == "dark"
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    sign_in(page, "agent1")
    page.wait_for_url("**/tickets/ingeniero")
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    page.click("#theme-toggle")
    page.reload()
    assert page.locator("html").get_attribute("data-bs-theme") == "light"


def switch_language(page, locale):
    """Choose a language in the menu. The choice is a form POST answered with a redirect back to
    the same address, so the URL cannot tell when the new page is there: the click has to wait for
    that navigation, or what is read next may still be the old page."""
    page.click("#language-menu")
    with page.expect_navigation():
        page.click(f"button[data-locale={locale}]")
    expect(page.locator("html")).to_have_attribute("lang", locale)


def test_language_switch_changes_the_page_and_sticks(page):
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Sign in")
    sign_in(page, "admin")
    page.wait_for_url("**/admin")
    page.goto("/admin/users")
    expect(page.locator("h1")).to_have_text("Users")
    switch_language(page, "es")
    expect(page.locator("h1")).to_have_text("Usuarios")


def test_delete_asks_for_confirmation(page):
    sign_in(page, "admin")
    page.wait_for_url("**/admin")
    page.goto("/admin/users")
    page.click("text=user1")
    page.wait_for_url("**/users/*/edit")
    # After confirm.js (on the document), record whether each submit was let through.
    page.evaluate("() => { window.submits = []; window.addEventListener('submit', "
                  "event => window.submits.push(event.defaultPrevented ? 'cancelled' : 'sent')); }")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button")
    submits = wait_in_page(page, lambda: page.evaluate("() => window.submits.length && window.submits"))
    assert submits == ["cancelled"] and "/edit" in page.url  # dismissed: nothing was sent
