"""The admin's helpdesk catalogues: areas, categories, priorities, locations and agents."""
import pytest

from extensions import db
from models import AgentArea, Area, AuditLog, Category, Location, Priority, Ticket, User
from services import seeding
from services.helpdesk import assignment
from tests.conftest import ROLES

BASE = "/admin/helpdesk"


def add_ticket(helpdesk, category="printer", area="support", location=None, assignee=None, number=1):
    """A ticket row written directly: these tests are about the catalogues, not about filing."""
    ticket = Ticket(number=f"TKT-{number:06d}", title="Impresora", description="No imprime",
                    category_id=helpdesk[category], area_id=helpdesk[area],
                    priority_id=helpdesk["priorities"]["medium"], location_id=location,
                    requester_id=helpdesk["user"], requester_name="User Uno", assignee_id=assignee)
    db.session.add(ticket)
    db.session.commit()
    return ticket.id


def audit_rows(action):
    return db.session.scalars(db.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def page(response):
    return response.get_data(as_text=True)


def select_html(html, name):
    start = html.index(f'name="{name}"')
    return html[start:html.index("</select>", start)]


# --- pages and access -------------------------------------------------------------------------


def test_every_page_renders_for_the_admin(admin_client, helpdesk):
    expected = {
        f"{BASE}/areas": ["Soporte Técnico", "Facturación"],
        f"{BASE}/areas/new": ['name="name"', 'name="description"'],
        f"{BASE}/areas/{helpdesk['support']}/edit": ["Soporte Técnico"],
        f"{BASE}/categories": ["Impresora", "Red", "Factura", "Medium"],
        f"{BASE}/categories/new": ['name="area_id"', 'name="default_priority_id"'],
        f"{BASE}/categories/{helpdesk['printer']}/edit": ["Impresora"],
        f"{BASE}/priorities": ["low", "medium", "high", "critical"],
        f"{BASE}/priorities/{helpdesk['priorities']['high']}/edit": ['name="resolution_hours"'],
        f"{BASE}/locations": ["Edificio Central"],
        f"{BASE}/locations/new": ['name="name"'],
        f"{BASE}/locations/{helpdesk['location']}/edit": ["Edificio Central"],
        f"{BASE}/agents": ["Agent Uno", "Soporte Técnico"],
        f"{BASE}/agents/{helpdesk['agent']}/edit": ['name="area_ids"', 'name="phone"', 'name="available"'],
    }
    for url, texts in expected.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        for text in texts:
            assert text in page(response), (url, text)


def test_the_admin_menu_leads_to_the_catalogues(admin_client, helpdesk):
    assert f'href="{BASE}/areas"' in page(admin_client.get("/admin/users"))


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_other_roles_are_refused(client_as, helpdesk, role):
    client = client_as(role)
    assert client.get(f"{BASE}/areas").status_code == 403
    assert client.get(f"{BASE}/agents").status_code == 403
    assert client.post(f"{BASE}/areas/new", data={"name": "Intrusos"}).status_code == 403
    assert client.post(f"{BASE}/agents/{helpdesk['agent']}/unavailable").status_code == 403
    with client.application.app_context():
        assert db.session.scalar(db.select(Area).where(Area.name == "Intrusos")) is None
        assert db.session.get(User, helpdesk["agent"]).available


def test_unknown_and_huge_ids_are_404(admin_client, helpdesk):
    for url in (f"{BASE}/areas/9999/edit", f"{BASE}/areas/99999999999999999999/edit",
                f"{BASE}/categories/9999/edit", f"{BASE}/priorities/9999/edit", f"{BASE}/locations/9999/edit",
                f"{BASE}/agents/9999/edit", f"{BASE}/priorities/new"):
        assert admin_client.get(url).status_code == 404, url
    for url in (f"{BASE}/areas/9999/delete", f"{BASE}/categories/9999/deactivate",
                f"{BASE}/locations/99999999999999999999/delete", f"{BASE}/agents/9999/available"):
        assert admin_client.post(url).status_code == 404, url


def test_only_agents_have_an_agent_page(admin_client, helpdesk):
    assert admin_client.get(f"{BASE}/agents/{helpdesk['staff']}/edit").status_code == 404
    assert admin_client.post(f"{BASE}/agents/{helpdesk['user']}/unavailable").status_code == 404


def test_a_post_without_csrf_token_changes_nothing(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/areas/{helpdesk['support']}/deactivate", csrf=False)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Area, helpdesk["support"]).active


# --- areas ------------------------------------------------------------------------------------


def test_area_create_edit_deactivate_and_activate(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/areas/new", data={"name": "  Redes  ", "description": "Cableado y wifi"})
    assert response.status_code == 302 and response.location.endswith(f"{BASE}/areas")
    with app.app_context():
        area = db.session.scalar(db.select(Area).where(Area.name == "Redes"))
        assert area.description == "Cableado y wifi" and area.active
        area_id = area.id
    response = admin_client.post(f"{BASE}/areas/{area_id}/edit", data={"name": "Redes y comunicaciones",
                                                                        "description": ""})
    assert response.status_code == 302
    assert admin_client.post(f"{BASE}/areas/{area_id}/deactivate").status_code == 302
    with app.app_context():
        area = db.session.get(Area, area_id)
        assert area.name == "Redes y comunicaciones" and area.description == "" and not area.active
        created, updated, deactivated = (audit_rows(f"area.{what}") for what in ("created", "updated", "deactivated"))
        assert created[0].entity_id == area_id and created[0].after["name"] == "Redes"
        assert updated[0].before["name"] == "Redes" and updated[0].after["name"] == "Redes y comunicaciones"
        assert deactivated[0].before["active"] and not deactivated[0].after["active"]
        assert created[0].actor_id == helpdesk["admin"]
    admin_client.post(f"{BASE}/areas/{area_id}/activate")
    with app.app_context():
        assert db.session.get(Area, area_id).active and len(audit_rows("area.activated")) == 1


def test_area_form_errors(app, admin_client, helpdesk):
    for data in ({"name": ""}, {"name": "   "}, {"name": "soporte técnico"}, {"name": "x" * 81},
                 {"name": "Otra", "description": "x" * 2001}):
        response = admin_client.post(f"{BASE}/areas/new", data=data)
        assert response.status_code == 200 and "is-invalid" in page(response), data
    response = admin_client.post(f"{BASE}/areas/{helpdesk['billing']}/edit", data={"name": "Soporte Técnico"})
    assert response.status_code == 200 and "is-invalid" in page(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Area)) == 2
        assert db.session.get(Area, helpdesk["billing"]).name == "Facturación"
        assert not audit_rows("area.created") and not audit_rows("area.updated")


def test_renaming_an_area_to_its_own_name_in_other_case_is_allowed(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/areas/{helpdesk['billing']}/edit", data={"name": "FACTURACIÓN"})
    assert response.status_code == 302


def test_an_area_with_categories_or_tickets_is_not_deleted(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/areas/{helpdesk['support']}/delete", follow_redirects=True)
    assert "Soporte Técnico" in page(response) and "alert-danger" in page(response)
    with app.app_context():
        # Without categories but with a ticket filed under it, it still stays.
        empty = Area(name="Antigua")
        db.session.add(empty)
        db.session.commit()
        category = Category(area_id=helpdesk["billing"], name="Temporal",
                            default_priority_id=helpdesk["priorities"]["low"])
        db.session.add(category)
        db.session.commit()
        add_ticket({**helpdesk, "temp": category.id, "old": empty.id}, category="temp", area="old")
        empty_id = empty.id
    response = admin_client.post(f"{BASE}/areas/{empty_id}/delete", follow_redirects=True)
    assert "alert-danger" in page(response)
    with app.app_context():
        assert db.session.get(Area, helpdesk["support"]) is not None and db.session.get(Area, empty_id) is not None
        assert not audit_rows("area.deleted")


def test_an_unused_area_is_deleted_with_its_agent_links_and_audited(app, admin_client, helpdesk):
    with app.app_context():
        area = Area(name="Temporal")
        db.session.add(area)
        db.session.flush()
        db.session.add(AgentArea(user_id=helpdesk["agent"], area_id=area.id))
        db.session.commit()
        area_id = area.id
    response = admin_client.post(f"{BASE}/areas/{area_id}/delete", follow_redirects=True)
    assert response.status_code == 200 and "alert-success" in page(response)
    with app.app_context():
        assert db.session.get(Area, area_id) is None
        assert db.session.scalars(db.select(AgentArea.area_id)).all() == [helpdesk["support"]]
        (entry,) = audit_rows("area.deleted")
        assert entry.entity_id == area_id and entry.before["agent_ids"] == [helpdesk["agent"]]


# --- categories -------------------------------------------------------------------------------


def category_data(helpdesk, **changes):
    return {"area_id": helpdesk["billing"], "name": "Reembolsos",
            "default_priority_id": helpdesk["priorities"]["high"], **changes}


def test_category_create_edit_and_deactivate(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/categories/new", data=category_data(helpdesk))
    assert response.status_code == 302
    with app.app_context():
        category = db.session.scalar(db.select(Category).where(Category.name == "Reembolsos"))
        assert category.area_id == helpdesk["billing"] and category.default_priority.code == "high"
        category_id = category.id
    response = admin_client.post(f"{BASE}/categories/{category_id}/edit", data=category_data(
        helpdesk, area_id=helpdesk["support"], default_priority_id=helpdesk["priorities"]["critical"]))
    assert response.status_code == 302
    assert admin_client.post(f"{BASE}/categories/{category_id}/deactivate").status_code == 302
    with app.app_context():
        category = db.session.get(Category, category_id)
        assert category.area_id == helpdesk["support"] and category.default_priority.code == "critical"
        assert not category.active
        (updated,) = audit_rows("category.updated")
        assert updated.before["area_id"] == helpdesk["billing"] and updated.after["area_id"] == helpdesk["support"]
        assert audit_rows("category.created") and audit_rows("category.deactivated")
    listing = page(admin_client.get(f"{BASE}/categories"))
    listing = listing[listing.index("<section"):]  # after the flashed messages
    assert listing.index("Facturación") < listing.index("Soporte Técnico") < listing.index("Reembolsos")


def test_category_names_are_unique_within_their_area_only(app, admin_client, helpdesk):
    response = admin_client.post(f"{BASE}/categories/new", data=category_data(helpdesk, name="factura"))
    assert response.status_code == 200 and "is-invalid" in page(response)
    response = admin_client.post(f"{BASE}/categories/new", data=category_data(helpdesk, name="Impresora"))
    assert response.status_code == 302  # "Impresora" exists, but in another area
    response = admin_client.post(f"{BASE}/categories/{helpdesk['network']}/edit",
                                 data=category_data(helpdesk, area_id=helpdesk["support"], name="Impresora"))
    assert response.status_code == 200 and "is-invalid" in page(response)


@pytest.mark.parametrize("changes", [
    {"name": ""}, {"area_id": ""}, {"area_id": "abc"}, {"area_id": "999999"}, {"area_id": "99999999999999999999"},
    {"default_priority_id": ""}, {"default_priority_id": "999"}, {"default_priority_id": "-1"},
])
def test_category_form_errors(app, admin_client, helpdesk, changes):
    response = admin_client.post(f"{BASE}/categories/new", data=category_data(helpdesk, **changes))
    assert response.status_code == 200 and "is-invalid" in page(response)
    with app.app_context():
        assert db.session.scalar(db.select(Category).where(Category.name == "Reembolsos")) is None


def test_an_inactive_area_is_not_offered_for_new_categories(app, admin_client, helpdesk):
    admin_client.post(f"{BASE}/areas/{helpdesk['billing']}/deactivate")
    form = page(admin_client.get(f"{BASE}/categories/new"))
    areas = select_html(form, "area_id")
    assert f'value="{helpdesk["support"]}"' in areas and f'value="{helpdesk["billing"]}"' not in areas
    response = admin_client.post(f"{BASE}/categories/new", data=category_data(helpdesk))
    assert response.status_code == 200 and "is-invalid" in page(response)
    # A category already there keeps its inactive area when edited.
    response = admin_client.post(f"{BASE}/categories/{helpdesk['invoice']}/edit",
                                 data=category_data(helpdesk, name="Facturas"))
    assert response.status_code == 302


def test_a_category_with_tickets_is_not_deleted(app, admin_client, helpdesk):
    with app.app_context():
        add_ticket(helpdesk)
    response = admin_client.post(f"{BASE}/categories/{helpdesk['printer']}/delete", follow_redirects=True)
    assert "alert-danger" in page(response)
    response = admin_client.post(f"{BASE}/categories/{helpdesk['network']}/delete", follow_redirects=True)
    assert "alert-success" in page(response)
    with app.app_context():
        assert db.session.get(Category, helpdesk["printer"]) is not None
        assert db.session.get(Category, helpdesk["network"]) is None
        (entry,) = audit_rows("category.deleted")
        assert entry.entity_id == helpdesk["network"] and entry.before["name"] == "Red"


# --- priorities -------------------------------------------------------------------------------


def test_priority_name_and_hours_change(app, admin_client, helpdesk):
    priority_id = helpdesk["priorities"]["high"]
    response = admin_client.post(f"{BASE}/priorities/{priority_id}/edit",
                                 data={"name": "Urgente", "response_hours": "2", "resolution_hours": "12"})
    assert response.status_code == 302
    with app.app_context():
        priority = db.session.get(Priority, priority_id)
        assert (priority.code, priority.name, priority.response_hours, priority.resolution_hours) == \
            ("high", "Urgente", 2, 12)
        (entry,) = audit_rows("priority.updated")
        assert entry.before["resolution_hours"] == 24 and entry.after["resolution_hours"] == 12


@pytest.mark.parametrize("data", [
    {"name": "Alta", "response_hours": "10", "resolution_hours": "5"},  # resolution before response
    {"name": "Alta", "response_hours": "0", "resolution_hours": "5"},
    {"name": "Alta", "response_hours": "-3", "resolution_hours": "5"},
    {"name": "Alta", "response_hours": "4", "resolution_hours": "8761"},
    {"name": "Alta", "response_hours": "4", "resolution_hours": "99999999999999999999"},
    {"name": "Alta", "response_hours": "cuatro", "resolution_hours": "24"},
    {"name": "Alta", "response_hours": "1.5", "resolution_hours": "24"},
    {"name": "", "response_hours": "4", "resolution_hours": "24"},
    {"name": "Alta", "response_hours": "", "resolution_hours": "24"},
])
def test_priority_form_errors(app, admin_client, helpdesk, data):
    priority_id = helpdesk["priorities"]["high"]
    response = admin_client.post(f"{BASE}/priorities/{priority_id}/edit", data=data)
    assert response.status_code == 200 and "is-invalid" in page(response)
    with app.app_context():
        priority = db.session.get(Priority, priority_id)
        assert (priority.response_hours, priority.resolution_hours) == (4, 24)
        assert not audit_rows("priority.updated")


def test_the_four_levels_exist_even_on_a_desk_without_demo_data(app, admin_client, users):
    response = admin_client.get(f"{BASE}/priorities")
    assert response.status_code == 200
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Priority.code))) == ["critical", "high", "low", "medium"]
        assert len(audit_rows("priority.created")) == 4
    admin_client.get(f"{BASE}/priorities")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Priority)) == 4


