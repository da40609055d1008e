"""Helpdesk JSON API: /api/tickets/* with a Bearer token, as a separate front end would use it."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from extensions import db
from models import Category, Role, Ticket, TicketComment, TicketStatus, User
from services.helpdesk.tickets import status_label
from services.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.support.queries import statements_on

BASE = "/api/tickets"


@pytest.fixture
def api(client, helpdesk):
    """api("user").get(path) etc.: the test client with that role's Bearer token."""
    tokens = {}

    class Caller:
        def __init__(self, login):
            if login not in tokens:
                response = client.post("/api/auth/login", json={"username": login, "password": PASSWORD})
                assert response.status_code == 200, response.json
                tokens[login] = response.json["access_token"]
            self.headers = {"Authorization": f"Bearer {tokens[login]}"}

        def get(self, path, headers=None):
            return client.get(BASE + path, headers={**self.headers, **(headers or {})})

        def post(self, path, json=None):
            return client.post(BASE + path, json=json, headers=self.headers)

        def put(self, path, json=None):
            return client.put(BASE + path, json=json, headers=self.headers)

        def delete(self, path):
            return client.delete(BASE + path, headers=self.headers)

    return lambda role: Caller(f"{role}1" if role in [r.value for r in Role] else role)


@pytest.fixture
def second_user(app, users):
    with app.app_context():
        user = User(username="user2", email="user2@example.org", full_name="Usuaria Dos", role=Role.USER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def file(api, role="user", **body):
    body = {key: value for key, value in {"titulo": "Impresora", "descripcion": "No imprime", **body}.items()
            if value is not None}
    response = api(role).post("/tickets", json=body)
    assert response.status_code == 201, response.json
    return response.json


# --- filing -------------------------------------------------------------------------------------


def test_filing_with_the_seed_names_answers_201_with_the_ticket_and_its_location(api, helpdesk):
    response = api("user").post("/tickets", json={
        "titulo": "Problema con impresora", "descripcion": "La impresora no responde",
        "id_categoria": helpdesk["printer"], "id_criticidad": helpdesk["priorities"]["critical"],
        "id_ubicacion": helpdesk["location"]})
    assert response.status_code == 201
    ticket = response.json
    assert ticket["number"].startswith("TKT-") and ticket["title"] == "Problema con impresora"
    assert ticket["status"] == "open" and ticket["category"]["id"] == helpdesk["printer"]
    assert ticket["location"] == {"id": helpdesk["location"], "name": "Edificio Central"}
    assert ticket["priority"]["code"] == "medium"  # a requester gets the category's priority
    assert ticket["requester_id"] == helpdesk["user"] and ticket["assignee"]["id"] == helpdesk["agent"]
    assert response.headers["Location"].endswith(f"{BASE}/tickets/{ticket['id']}")
    assert api("user").get(f"/tickets/{ticket['id']}").json["number"] == ticket["number"]


def test_staff_filing_with_the_english_names_sets_the_priority(api, helpdesk):
    ticket = file(api, "agent", titulo=None, descripcion=None, title="Red caída", description="Sin red",
                  category_id=helpdesk["network"], priority_id=helpdesk["priorities"]["critical"])
    assert ticket["title"] == "Red caída" and ticket["priority"]["code"] == "critical"


@pytest.mark.parametrize("body, named", [
    ({"descripcion": "x", "id_categoria": 1}, {"titulo"}),
    ({"description": "x", "category_id": 1}, {"title"}),
    ({}, {"title", "description", "category_id"}),
    ({"titulo": "x", "descripcion": "y", "id_categoria": "abc"}, {"id_categoria"}),
    ({"titulo": "x", "descripcion": "y", "id_categoria": 1.5}, {"id_categoria"}),
    ({"titulo": ["x"], "descripcion": "y"}, {"titulo", "id_categoria"}),
    ({"titulo": "x", "title": "x", "descripcion": "y", "id_categoria": 1}, {"titulo"}),
    ({"titulo": "x" * 201, "descripcion": "y", "id_categoria": 1}, {"titulo"}),
])
def test_a_bad_body_is_400_naming_the_fields_as_sent(api, helpdesk, body, named):
    body = {key: (helpdesk["printer"] if value == 1 and key in ("id_categoria", "category_id") else value)
            for key, value in body.items()}
    response = api("user").post("/tickets", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "validation_error" and set(response.json["fields"]) == named


@pytest.mark.parametrize("body, named", [
    ({"titulo": "  ", "descripcion": "y", "id_categoria": "printer"}, "titulo"),
    ({"titulo": "x", "descripcion": "y", "id_categoria": 999_999}, "id_categoria"),
    ({"title": "x", "description": "y", "category_id": 999_999}, "category_id"),
    ({"title": "x", "description": "y", "category_id": "printer", "location_id": 999_999}, "location_id"),
])
def test_a_rule_the_service_enforces_is_400_in_the_clients_names(api, helpdesk, body, named):
    body = {key: helpdesk["printer"] if value == "printer" else value for key, value in body.items()}
    response = api("user").post("/tickets", json=body)
    assert response.status_code == 400 and list(response.json["fields"]) == [named]


def test_an_inactive_category_cannot_be_chosen(app, api, helpdesk):
    with app.app_context():
        db.session.get(Category, helpdesk["printer"]).active = False
        db.session.commit()
    response = api("user").post("/tickets", json={"titulo": "x", "descripcion": "y",
                                                   "id_categoria": helpdesk["printer"]})
    assert response.status_code == 400 and "id_categoria" in response.json["fields"]


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("GET", "/tickets"), ("POST", "/tickets"), ("GET", "/tickets/1"), ("PUT", "/tickets/1"),
    ("DELETE", "/tickets/1"), ("POST", "/tickets/1/comments"), ("GET", "/categorias"), ("GET", "/estados"),
    ("GET", "/criticidades"), ("GET", "/ubicaciones"), ("GET", "/dashboard/stats"),
])
def test_every_route_wants_a_bearer_token(client, helpdesk, method, path):
    response = client.open(BASE + path, method=method, json={})
    assert response.status_code == 401 and response.json["error"] == "authorization_required"
    response = client.open(BASE + path, method=method, json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


# --- the list -----------------------------------------------------------------------------------


def add_tickets(requester_id, category_id, count, status=TicketStatus.OPEN, title="Ticket"):
    """Rows straight into the table: the list's behaviour, without filing each one."""
    category = db.session.get(Category, category_id)
    start = db.session.query(Ticket).count()
    now = utcnow()
    for n in range(count):
        db.session.add(Ticket(number=f"TKT-{start + n + 1:06d}", title=f"{title} {n}", description="d",
                              status=status, category_id=category.id, area_id=category.area_id,
                              priority_id=category.default_priority_id, requester_id=requester_id,
                              requester_name="Someone", created_at=now - timedelta(minutes=n), updated_at=now,
                              due_at=now + timedelta(hours=1)))
    db.session.commit()


def test_the_list_shows_a_requester_only_their_tickets_one_page_at_a_time(app, api, helpdesk, second_user):
    with app.app_context():
        add_tickets(helpdesk["user"], helpdesk["printer"], 12)
        add_tickets(second_user, helpdesk["printer"], 3, title="Ajeno")
    first = api("user").get("/tickets?per_page=10").json
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (12, 2, 1, 10)
    assert len(first["items"]) == 10 and all(item["requester_id"] == helpdesk["user"] for item in first["items"])
    second = api("user").get("/tickets?per_page=10&page=2").json
    assert len(second["items"]) == 2
    assert {t["id"] for t in first["items"]}.isdisjoint(t["id"] for t in second["items"])
    assert api("user").get("/tickets?page=9").json["items"] == []


def test_the_default_scope_follows_the_role(app, api, helpdesk, second_user):
    with app.app_context():
        add_tickets(second_user, helpdesk["printer"], 2)  # unassigned, in agent1's area
        add_tickets(second_user, helpdesk["invoice"], 3)  # unassigned, in an area nobody works for
    assert api("admin").get("/tickets").json["total"] == 5
    assert api("agent").get("/tickets").json["total"] == 2
    assert api("user2").get("/tickets").json["total"] == 5
    assert api("user").get("/tickets").json["total"] == 0
    # Any scope stays within what the caller may see.
    assert api("agent").get("/tickets?scope=all").json["total"] == 2
    assert api("user").get("/tickets?scope=all").json["total"] == 0
    assert api("agent").get("/tickets?scope=mine").json["total"] == 0


def test_the_list_filters_by_status_and_searches(app, api, helpdesk):
    with app.app_context():
        add_tickets(helpdesk["user"], helpdesk["printer"], 3, title="Impresora")
        add_tickets(helpdesk["user"], helpdesk["network"], 2, status=TicketStatus.CLOSED, title="Wifi")
    closed = api("user").get("/tickets?status=closed").json
    assert closed["total"] == 2 and {t["status"] for t in closed["items"]} == {"closed"}
    both = api("user").get("/tickets?status=closed&status=open").json
    assert both["total"] == 5
    found = api("user").get("/tickets?q=wifi").json
    assert found["total"] == 2 and all(t["title"].startswith("Wifi") for t in found["items"])
    assert api("user").get("/tickets?q=TKT-000001").json["total"] == 1
    ordered = api("user").get("/tickets?sort=title&direction=asc").json["items"]
    assert [t["title"] for t in ordered] == sorted(t["title"] for t in ordered)


@pytest.mark.parametrize("query, field", [
    ("status=bogus", "status"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
    ("page=0", "page"), ("page=x", "page"), ("scope=everything", "scope"), ("sort=nope", "sort"),
    ("category_id=x", "category_id"), ("date_from=2024-13-01", "date_from"),
])
def test_bad_list_arguments_are_400_naming_them(api, helpdesk, query, field):
    response = api("user").get(f"/tickets?{query}")
    assert response.status_code == 400 and field in response.json["fields"]


def count_queries(app, call):
    with app.app_context():
        engine = db.engine
    with statements_on(engine) as statements:  # the test client runs the request in this thread
        response = call()
    assert response.status_code == 200
    return len(statements), response


def test_a_page_costs_the_same_queries_whatever_its_size(app, api, helpdesk):
    with app.app_context():
        add_tickets(helpdesk["user"], helpdesk["printer"], 60)
        db.session.execute(Ticket.__table__.update().values(assignee_id=helpdesk["agent"],
                                                            location_id=helpdesk["location"]))
        db.session.commit()
    admin = api("admin")
    admin.get("/tickets")  # warm-up: first-request checks out of the way
    small, small_page = count_queries(app, lambda: admin.get("/tickets?per_page=10"))
    large, large_page = count_queries(app, lambda: admin.get("/tickets?per_page=100"))
    assert len(small_page.json["items"]) == 10 and len(large_page.json["items"]) == 60
    assert large_page.json["items"][0]["assignee"]["id"] == helpdesk["agent"]
    assert small == large <= 4


# --- one ticket ---------------------------------------------------------------------------------


def test_another_users_ticket_is_not_found(api, helpdesk, second_user):
    ticket = file(api, "user2", id_categoria=helpdesk["invoice"])  # nobody's area: agent1 cannot see it
    for role in ("user", "agent"):
        assert api(role).get(f"/tickets/{ticket['id']}").status_code == 404
        assert api(role).put(f"/tickets/{ticket['id']}", json={"title": "x"}).status_code == 404
        assert api(role).post(f"/tickets/{ticket['id']}/comments", json={"body": "x"}).status_code == 404
        assert api(role).delete(f"/tickets/{ticket['id']}").status_code == 404
    assert api("user").get("/tickets/999999").status_code == 404
    assert api("admin").get(f"/tickets/{ticket['id']}").status_code == 200


def test_internal_notes_are_hidden_from_the_requester(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    path = f"/tickets/{ticket['id']}"
    reply = api("agent").post(path + "/comments", json={"body": "¿Está encendida?"})
    assert reply.status_code == 201 and reply.json["internal"] is False and reply.json["from_staff"] is True
    note = api("agent").post(path + "/comments", json={"body": "Cliente difícil", "internal": True})
    assert note.status_code == 201 and note.json["internal"] is True
    answer = api("user").post(path + "/comments", json={"body": "Sí"})
    assert answer.status_code == 201 and answer.json["author_id"] == helpdesk["user"]

    seen_by_requester = api("user").get(path).json
    assert [c["body"] for c in seen_by_requester["comments"]] == ["¿Está encendida?", "Sí"]
    seen_by_agent = api("agent").get(path).json
    assert [c["body"] for c in seen_by_agent["comments"]] == ["¿Está encendida?", "Cliente difícil", "Sí"]


@pytest.mark.parametrize("body, status, field", [
    ({"body": "nota", "internal": True}, 403, "internal"),
    ({}, 400, "body"),
    ({"body": "   "}, 400, "body"),
    ({"body": "x", "internal": "maybe"}, 400, "internal"),
])
def test_bad_comments_are_refused(api, helpdesk, body, status, field):
    ticket = file(api, id_categoria=helpdesk["printer"])
    response = api("user").post(f"/tickets/{ticket['id']}/comments", json=body)
    assert response.status_code == status and field in response.json["fields"]


def test_a_closed_ticket_takes_no_reply(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    assert api("user").put(f"/tickets/{ticket['id']}", json={"status": "closed"}).status_code == 200
    response = api("user").post(f"/tickets/{ticket['id']}/comments", json={"body": "¿y?"})
    assert response.status_code == 409


# --- changes ------------------------------------------------------------------------------------


def test_staff_move_a_ticket_along_and_a_bad_transition_is_409(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    path = f"/tickets/{ticket['id']}"
    response = api("agent").put(path, json={"status": "on_hold"})
    assert response.status_code == 409
    assert response.json["error"] == "invalid_transition" and "status" in response.json["fields"]
    response = api("agent").put(path, json={"status": "in_progress", "priority_id": helpdesk["priorities"]["high"]})
    assert response.status_code == 200
    assert response.json["status"] == "in_progress" and response.json["priority"]["code"] == "high"
    assert api("agent").put(path, json={"status": "on_hold"}).json["status"] == "on_hold"


def test_an_unknown_status_is_400(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    response = api("agent").put(f"/tickets/{ticket['id']}", json={"status": "pending"})
    assert response.status_code == 400 and list(response.json["fields"]) == ["status"]


def test_a_requester_edits_the_text_and_closes_but_does_not_assign(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    path = f"/tickets/{ticket['id']}"
    response = api("user").put(path, json={"titulo": "Impresora del 2º piso", "descripcion": "Atasco"})
    assert response.status_code == 200 and response.json["title"] == "Impresora del 2º piso"
    response = api("user").put(path, json={"assignee_id": None})
    assert response.status_code == 403 and list(response.json["fields"]) == ["assignee_id"]
    response = api("user").put(path, json={"id_categoria": helpdesk["network"]})
    assert response.status_code == 403 and list(response.json["fields"]) == ["id_categoria"]
    response = api("user").put(path, json={"status": "in_progress"})
    assert response.status_code == 403
    assert api("user").put(path, json={"status": "closed"}).json["status"] == "closed"
    assert api("user").put(path, json={"status": "open"}).json["closed_at"] is None


def test_an_admin_assigns_and_unassigns(app, api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["invoice"])
    path = f"/tickets/{ticket['id']}"
    assert ticket["assignee"] is None
    response = api("admin").put(path, json={"assignee_id": helpdesk["agent"]})
    assert response.status_code == 200 and response.json["assignee"]["id"] == helpdesk["agent"]
    assert api("agent").get(path).status_code == 200  # now theirs
    response = api("admin").put(path, json={"assignee_id": helpdesk["user"]})
    assert response.status_code == 400 and "assignee_id" in response.json["fields"]
    response = api("admin").put(path, json={"assignee_id": None})
    assert response.status_code == 200 and response.json["assignee"] is None
    with app.app_context():
        assert db.session.get(Ticket, ticket["id"]).assignee_id is None


def test_a_bad_update_body_is_400(api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    for body, field in [({"assignee_id": "x"}, "assignee_id"), ({"category_id": None}, "category_id"),
                        ({"titulo": 5}, "titulo")]:
        response = api("admin").put(f"/tickets/{ticket['id']}", json=body)
        assert response.status_code == 400 and field in response.json["fields"], body
    response = api("admin").put(f"/tickets/{ticket['id']}", json=[1])
    assert response.status_code == 400 and response.json["error"] == "invalid_json"


def test_only_an_admin_deletes(app, api, helpdesk):
    ticket = file(api, id_categoria=helpdesk["printer"])
    path = f"/tickets/{ticket['id']}"
    api("agent").post(path + "/comments", json={"body": "Voy"})
    assert api("agent").delete(path).status_code == 403
    assert api("user").delete(path).status_code == 403
    response = api("admin").delete(path)
    assert response.status_code == 204 and response.data == b""
    assert api("admin").get(path).status_code == 404
    with app.app_context():
        assert db.session.get(Ticket, ticket["id"]) is None
        assert db.session.query(TicketComment).count() == 0


# --- catalogues and figures -------------------------------------------------------------------


def test_the_catalogues_list_what_is_active(app, api, helpdesk):
    with app.app_context():
        db.session.get(Category, helpdesk["network"]).active = False
        db.session.commit()
    categories = api("user").get("/categorias").json
    assert {c["name"] for c in categories} == {"Impresora", "Factura"}
    printer = next(c for c in categories if c["id"] == helpdesk["printer"])
    assert printer["area"]["name"] == "Soporte Técnico"
    assert printer["default_priority_id"] == helpdesk["priorities"]["medium"]
    priorities = api("registrar").get("/criticidades").json
    assert [p["code"] for p in priorities] == ["low", "medium", "high", "critical"]
    assert priorities[3]["resolution_hours"] == 8 and priorities[3]["response_hours"] == 1
    assert api("staff").get("/ubicaciones").json == [{"id": helpdesk["location"], "name": "Edificio Central"}]


def test_statuses_come_with_a_label_in_the_callers_language_and_their_next_statuses(app, api, helpdesk):
    english = api("user").get("/estados", headers={"Accept-Language": "en"}).json
    assert [s["code"] for s in english] == ["open", "in_progress", "on_hold", "closed"]
    assert english[0] == {"code": "open", "label": "Open", "next": ["closed", "in_progress"]}
    spanish = api("user").get("/estados", headers={"Accept-Language": "es"}).json
    with app.test_request_context(), force_locale("es"):
        assert [s["label"] for s in spanish] == [str(status_label(s["code"])) for s in spanish]


def test_dashboard_stats_count_what_the_caller_may_see(app, api, helpdesk, second_user):
    file(api, id_categoria=helpdesk["printer"])
    file(api, "user2", id_categoria=helpdesk["invoice"])
    admin = api("admin").get("/dashboard/stats").json
    assert admin["total"] == 2 and admin["open"] == 2 and admin["unassigned"] == 1
    assert admin["by_status"]["open"] == 2 and len(admin["per_day"]) == 30
    assert admin["per_day"][-1]["created"] == 2 and admin["workload"][0]["agent_id"] == helpdesk["agent"]
    mine = api("user").get("/dashboard/stats?days=7").json
    assert mine["total"] == 1 and len(mine["per_day"]) == 7
    response = api("user").get("/dashboard/stats?days=0")
    assert response.status_code == 400 and "days" in response.json["fields"]
