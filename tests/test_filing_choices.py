"""Filing a ticket: the category starts at "Choose…" on every form and is required; a setting lets
people filing choose the priority; the API says which fields of a new ticket it ignored."""
import pytest

from extensions import db
from models import Ticket
from services.helpdesk import captcha
from services.settings import requester_priority, save_settings
from tests.conftest import PASSWORD
from tests.support.page_tree import Page

ENGLISH = {"Accept-Language": "en"}
LONGEST_TITLE = "Impresora del tercer piso atasca cada hoja — área de Contabilidad y Tesorería " * 3


@pytest.fixture
def known_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "new_text", lambda: "K7P2Q")


def set_requester_priority(app, on):
    with app.app_context():
        save_settings({"requester_priority": on}, None)


def category_select(html):
    return Page(html).find("select", name="category_id")


# --- "Choose…" first, and a choice required ------------------------------------------------------


@pytest.mark.parametrize("role, path", [(None, "/soporte"), ("user", "/tickets/new"), ("agent", "/tickets/new"),
                                        ("admin", "/tickets/new")])
def test_every_filing_form_starts_at_choose(client_as, helpdesk, role, path):
    """Before: the first category (Facturación's) came preselected."""
    select = category_select(client_as(role).get(path, headers=ENGLISH).get_data(as_text=True))
    options = select.find_all("option")
    assert options[0].get("value") == "" and options[0].text == "Choose…"
    assert options[0].parent is select  # outside the areas' groups
    assert not any(option.has("selected") for option in options)
    assert {group.get("label") for group in select.find_all("optgroup")} == {"Soporte Técnico", "Facturación"}


def test_choose_speaks_to_the_person_in_spanish(client_as, helpdesk):
    """Usted throughout: "Elija…", as the error beside it says "Elija una categoría."."""
    select = category_select(client_as(None).get("/soporte").get_data(as_text=True))
    assert select.find_all("option")[0].text == "Elija…"


@pytest.mark.parametrize("headers, message", [({}, "Elija una categoría."), (ENGLISH, "Choose a category.")])
def test_filing_without_choosing_is_refused_in_the_users_language(app, client_as, helpdesk, known_captcha, headers,
                                                                  message):
    user = client_as("user")
    response = user.post("/tickets/new", headers=headers, data={
        "title": LONGEST_TITLE[:200], "description": "Sale la hoja arrugada.", "category_id": ""})
    select = category_select(response.get_data(as_text=True))
    assert response.status_code == 200 and "is-invalid" in select.get("class")
    assert message in Page(response.get_data(as_text=True)).find(class_="invalid-feedback").text
    anonymous = client_as(None)
    anonymous.get("/soporte/captcha.png")
    response = anonymous.post("/soporte", headers=headers, data={
        "name": "José Ñúñez", "email": "jose@example.org", "title": "Sin red", "description": "Nada conecta.",
        "category_id": "", "captcha": "K7P2Q"})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


# --- requesters may choose the priority when Settings say so ---------------------------------------


def test_the_setting_is_on_the_settings_page_and_off_by_default(app, admin_client, helpdesk):
    page = Page(admin_client.get("/admin/settings").get_data(as_text=True))
    checkbox = page.find("input", name="requester_priority")
    assert checkbox is not None and not checkbox.has("checked")
    with app.test_request_context():
        assert requester_priority() is False


@pytest.mark.parametrize("role, path", [(None, "/soporte"), ("user", "/tickets/new")])
def test_people_filing_see_the_priority_only_when_the_setting_is_on(app, client_as, helpdesk, role, path):
    client = client_as(role)
    assert Page(client.get(path).get_data(as_text=True)).find("select", name="priority_id") is None
    set_requester_priority(app, True)
    select = Page(client.get(path, headers=ENGLISH).get_data(as_text=True)).find("select", name="priority_id")
    assert [option.text for option in select.find_all("option")][:2] == ["From the category", "Low"]


