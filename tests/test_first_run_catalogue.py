"""A fresh installation can take a ticket: the wizard gives the helpdesk its priorities and, when
the admin accepts it, a starter catalogue in the chosen language; until a category exists the
filing pages and the API say the desk is not ready, and the admin sees what is missing."""
import pytest

from extensions import db
from models import Area, AuditLog, Category, Priority, User
from services.helpdesk import starter_catalogue
from tests.support.page_tree import Page

WIZARD = {
    "organisation_name": "Secretaría de Educación del Municipio de San José de las Montañas",
    "timezone": "America/Bogota", "default_locale": "es", "public_url": "http://192.168.1.10:5000",
    "admin_username": "jefa.sistemas", "admin_email": "jefa@educacion.example", "admin_full_name": "María José Núñez",
    "new_password": "clave-segura-1", "confirm_password": "clave-segura-1", "mail_port": "587",
    "mail_security": "starttls",
}
EXPECTED_CATEGORIES = sum(len(area.categories) for area in starter_catalogue.starter_areas("es"))


def finish_wizard(client, **changes):
    response = client.post("/setup", data={**WIZARD, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def catalogue(app):
    with app.app_context():
        return {
            "priorities": {p.code: p.name for p in db.session.scalars(db.select(Priority))},
            "areas": sorted(a.name for a in db.session.scalars(db.select(Area))),
            "categories": {c.name: c.default_priority.code for c in db.session.scalars(db.select(Category))},
        }


# --- the wizard --------------------------------------------------------------------------------


def test_the_wizard_offers_the_starter_catalogue_in_both_languages(client):
    html = client.get("/setup").get_data(as_text=True)
    page = Page(html)
    assert page.find("input", name="starter_catalogue", value="yes").has("checked")
    assert not page.find("input", name="starter_catalogue", value="no").has("checked")
    # The preview in the chosen default language shows; the other waits for the language select.
    assert not page.find(data_starter_language="es").has("hidden")
    assert page.find(data_starter_language="en").has("hidden")
    assert "Soporte técnico" in html and "Technical support" in html


@pytest.mark.parametrize("locale, area, category, priorities", [
    ("es", "Soporte técnico", "No puedo iniciar sesión", {"low": "Baja", "critical": "Crítica"}),
    ("en", "Technical support", "I cannot sign in", {"low": "Low", "critical": "Critical"}),
])
def test_accepting_the_starter_catalogue_creates_it_in_the_chosen_language(app, client, locale, area, category,
                                                                            priorities):
    finish_wizard(client, default_locale=locale, starter_catalogue="yes")
    created = catalogue(app)
    assert set(created["priorities"]) == {"low", "medium", "high", "critical"}
    assert priorities.items() <= created["priorities"].items()
    assert area in created["areas"] and len(created["areas"]) == 3
    assert created["categories"][category] == "high"  # every category has its default priority
    assert len(created["categories"]) == EXPECTED_CATEGORIES
    with app.app_context():  # each row is in the audit trail, by the new admin
        actions = {entry.action for entry in db.session.scalars(db.select(AuditLog))}
        assert {"area.created", "category.created", "priority.created"} <= actions


def test_skipping_the_starter_catalogue_still_gives_the_four_priorities(app, client):
    """Before: a fresh install had no priority at all until someone opened the catalogue pages."""
    finish_wizard(client, default_locale="en", starter_catalogue="no")
    created = catalogue(app)
    assert created["priorities"] == {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
    assert created["areas"] == [] and created["categories"] == {}


def test_the_wizard_ends_on_what_is_ready_and_what_is_next(client):
    """Before: it ended on the queue dashboard with no word about the helpdesk."""
    response = finish_wizard(client, default_locale="en", starter_catalogue="no")
    assert response.headers["Location"] == "/setup/done"
    html = client.get("/setup/done", headers={"Accept-Language": "en"}).get_data(as_text=True)
    page = Page(html)
    for section in ("checklist-queue", "checklist-helpdesk", "checklist-mail"):
        assert page.by_id(section) is not None
    assert page.by_id("checklist-services").get("data-done") == "false"
    assert page.by_id("checklist-categories").get("data-done") == "false"
    assert page.by_id("checklist-priorities").get("data-done") == "true"
    assert "Not taking tickets yet" in page.by_id("checklist-helpdesk").text
    assert "/admin/helpdesk/categories" in page.by_id("checklist-categories").links()
    assert page.by_id("add-starter-catalogue") is not None
    assert "http://192.168.1.10:5000/soporte" in html


def test_the_checklist_says_the_helpdesk_takes_tickets_after_accepting(client):
    finish_wizard(client, starter_catalogue="yes")
    page = Page(client.get("/setup/done").get_data(as_text=True))
    assert page.by_id("checklist-categories").get("data-done") == "true"
    assert page.by_id("checklist-agents").get("data-done") == "false"  # agents come next
    assert page.by_id("add-starter-catalogue") is None


def test_the_starter_catalogue_can_be_added_later_once(app, client):
    finish_wizard(client, starter_catalogue="no")
    response = client.post("/setup/starter-catalogue", data={"next": "/tickets/dashboard"})
    assert response.status_code == 302 and response.headers["Location"] == "/tickets/dashboard"
    assert len(catalogue(app)["categories"]) == EXPECTED_CATEGORIES
    client.post("/setup/starter-catalogue", data={"next": "//elsewhere.example"})  # twice: nothing more
    assert len(catalogue(app)["categories"]) == EXPECTED_CATEGORIES
    assert client.post("/setup/starter-catalogue", data={}, csrf=False).status_code == 400


# --- the desk is not ready until a category exists ----------------------------------------------


@pytest.fixture
def fresh_desk(app, client):
    """A desk just out of the wizard without the starter catalogue, its admin signed in on `client`."""
    finish_wizard(client, starter_catalogue="no")
    with app.app_context():
        requester = User(username="usuario", email="usuario@example.org", full_name="Usuario Uno")
        requester.set_password("password123")
        db.session.add(requester)
        db.session.commit()
    return client


def test_soporte_says_the_desk_is_not_ready_instead_of_an_unusable_form(app, fresh_desk):
    """Before: /soporte showed a required category list with no options."""
    anonymous = app.test_client()
    page = Page(anonymous.get("/soporte", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert page.by_id("public-ticket-form") is None
    assert "not ready to take requests" in page.by_id("helpdesk-not-ready").text
    response = anonymous.post("/soporte", data={"title": "x", "description": "y", "name": "Ana", "email": "a@b.org"})
    assert response.status_code == 503
    fresh_desk.post("/setup/starter-catalogue")
    page = Page(anonymous.get("/soporte").get_data(as_text=True))
    assert page.by_id("public-ticket-form") is not None and page.by_id("helpdesk-not-ready") is None


def test_the_signed_in_new_ticket_page_says_the_same(app, fresh_desk):
    requester = app.test_client()
    requester.post("/login", data={"login": "usuario", "password": "password123"})
    page = Page(requester.get("/tickets/new").get_data(as_text=True))
    assert page.by_id("ticket-form") is None and page.by_id("helpdesk-not-ready") is not None
    # The admin sees what is missing there, with the pages that set it up.
    admin_page = fresh_desk.get("/tickets/new").get_data(as_text=True)
    assert "/admin/helpdesk/categories/new" in admin_page and 'id="add-starter-catalogue"' in admin_page


def test_the_api_says_the_desk_is_not_ready_in_the_callers_language(app, fresh_desk):
    api = app.test_client()
    token = api.post("/api/auth/login", json={"username": "usuario", "password": "password123"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    response = api.post("/api/tickets/tickets", json={"titulo": "x", "descripcion": "y", "id_categoria": 1},
                        headers=headers)
    assert response.status_code == 503 and response.json["error"] == "helpdesk_not_ready"
    assert "categories" in response.json["message"]


def test_the_admin_sees_what_is_missing_on_the_helpdesk_pages(fresh_desk):
    for path in ("/tickets/dashboard", "/admin/settings"):
        notice = Page(fresh_desk.get(path).get_data(as_text=True)).by_id("helpdesk-not-ready")
        assert notice is not None, path
        assert {"/admin/helpdesk/categories/new", "/admin/helpdesk/areas/new"} <= set(notice.links()), path
    fresh_desk.post("/setup/starter-catalogue")
    page = Page(fresh_desk.get("/tickets/dashboard").get_data(as_text=True))
    assert page.by_id("helpdesk-not-ready") is None
    assert page.by_id("helpdesk-no-agents") is not None  # the next thing to do: agents


def test_the_admin_is_told_on_every_page_until_the_desk_takes_tickets(app, fresh_desk):
    """Found trying it: an admin signing in lands on the queue dashboard, with no word that the
    helpdesk cannot take tickets. A line under the menu says so and points at the checklist."""
    landing = fresh_desk.get("/login")  # signed in already: sent to the admin's home
    home = landing.headers["Location"]
    for path in (home, "/admin/users", "/tickets"):
        banner = Page(fresh_desk.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)).by_id(
            "helpdesk-not-ready-banner")
        assert banner is not None and "cannot take tickets yet" in banner.text, path
        assert "/setup/done" in banner.links(), path
    # Where the full notice shows, the line would repeat it.
    for path in ("/tickets/dashboard", "/admin/settings", "/setup/done"):
        assert Page(fresh_desk.get(path).get_data(as_text=True)).by_id("helpdesk-not-ready-banner") is None, path
    requester = app.test_client()
    requester.post("/login", data={"login": "usuario", "password": "password123"})
    assert 'id="helpdesk-not-ready-banner"' not in requester.get("/tickets").get_data(as_text=True)
    fresh_desk.post("/setup/starter-catalogue")
    assert 'id="helpdesk-not-ready-banner"' not in fresh_desk.get(home).get_data(as_text=True)
