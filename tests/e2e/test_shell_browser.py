"""In Chromium: sign in with each demo role, switch theme and language, sign out."""
import pytest

pytestmark = pytest.mark.browser

DEMO_HOMES = {
    "admin": "/admin",
    "staff1": "/panel",
    "registrar1": "/registro",
    "agent1": "/tickets/ingeniero",
    "user1": "/tickets",
}


def sign_in(page, username, password="demo1234"):
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")


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


def test_language_switch_changes_the_page_and_sticks(page):
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    page.click("#language-menu")
    page.click("button[data-locale=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    sign_in(page, "admin")
    page.wait_for_url("**/admin")
    page.goto("/admin/users")
    assert page.locator("h1").inner_text() == "Users"
    page.click("#language-menu")
    page.click("button[data-locale=es]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Usuarios"


def test_delete_asks_for_confirmation(page):
    sign_in(page, "admin")
    page.wait_for_url("**/admin")
    page.goto("/admin/users")
    page.click("text=user1")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button")
    page.wait_for_timeout(300)
    assert "/edit" in page.url  # dismissed: nothing was sent