# --- locations --------------------------------------------------------------------------------


def test_location_create_edit_deactivate_and_delete(app, admin_client, helpdesk):
    assert admin_client.post(f"{BASE}/locations/new", data={"name": "Sede Norte"}).status_code == 302
    with app.app_context():
        location_id = db.session.scalar(db.select(Location.id).where(Location.name == "Sede Norte"))
    assert admin_client.post(f"{BASE}/locations/{location_id}/edit", data={"name": "Sede Sur"}).status_code == 302
    assert admin_client.post(f"{BASE}/locations/{location_id}/deactivate").status_code == 302
    with app.app_context():
        location = db.session.get(Location, location_id)
        assert location.name == "Sede Sur" and not location.active
    response = admin_client.post(f"{BASE}/locations/{location_id}/delete", follow_redirects=True)
    assert "alert-success" in page(response)
    with app.app_context():
        assert db.session.get(Location, location_id) is None
        assert [len(audit_rows(f"location.{what}")) for what in ("created", "updated", "deactivated", "deleted")] \
            == [1, 1, 1, 1]


def test_location_errors_and_a_used_location_stays(app, admin_client, helpdesk):
    for data in ({"name": ""}, {"name": "edificio central"}, {"name": "x" * 121}):
        response = admin_client.post(f"{BASE}/locations/new", data=data)
        assert response.status_code == 200 and "is-invalid" in page(response)
    with app.app_context():
        ticket_id = add_ticket(helpdesk, location=helpdesk["location"])
    response = admin_client.post(f"{BASE}/locations/{helpdesk['location']}/delete", follow_redirects=True)
    assert "alert-danger" in page(response)
    with app.app_context():
        assert db.session.get(Location, helpdesk["location"]) is not None
        assert db.session.get(Ticket, ticket_id).location_id == helpdesk["location"]


