"""Reply templates: who keeps which, the rules a template must meet, and the picker's JSON filled
in for one ticket (an anonymous requester's tracking link, an account holder's page), escaped as
text; the ticket page offers the picker to its staff only."""
import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AgentArea, AuditLog, CannedReply, Role, Ticket, User
from services.errors import NotAllowed
from services.helpdesk import canned_replies as canned
from services.helpdesk import tickets
from services.settings import save_settings
from tests.conftest import PASSWORD, login

LONG_NAME = ("María José Núñez-Villaseñor de la Concepción Ibáñez Güemes y Peñalosa "
             "Ortiz de Zárate Echeverría Muñoz Saldaña Íñiguez Ñ")[:120]
LONGEST_TITLE = ("Contraseña caducada: cómo restablecerla desde el portal único de empleados "
                 "(también en móvil) — guía rápida de pasos ÁÉÍÓÚ")[:120]
ENGLISH = {"Accept-Language": "en"}


def new_agent(app, helpdesk, username="agent2"):
    """A second agent of the Soporte area, signed in on a client of its own."""
    with app.app_context():
        agent = User(username=username, email=f"{username}@example.org", full_name="Íñigo Ordóñez", role=Role.AGENT)
        agent.set_password(PASSWORD)
        db.session.add(agent)
        db.session.flush()
        db.session.add(AgentArea(user_id=agent.id, area_id=helpdesk["support"]))
        db.session.commit()
        agent_id = agent.id
    client = app.test_client()
    assert login(client, username).status_code == 302
    return agent_id, client


def add_template(owner_id, title, body="Hola {requester_name}"):
    reply = CannedReply(owner_id=owner_id, title=title, body=body)
    db.session.add(reply)
    db.session.commit()
    return reply.id


def templates():
    return {(reply.owner_id, reply.title): reply.body for reply in db.session.scalars(select(CannedReply))}


def post_template(client, url="/tickets/canned-replies/new", **fields):
    return client.post(url, data=fields, headers=ENGLISH)


def field_errors(html):
    return [re.sub(r"\s+", " ", error).strip()
            for error in re.findall(r'class="invalid-feedback[^"]*">(.*?)</div>', html, re.S)]


def anonymous_ticket(helpdesk, name=LONG_NAME, title="No puedo entrar al correo"):
    return tickets.file_ticket(title=title, description="Desde ayer.", category_id=helpdesk["printer"],
                               requester_name=name, requester_email="maria.jose@example.org")


def account_ticket(helpdesk):
    return tickets.file_ticket(title="Impresora", description="No imprime", category_id=helpdesk["printer"],
                               requester=db.session.get(User, helpdesk["user"]))


def picker(client, ticket_id):
    return client.get(f"/tickets/{ticket_id}/canned-replies", headers={"Accept": "application/json"})


# --- who keeps which ------------------------------------------------------------------------------


def test_admins_share_templates_and_agents_keep_their_own(app, client_as, users, data):
    admin, agent = client_as("admin"), client_as("agent")
    assert post_template(admin, title="Saludo", scope="shared", body="Hola {requester_name}").status_code == 302
    assert post_template(admin, title="Mi firma", scope="personal", body="— {agent_name}").status_code == 302
    # an agent cannot share: the form has no such choice, and a forged one is ignored
    assert post_template(agent, title="Reinicio", scope="shared", body="Reinicie el equipo.").status_code == 302
    with data():
        assert templates() == {(None, "Saludo"): "Hola {requester_name}",
                               (users["admin"], "Mi firma"): "— {agent_name}",
                               (users["agent"], "Reinicio"): "Reinicie el equipo."}
        agent_user = db.session.get(User, users["agent"])
        with pytest.raises(NotAllowed):
            canned.save(None, agent_user, title="Compartida", body="Hola", shared=True)
    assert 'name="scope"' not in agent.get("/tickets/canned-replies/new").get_data(as_text=True)
    assert 'name="scope"' in admin.get("/tickets/canned-replies/new").get_data(as_text=True)


