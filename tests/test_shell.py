"""The page shell: security headers, cookies, error pages, language choice, local assets, health."""
import re
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from extensions import db
from models import User
from routes.admin import views as admin_views
from services.settings import save_settings
from tests.support.html import Elements


def test_security_headers_on_pages_api_and_static(client, users):
    for path in ("/login", "/api/auth/me", "/static/css/app.css", "/nothing"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_https_adds_hsts_and_a_secure_cookie(app, users):
    client = app.test_client()
    response = client.post("/login", data={"login": "user1", "password": "password123"},
                           base_url="https://desk.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_over_http_is_httponly_and_lax(client, users):
    cookie = client.post("/login", data={"login": "user1", "password": "password123"}).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_pages_have_no_inline_script_and_no_remote_assets(client_as):
    for role in (None, "admin"):
        html = client_as(role).get("/login" if role is None else "/admin/users").get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
        assert not re.search(r"\son\w+=", html), "inline event handler found"
        assert not re.search(r'(src|href)="(https?:)?//', html), "asset from another host"
        assert 'style="' not in html


def test_vendored_assets_are_served(client):
    for path in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/bootstrap/bootstrap.bundle.min.js",
                 "/static/vendor/socket.io/socket.io.min.js", "/static/js/theme.js", "/static/js/keepalive.js"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.data) > 100, path
        response.close()


def test_not_found_and_forbidden_pages(client_as):
    response = client_as("user").get("/no/such/page")
    assert response.status_code == 404 and "404" in response.get_data(as_text=True)
    response = client_as("user").get("/admin/users")
    assert response.status_code == 403 and "403" in response.get_data(as_text=True)


def test_an_unexpected_error_renders_the_500_page(admin_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(admin_views.user_service, "list_users", broken)
    response = admin_client.get("/admin/users")
    assert response.status_code == 500
    assert "500" in response.get_data(as_text=True) and "boom" not in response.get_data(as_text=True)


def test_health_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_health_says_when_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


# --- language --------------------------------------------------------------------------


def html_lang(response):
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_spanish_by_default_english_from_the_browser(client, users):
    page = client.get("/login")
    assert html_lang(page) == "es" and "Iniciar sesión" in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(page) == "en" and "Sign in" in page.get_data(as_text=True)
    assert html_lang(client.get("/login", headers={"Accept-Language": "fr-FR"})) == "es"


def test_the_switcher_beats_the_browser(client, users):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert html_lang(client.get("/login", headers={"Accept-Language": "es"})) == "en"


def test_switcher_ignores_unknown_languages_and_foreign_redirects(client, users):
    response = client.post("/language", data={"locale": "xx", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert html_lang(client.get("/login")) == "es"


def test_a_signed_in_users_choice_is_saved_on_the_account(app, client_as, users):
    client = client_as("agent")
    client.post("/language", data={"locale": "en", "next": "/account"})
    with app.app_context():
        assert db.session.get(User, users["agent"]).locale == "en"
    other_browser = client_as("agent")
    assert html_lang(other_browser.get("/account", headers={"Accept-Language": "es"})) == "en"


def test_profile_language_automatic_follows_the_browser(app, client_as, users):
    client = client_as("agent")
    client.post("/account", data={"full_name": "Agente Uno", "locale": "en"})
    assert html_lang(client.get("/account")) == "en"
    client.post("/account", data={"full_name": "Agente Uno", "locale": ""})
    assert html_lang(client.get("/account", headers={"Accept-Language": "es"})) == "es"
    with app.app_context():
        assert db.session.get(User, users["agent"]).full_name == "Agente Uno"


# --- the navigation bar ----------------------------------------------------------------

NAVIGATION = {
    "admin": ["/admin", "/admin/services", "/admin/counters", "/admin/screens", "/registro",  # Queue
              "/tickets/dashboard", "/tickets/admin", "/admin/helpdesk/areas", "/admin/helpdesk/hours",  # Helpdesk
              "/admin/users", "/admin/settings", "/admin/audit"],  # Users; Settings
    "staff": ["/panel"],
    "registrar": ["/registro"],
    "agent": ["/tickets/ingeniero", "/tickets", "/tickets/new"],
    "user": ["/tickets", "/tickets/new"],
}


def navigation(html):
    """The tags of the bar's own entries (left of the language menu), in order."""
    nav = html[html.index('id="main-nav"'):html.index('id="language-menu"')]
    return Elements(nav).tags


@pytest.mark.parametrize("role", NAVIGATION)
def test_navigation_fits_the_role(client_as, role):
    html = client_as(role).get("/account").get_data(as_text=True)
    assert [attrs["href"] for tag, attrs in navigation(html) if tag == "a"] == NAVIGATION[role]
    assert 'id="theme-toggle"' in html and 'action="/logout"' in html and 'action="/language"' in html
    groups = [attrs["id"] for tag, attrs in navigation(html) if tag == "button"]
    assert groups == (["nav-queue", "nav-helpdesk", "nav-settings"] if role == "admin" else [])


def test_the_admins_entries_are_grouped_in_keyboard_menus(admin_client):
    tags = navigation(admin_client.get("/admin/users").get_data(as_text=True))
    for group in ("queue", "helpdesk", "settings"):
        toggle = next(attrs for tag, attrs in tags if attrs.get("id") == f"nav-{group}")
        assert toggle["data-bs-toggle"] == "dropdown" and toggle["aria-expanded"] == "false"
        assert toggle["type"] == "button" and "active" not in toggle["class"].split()
        assert any(attrs.get("aria-labelledby") == f"nav-{group}" for tag, attrs in tags if tag == "ul")
    (users,) = [attrs for tag, attrs in tags if attrs.get("aria-current")]
    assert users["href"] == "/admin/users" and users["aria-current"] == "page" and "active" in users["class"].split()


@pytest.mark.parametrize("path, group, current", [
    ("/admin", "queue", "/admin"), ("/admin/services/new", "queue", "/admin/services"),
    ("/admin/screens", "queue", "/admin/screens"), ("/tickets/admin", "helpdesk", "/tickets/admin"),
    ("/admin/helpdesk/categories", "helpdesk", "/admin/helpdesk/areas"),
    ("/admin/helpdesk/holidays", "helpdesk", "/admin/helpdesk/hours"),
    ("/admin/audit", "settings", "/admin/audit"), ("/admin/settings", "settings", "/admin/settings"),
])
def test_the_group_of_the_page_is_marked(admin_client, path, group, current):
    tags = navigation(admin_client.get(path).get_data(as_text=True))
    marked = [attrs for tag, attrs in tags if attrs.get("aria-current")]
    toggles = [(attrs["id"], attrs["aria-current"]) for attrs in marked if attrs.get("id")]
    assert toggles == [(f"nav-{group}", "true")]
    assert [attrs["href"] for attrs in marked if attrs.get("href")] == [current]
    assert "active" in marked[0]["class"].split()
    assert all("active" not in attrs.get("class", "").split() for tag, attrs in tags if attrs not in marked)


def test_the_bar_keeps_long_names_short_and_says_them_whole(app, client_as):
    name = "Secretaría Municipal de Atención Ciudadana y Trámites Públicos"[:60]
    with app.app_context():
        save_settings({"organisation_name": name}, None)
    html = client_as("agent").get("/account").get_data(as_text=True)
    brand = next(attrs for tag, attrs in Elements(html).tags if "navbar-brand" in attrs.get("class", ""))
    assert brand["title"] == name and "text-truncate" in brand["class"] and f">{name}</a>" in html
    assert Elements(html).by_id("user-menu")["title"] == "Agent Uno"
    # The icons speak: the language menu and the theme switch are named in words.
    assert re.search(r'id="language-menu"[^>]*>.*?<span class="nav-label-lg-hidden">Idioma:</span> ES</button>',
                     html, re.S)
    theme = Elements(html).by_id("theme-toggle")
    assert theme["aria-pressed"] == "false" and theme["title"] == "Modo oscuro"


@pytest.mark.parametrize("path", ["/admin/users/99999999999999999999/edit", "/admin/users?page=99999999999999999999",
                                  "/admin/audit?page=-5", "/admin/users?q=%25_%5C"])
def test_absurd_ids_and_pages_are_not_server_errors(admin_client, path):
    assert admin_client.get(path).status_code in (200, 404)


def test_user_search_treats_wildcards_literally(admin_client, users):
    page = admin_client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "agent1" not in page


def test_oversize_bodies_are_refused(app, client, users):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/api/auth/login", data="x" * 4096, content_type="application/json")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    assert response.status_code == 413


def test_every_table_scrolls_in_its_own_box():
    """On a phone a wide table scrolls inside its .table-responsive box; the page itself never
    scrolls sideways (tests/e2e/test_shell_fits.py measures it). Mail is laid out with tables of its own."""
    unboxed = []
    templates = Path(__file__).resolve().parents[1] / "templates"
    for template in sorted(templates.rglob("*.html")):
        if template.relative_to(templates).parts[0] == "email":
            continue
        html = template.read_text(encoding="utf-8")
        for table in re.finditer(r"<table\b", html):
            before = html[:table.start()]
            box = before.rfind("table-responsive")
            if box == -1 or "</div>" in before[box:] or "<table" in before[box:]:
                unboxed.append(f"{template.relative_to(templates)}:{before.count(chr(10)) + 1}")
    assert unboxed == []