# --- agents -----------------------------------------------------------------------------------


def agent_data(helpdesk, **changes):
    data = {"area_ids": [helpdesk["support"], helpdesk["billing"]], "specialty": "Redes y Servidores",
            "phone": "+34 600 100 201", "available": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_agent_list_shows_areas_specialty_phone_and_open_tickets(app, admin_client, helpdesk):
    with app.app_context():
        agent = db.session.get(User, helpdesk["agent"])
        agent.specialty, agent.phone = "Impresoras", "600 111 222"
        db.session.commit()
        add_ticket(helpdesk, assignee=helpdesk["agent"], number=1)
        add_ticket(helpdesk, assignee=helpdesk["agent"], number=2)
    listing = page(admin_client.get(f"{BASE}/agents"))
    assert "Impresoras" in listing and "600 111 222" in listing and "Soporte Técnico" in listing
    assert '<td class="text-end">2</td>' in listing
    assert "Staff Uno" not in listing  # only agents are listed


def test_agent_areas_and_profile_are_saved_and_used_for_assignment(app, admin_client, helpdesk):
    with app.app_context():
        assert assignment.pick_agent(helpdesk["billing"]) is None
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/edit", data=agent_data(helpdesk))
    assert response.status_code == 302
    with app.app_context():
        agent = db.session.get(User, helpdesk["agent"])
        assert {a.id for a in agent.areas} == {helpdesk["support"], helpdesk["billing"]}
        assert (agent.specialty, agent.phone, agent.available) == ("Redes y Servidores", "+34 600 100 201", True)
        assert assignment.pick_agent(helpdesk["billing"]).id == helpdesk["agent"]
        (entry,) = audit_rows("agent.updated")
        assert entry.entity_type == "user" and entry.before["area_ids"] == [helpdesk["support"]]
        assert sorted(entry.after["area_ids"]) == sorted([helpdesk["support"], helpdesk["billing"]])
    # Unticked from Soporte and made unavailable: no longer picked anywhere.
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/edit",
                                 data=agent_data(helpdesk, area_ids=[helpdesk["billing"]], available=None))
    assert response.status_code == 302
    with app.app_context():
        agent = db.session.get(User, helpdesk["agent"])
        assert [a.id for a in agent.areas] == [helpdesk["billing"]] and not agent.available
        assert assignment.pick_agent(helpdesk["billing"]) is None
        assert assignment.pick_agent(helpdesk["support"]) is None