def test_agents_see_shared_templates_but_only_admins_change_them(app, client_as, users, data):
    with data():
        shared = add_template(None, "Saludo")
    agent, admin = client_as("agent"), client_as("admin")
    page = agent.get("/tickets/canned-replies").get_data(as_text=True)
    assert "Saludo" in page and f"/tickets/canned-replies/{shared}/edit" not in page
    assert f"/tickets/canned-replies/new?copy={shared}" in page  # ... but may copy it into their own
    assert agent.get(f"/tickets/canned-replies/{shared}/edit").status_code == 403
    assert post_template(agent, f"/tickets/canned-replies/{shared}/edit", title="Mío", body="x").status_code == 403
    assert agent.post(f"/tickets/canned-replies/{shared}/delete").status_code == 403
    copy = agent.get(f"/tickets/canned-replies/new?copy={shared}").get_data(as_text=True)
    assert "Hola {requester_name}" in copy
    assert post_template(admin, f"/tickets/canned-replies/{shared}/edit", title="Saludo cordial", scope="shared",
                         body="Buenos días, {requester_name}").status_code == 302
    with data():
        assert templates() == {(None, "Saludo cordial"): "Buenos días, {requester_name}"}
    assert admin.post(f"/tickets/canned-replies/{shared}/delete").status_code == 302
    with data():
        assert templates() == {}


def test_one_agent_never_sees_anothers_templates(app, client_as, helpdesk, data):
    agent_one = client_as("agent")
    other_id, agent_two = new_agent(app, helpdesk)
    with data():
        mine = add_template(helpdesk["agent"], "Firma de Diego", "Diego, de Soporte Técnico")
        theirs = add_template(other_id, "Firma de Íñigo", "Íñigo, de Soporte Técnico")
        ticket = account_ticket(helpdesk)
        ticket.assignee_id = None  # unassigned in Soporte: both agents work on it
        db.session.commit()
        ticket_id = ticket.id
    for client, own, foreign, foreign_name in ((agent_one, mine, theirs, "Íñigo"), (agent_two, theirs, mine, "Diego")):
        listing = client.get("/tickets/canned-replies").get_data(as_text=True)
        assert f'id="canned-reply-{own}"' in listing and f'id="canned-reply-{foreign}"' not in listing
        assert foreign_name not in listing
        assert [reply["id"] for reply in picker(client, ticket_id).json["replies"]] == [own]
        assert client.get(f"/tickets/canned-replies/{foreign}/edit").status_code == 404
        assert client.post(f"/tickets/canned-replies/{foreign}/delete").status_code == 404
        assert f"{foreign_name}, de Soporte" not in client.get(f"/tickets/canned-replies/new?copy={foreign}").get_data(
            as_text=True)
    # nor does an admin: a personal template is its owner's alone
    admin = client_as("admin")
    assert "Firma de" not in admin.get("/tickets/canned-replies").get_data(as_text=True)
    assert admin.get(f"/tickets/canned-replies/{mine}/edit").status_code == 404
    with data():
        assert len(templates()) == 2


def test_every_change_is_in_the_audit_trail(app, client_as, users, data):
    agent = client_as("agent")
    post_template(agent, title="Reinicio", body="Reinicie el equipo.")
    with data():
        reply_id = db.session.scalar(select(CannedReply.id))
    post_template(agent, f"/tickets/canned-replies/{reply_id}/edit", title="Reinicio", body="Apague y encienda.")
    agent.post(f"/tickets/canned-replies/{reply_id}/delete")
    with data():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "canned_reply")
                                  .order_by(AuditLog.id)).all()
        assert [(row.action, row.entity_id, row.actor_id) for row in rows] == [
            ("canned_reply.created", reply_id, users["agent"]), ("canned_reply.updated", reply_id, users["agent"]),
            ("canned_reply.deleted", reply_id, users["agent"])]
        assert rows[1].before["body"] == "Reinicie el equipo." and rows[1].after["body"] == "Apague y encienda."
        assert rows[2].before == {"title": "Reinicio", "owner_id": users["agent"], "body": "Apague y encienda."}


def test_forms_need_their_csrf_token(client_as, data):
    agent = client_as("agent")
    response = agent.post("/tickets/canned-replies/new", data={"title": "Reinicio", "body": "x"}, csrf=False)
    assert response.status_code == 400
    with data():
        assert templates() == {}


# --- what a template must be ----------------------------------------------------------------------