def test_a_requester_files_with_the_priority_they_chose(app, client_as, helpdesk, known_captcha):
    set_requester_priority(app, True)
    critical = helpdesk["priorities"]["critical"]
    client_as("user").post("/tickets/new", data={"title": "Servidor caído", "description": "Nadie trabaja.",
                                                 "category_id": helpdesk["printer"], "priority_id": critical})
    anonymous = client_as(None)
    anonymous.get("/soporte/captcha.png")
    anonymous.post("/soporte", data={"name": "Ana", "email": "ana@example.org", "title": "Red caída",
                                     "description": "Sin red.", "category_id": helpdesk["invoice"],
                                     "priority_id": critical, "captcha": "K7P2Q"})
    anonymous.get("/soporte/captcha.png")
    anonymous.post("/soporte", data={"name": "Ana", "email": "ana@example.org", "title": "Factura",
                                     "description": "Sin factura.", "category_id": helpdesk["invoice"],
                                     "priority_id": "0", "captcha": "K7P2Q"})
    with app.app_context():
        priorities = {t.title: t.priority.code for t in db.session.scalars(db.select(Ticket))}
    assert priorities == {"Servidor caído": "critical", "Red caída": "critical", "Factura": "low"}


def test_with_the_setting_off_a_posted_priority_changes_nothing(app, client_as, helpdesk):
    client_as("user").post("/tickets/new", data={"title": "Impresora", "description": "No imprime.",
                                                 "category_id": helpdesk["printer"],
                                                 "priority_id": helpdesk["priorities"]["critical"]})
    with app.app_context():
        assert db.session.scalar(db.select(Ticket)).priority.code == "medium"


def test_saving_the_settings_turns_it_on(app, admin_client, helpdesk):
    response = admin_client.post("/admin/settings", data={
        "organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es", "mail_port": "587",
        "display_recent_count": "6", "attachment_max_mb": "5", "attachment_max_files": "5",
        "attachment_retention_days": "7", "auto_close_hours": "72", "requester_priority": "y"})
    assert response.status_code == 302
    with app.test_request_context():
        assert requester_priority() is True


# --- the API says what it ignored ----------------------------------------------------------------


@pytest.fixture
def api(client, helpdesk):
    tokens = {}

    def post(role, body, headers=None):
        if role not in tokens:
            tokens[role] = client.post("/api/auth/login", json={"username": f"{role}1", "password": PASSWORD}
                                       ).json["access_token"]
        return client.post("/api/tickets/tickets", json=body,
                           headers={"Authorization": f"Bearer {tokens[role]}", **(headers or {})})

    return post


def test_the_api_names_a_priority_it_ignored_as_it_was_sent(api, helpdesk):
    """Before: a requester's priority was silently dropped."""
    response = api("user", {"titulo": "Impresora", "descripcion": "No imprime", "id_categoria": helpdesk["printer"],
                            "id_criticidad": helpdesk["priorities"]["critical"]}, ENGLISH)
    assert response.status_code == 201 and response.json["priority"]["code"] == "medium"
    assert response.json["ignored"] == [{
        "field": "id_criticidad", "reason": "On this desk only staff choose the priority; the category's was used."}]


def test_the_api_names_unknown_fields(api, helpdesk):
    response = api("user", {"title": "Impresora", "description": "No imprime", "category_id": helpdesk["printer"],
                            "urgencia": "alta", "adjunto": None}, ENGLISH)
    assert response.status_code == 201
    assert response.json["ignored"] == [{"field": "adjunto", "reason": "A ticket has no such field."},
                                        {"field": "urgencia", "reason": "A ticket has no such field."}]


def test_nothing_is_ignored_when_everything_is_used(app, api, helpdesk):
    body = {"title": "Red caída", "description": "Sin red", "category_id": helpdesk["network"],
            "priority_id": helpdesk["priorities"]["critical"]}
    response = api("agent", body)
    assert response.json["ignored"] == [] and response.json["priority"]["code"] == "critical"
    set_requester_priority(app, True)
    response = api("user", body)
    assert response.json["ignored"] == [] and response.json["priority"]["code"] == "critical"


def test_the_openapi_document_describes_ignored(client, users):
    document = client.get("/api/openapi.json").json
    created = document["paths"]["/api/tickets/tickets"]["post"]["responses"]
    assert created["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FiledTicket"}
    ignored = document["components"]["schemas"]["FiledTicket"]["properties"]["ignored"]
    assert ignored["type"] == "array" and "priority" in ignored["description"]
    assert "503" in created