def test_the_quick_switch_changes_availability(app, admin_client, helpdesk):
    with app.app_context():
        assert assignment.pick_agent(helpdesk["support"]).id == helpdesk["agent"]
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/unavailable")
    assert response.status_code == 302 and response.location.endswith(f"{BASE}/agents")
    with app.app_context():
        assert not db.session.get(User, helpdesk["agent"]).available
        assert assignment.pick_agent(helpdesk["support"]) is None
    admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/unavailable")  # twice: nothing more happens
    admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/available")
    with app.app_context():
        assert assignment.pick_agent(helpdesk["support"]).id == helpdesk["agent"]
        entries = audit_rows("agent.availability_changed")
        assert [(e.before["available"], e.after["available"]) for e in entries] == [(True, False), (False, True)]


def test_inactive_areas_are_not_offered_and_existing_links_are_kept(app, admin_client, helpdesk):
    admin_client.post(f"{BASE}/areas/{helpdesk['support']}/deactivate")
    form = page(admin_client.get(f"{BASE}/agents/{helpdesk['agent']}/edit"))
    areas = form[form.index("<fieldset"):form.index("</fieldset>")]
    assert f'value="{helpdesk["billing"]}"' in areas and f'value="{helpdesk["support"]}"' not in areas
    assert "Soporte Técnico" in areas  # named as a kept, inactive link
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/edit",
                                 data=agent_data(helpdesk, area_ids=[helpdesk["support"]]))
    assert response.status_code == 200 and "is-invalid" in page(response)
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/edit",
                                 data=agent_data(helpdesk, area_ids=[helpdesk["billing"]]))
    assert response.status_code == 302
    with app.app_context():
        agent = db.session.get(User, helpdesk["agent"])
        assert {a.id for a in agent.areas} == {helpdesk["support"], helpdesk["billing"]}