def test_titles_are_unique_per_owner_and_among_the_shared_ones(app, client_as, users, helpdesk, data):
    admin, agent = client_as("admin"), client_as("agent")
    _other_id, agent_two = new_agent(app, helpdesk)
    assert post_template(agent, title="Contraseña", body="Use el portal.").status_code == 302
    again = post_template(agent, title="  CONTRASEÑA ", body="Otra vez.")
    assert again.status_code == 200
    assert field_errors(again.get_data(as_text=True)) == ["One of your templates already has this title."]
    # another agent, an admin's own and a shared one may all have it
    assert post_template(agent_two, title="Contraseña", body="Use el portal.").status_code == 302
    assert post_template(admin, title="Contraseña", scope="personal", body="Use el portal.").status_code == 302
    assert post_template(admin, title="Contraseña", scope="shared", body="Use el portal.").status_code == 302
    second = post_template(admin, title="contraseña", scope="shared", body="Otra.")
    assert field_errors(second.get_data(as_text=True)) == ["A shared template already has this title."]
    with data():
        assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 4
        # renaming onto a sibling's title is refused too; keeping its own title is not
        mine = db.session.scalar(select(CannedReply.id).where(CannedReply.owner_id == users["agent"]))
    assert post_template(agent, f"/tickets/canned-replies/{mine}/edit", title="Contraseña",
                         body="Nuevo texto.").status_code == 302


def test_the_longest_title_and_body_are_kept_whole_and_one_more_character_is_refused(client_as, data):
    agent = client_as("agent")
    body = ("Estimado/a {requester_name}: revisamos {ticket_number}. Ñandú, pingüino, acción. " * 80)[:canned.BODY_MAX]
    assert len(LONGEST_TITLE) == canned.TITLE_MAX and len(body) == canned.BODY_MAX
    assert post_template(agent, title=LONGEST_TITLE, body=body).status_code == 302
    with data():
        assert list(templates().values()) == [body] and list(templates())[0][1] == LONGEST_TITLE
    too_long = post_template(agent, title=LONGEST_TITLE + "x", body=body + "x")
    assert field_errors(too_long.get_data(as_text=True)) == [
        "Field cannot be longer than 120 characters.", "Field cannot be longer than 5000 characters."]
    page = agent.get("/tickets/canned-replies").get_data(as_text=True)
    assert LONGEST_TITLE in page


def test_an_unknown_placeholder_is_a_form_error_naming_it(client_as, data):
    agent = client_as("agent")
    response = post_template(agent, title="Saludo", body="Hola {nombre}, su {ticket_number} y {{ticket}}.")
    assert response.status_code == 200
    (error,) = field_errors(response.get_data(as_text=True))
    assert error.startswith("Unknown placeholders: {nombre}, {ticket}. The ones that work: {requester_name}, ")
    with data():
        assert templates() == {}
    # braces that are no placeholder are text; {{name}} and { name } are forgiven
    fine = "Pulse {1} y luego { } — {{requester_name}}, { agent_name }"
    assert post_template(agent, title="Llaves", body=fine).status_code == 302


def test_a_pasted_tracking_link_is_refused_in_favour_of_the_placeholder(client_as, helpdesk, data):
    with data():
        token = anonymous_ticket(helpdesk).tracking_token
    agent = client_as("agent")
    response = post_template(agent, title="Seguimiento", body=f"Siga aquí: http://desk.example/soporte/t/{token}")
    (error,) = field_errors(response.get_data(as_text=True))
    assert "{tracking_link}" in error
    with data():
        assert templates() == {}


def test_a_blank_title_or_body_is_refused_in_the_requests_language(client_as):
    agent = client_as("agent")
    response = post_template(agent, title="   ", body="  ")
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True)) == ["This field is required.", "This field is required."]


# --- filled in for one ticket ---------------------------------------------------------------------


def test_an_anonymous_requester_gets_their_own_tracking_link_and_name(app, client_as, helpdesk, data):
    with data():
        save_settings({"public_url": "https://soporte.example.org"}, None)
        add_template(None, "Seguimiento", "Hola {requester_name}: su caso {ticket_number} ({ticket_title}) sigue "
                                          "en {tracking_link}. Atentamente, {agent_name}")
        first, second = anonymous_ticket(helpdesk), anonymous_ticket(helpdesk, name="Zoë Ærø")
        for ticket in (first, second):
            ticket.assignee_id = helpdesk["agent"]
        db.session.commit()
        first_id, first_number, first_token = first.id, first.number, first.tracking_token
        second_id, second_token = second.id, second.tracking_token
    agent = client_as("agent")
    response = picker(agent, first_id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    (reply,) = response.json["replies"]
    assert response.json["ticket_id"] == first_id
    assert reply["body"] == (f"Hola {LONG_NAME}: su caso {first_number} (No puedo entrar al correo) sigue en "
                             f"<https://soporte.example.org/soporte/t/{first_token}>. Atentamente, Agent Uno")
    assert reply["shared"] is True and reply["title"] == "Seguimiento"
    other = picker(agent, second_id).json["replies"][0]["body"]
    assert second_token in other and first_token not in other and "Zoë Ærø" in other


def test_an_account_holder_gets_the_link_to_their_ticket_page_never_the_secret_link(client_as, helpdesk, data):
    with data():
        add_template(helpdesk["agent"], "Seguimiento", "Siga su caso en {tracking_link}")
        ticket = account_ticket(helpdesk)
        ticket_id, token = ticket.id, ticket.tracking_token
    body = picker(client_as("agent"), ticket_id).json["replies"][0]["body"]
    assert re.fullmatch(rf"Siga su caso en <http://[^/]+/tickets/{ticket_id}>", body)
    assert token not in body


def test_a_requesters_name_is_text_in_the_reply_never_a_link(client_as, helpdesk, data):
    name = "[Verifique su cuenta](http://phish.example) <b>_Ana_</b> `x`"
    with data():
        add_template(helpdesk["agent"], "Saludo", "Hola {requester_name}, revisamos su caso.")
        ticket = anonymous_ticket(helpdesk, name=name)
        ticket.assignee_id = helpdesk["agent"]
        db.session.commit()
        ticket_id = ticket.id
    agent = client_as("agent")
    body = picker(agent, ticket_id).json["replies"][0]["body"]
    assert agent.post(f"/tickets/{ticket_id}/reply", data={"body": body}).status_code == 302
    page = agent.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    conversation = page[page.index('id="conversation"'):]
    assert "phish.example" in conversation and 'href="http://phish.example"' not in conversation
    assert "<b>" not in conversation and "<em>Ana</em>" not in conversation and "<code>" not in conversation


def test_the_picker_answers_only_the_staff_working_on_the_ticket(app, client_as, helpdesk, data):
    with data():
        add_template(None, "Saludo")
        ticket_id = account_ticket(helpdesk).id  # assigned to agent1
    _other_id, agent_two = new_agent(app, helpdesk)
    with data():
        db.session.get(Ticket, ticket_id).assignee_id = helpdesk["agent"]
        db.session.commit()
    assert picker(client_as("agent"), ticket_id).status_code == 200
    assert picker(client_as("admin"), ticket_id).status_code == 200
    refused = picker(agent_two, ticket_id)  # another agent: the ticket is not theirs to see
    assert refused.status_code == 404 and refused.json["error"] == "not_found"
    assert picker(client_as("user"), ticket_id).status_code == 403  # its requester: not staff
    assert picker(agent_two, 2_147_483_647).status_code == 404


def test_a_template_saved_with_a_placeholder_since_retired_is_left_as_written(client_as, helpdesk, data):
    with data():
        add_template(helpdesk["agent"], "Antigua", "Hola {requester_name}, {placeholder_retirado}")
        ticket_id = account_ticket(helpdesk).id
    body = picker(client_as("agent"), ticket_id).json["replies"][0]["body"]
    assert body == "Hola User Uno, {placeholder_retirado}"


def test_the_picker_lists_your_own_first_then_the_shared_ones_alphabetically(client_as, helpdesk, data):
    with data():
        for owner, title in ((None, "Zona"), (None, "Ábaco"), (helpdesk["agent"], "Último"),
                             (helpdesk["agent"], "agradecimiento"), (helpdesk["admin"], "Del admin")):
            add_template(owner, title)
        ticket_id = account_ticket(helpdesk).id
    replies = picker(client_as("agent"), ticket_id).json["replies"]
    assert [(reply["title"], reply["shared"]) for reply in replies] == [
        ("agradecimiento", False), ("Último", False), ("Ábaco", True), ("Zona", True)]


# --- on the ticket page ---------------------------------------------------------------------------


def test_the_reply_box_offers_the_picker_to_staff_only(client_as, helpdesk, data):
    with data():
        ticket = account_ticket(helpdesk)
        ticket_id, token = ticket.id, ticket.tracking_token
    staff_page = client_as("agent").get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="canned-open" hidden' in staff_page  # shown by its script; without one the page works as before
    assert f'data-url="/tickets/{ticket_id}/canned-replies"' in staff_page
    assert "js/canned_picker.js" in staff_page and 'href="/tickets/canned-replies"' in staff_page
    for page in (client_as("user").get(f"/tickets/{ticket_id}"), client_as(None).get(f"/soporte/t/{token}")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "canned" not in html


def test_staff_find_the_templates_in_their_menu(client_as):
    for role in ("admin", "agent"):
        assert 'id="canned-replies-link"' in client_as(role).get("/account").get_data(as_text=True)
    for role in ("user", "staff", "registrar"):
        assert 'id="canned-replies-link"' not in client_as(role).get("/account").get_data(as_text=True)