@pytest.mark.parametrize("changes", [
    {"area_ids": ["abc"]}, {"area_ids": ["999999"]}, {"phone": "<script>"}, {"phone": "1" * 41},
    {"specialty": "x" * 101},
])
def test_agent_form_errors(app, admin_client, helpdesk, changes):
    response = admin_client.post(f"{BASE}/agents/{helpdesk['agent']}/edit", data=agent_data(helpdesk, **changes))
    assert response.status_code == 200 and "is-invalid" in page(response)
    with app.app_context():
        agent = db.session.get(User, helpdesk["agent"])
        assert [a.id for a in agent.areas] == [helpdesk["support"]] and agent.phone == ""
        assert not audit_rows("agent.updated")


# --- demo data --------------------------------------------------------------------------------


def test_demo_seed_gives_locations_and_agent_profiles(app_context):
    seeding.seed("admin", None, demo=True, demo_password="demo1234")
    assert set(db.session.scalars(db.select(Location.name))) == {"Edificio Central", "Sede Norte", "Laboratorio"}
    agents = {u.username: u for u in db.session.scalars(db.select(User).where(User.username.like("agent%")))}
    assert [a.name for a in agents["agent1"].areas] == ["Soporte Técnico"]
    assert [a.name for a in agents["agent2"].areas] == ["Facturación", "Soporte Técnico"]
    assert agents["agent1"].specialty == "Redes y Servidores" and agents["agent2"].specialty == "Software"
    assert agents["agent1"].phone and agents["agent2"].phone
    billing = db.session.scalar(db.select(Area.id).where(Area.name == "Facturación"))
    assert assignment.pick_agent(billing).username == "agent2"
    assert seeding.seed("admin", None, demo=True, demo_password="demo1234").created == []
