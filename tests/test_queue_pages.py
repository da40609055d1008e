"""The queue through its pages and its JSON API."""
import re
from datetime import time

import pytest

from extensions import db
from models import Counter, QueueStatus, QueueTicket, Service, ServiceHours, User
from tests.conftest import PASSWORD


def tickets(app):
    with app.app_context():
        return {t.code: (t.status, t.counter_id) for t in db.session.scalars(db.select(QueueTicket))}


def api_token(client, username):
    return client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).json["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_kiosk_issues_and_shows_a_printable_ticket_with_a_qr(app, client_as, queue_desk):
    kiosk = client_as("registrar")
    page = kiosk.get("/registro").get_data(as_text=True)
    assert "General" in page and "Caja" in page and "data-keepalive-seconds" in page
    response = kiosk.post("/registro", data={"service_id": queue_desk["A"], "priority": "elderly"})
    assert response.status_code == 302 and "/registro/tickets/" in response.headers["Location"]
    receipt = kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert "A-001" in receipt and "<svg" in receipt and "print_ticket.js" in receipt
    # Its keep-alive posts need the CSRF token (without it each one failed and reopened the print
    # dialog), and the page names its icon (the browser asked for a missing /favicon.ico).
    assert 'name="csrf-token"' in receipt and 'rel="icon"' in receipt
    with app.app_context():
        ticket = db.session.scalar(db.select(QueueTicket))
        assert ticket.priority.value == "elderly" and f"/t/{ticket.token}" in receipt


@pytest.mark.parametrize("data", [{}, {"service_id": "999"}, {"service_id": "abc"},
                                  {"service_id": "1", "priority": "vip"}])
def test_kiosk_bad_choice_is_a_message_not_a_ticket(app, client_as, queue_desk, data):
    response = client_as("registrar").post("/registro", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/registro"
    assert tickets(app) == {}


def test_kiosk_shows_a_closed_service_and_refuses_it(app, client_as, queue_desk):
    with app.app_context():
        service = db.session.get(Service, queue_desk["B"])
        service.hours = [ServiceHours(weekday=d, opens_at=time(0, 0), closes_at=time(0, 1)) for d in range(7)]
        db.session.commit()
    kiosk = client_as("registrar")
    page = kiosk.get("/registro").get_data(as_text=True)
    assert "kiosk-closed" in page
    kiosk.post("/registro", data={"service_id": queue_desk["B"]})
    assert tickets(app) == {}


def test_kiosk_mode_is_full_screen_with_its_own_language_switch(client_as, queue_desk):
    page = client_as("registrar").get("/registro?mode=kiosk").get_data(as_text=True)
    assert 'class="navbar' not in page and 'id="language-menu"' not in page and "kiosk-mode" in page
    # Both languages on the page itself, each coming back to the kiosk in kiosk mode.
    assert page.count('name="next" value="/registro?mode=kiosk"') == 2
    assert 'data-locale="es"' in page and 'data-locale="en"' in page
    assert 'action="/registro?mode=kiosk"' in page and "data-idle-reload-seconds" in page
    assert page.index("js/common.js") < page.index("js/keepalive.js") and "data-keepalive-seconds" in page
    desk = client_as("registrar").get("/registro").get_data(as_text=True)
    assert 'class="navbar' in desk and "kiosk-languages" not in desk and "/registro?mode=kiosk" in desk


def test_kiosk_mode_stays_through_issuing_and_messages(app, client_as, queue_desk):
    kiosk = client_as("registrar")
    response = kiosk.post("/registro?mode=kiosk&return_after=7", data={"service_id": queue_desk["A"]})
    location = response.headers["Location"]
    assert re.fullmatch(r"/registro/tickets/\d+\?mode=kiosk&return_after=7", location)
    kiosk.post("/language", data={"locale": "en", "next": location})  # this visitor reads English
    receipt = kiosk.get(location).get_data(as_text=True)
    assert 'data-return-seconds="7"' in receipt and 'id="return-form"' in receipt and "Take your ticket" in receipt
    # Back to the start in the organisation's language (es), whatever the last person chose.
    assert 'name="locale" value="es"' in receipt
    assert 'name="next" value="/registro?mode=kiosk&amp;return_after=7"' in receipt
    assert 'id="print-again"' not in receipt  # nobody prints a second ticket at a public kiosk
    refused = kiosk.post("/registro?mode=kiosk", data={"service_id": "999"})
    assert refused.headers["Location"] == "/registro?mode=kiosk"


def test_receipt_qr_is_a_whole_symbol_css_can_size(app, client_as, queue_desk):
    kiosk = client_as("registrar")
    receipt = kiosk.get(kiosk.post("/registro", data={"service_id": queue_desk["A"]}).headers["Location"])
    svg = re.search(r"<svg[^>]*>", receipt.get_data(as_text=True)).group(0)
    # A viewBox and no size of its own: the CSS size scales the whole code, quiet zone included.
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    assert size >= 21 + 8 and " width=" not in svg and " height=" not in svg
    assert 'data-auto-print="true"' in receipt.get_data(as_text=True)


def test_panel_calls_serves_and_finishes_through_forms(app, client_as, queue_desk):
    kiosk, panel = client_as("registrar"), client_as("staff")
    for service in ("A", "B"):
        kiosk.post("/registro", data={"service_id": queue_desk[service]})
    page = panel.get("/panel").get_data(as_text=True)
    assert "Módulo 1" in page and "A-001" in page and "B-001" in page
    assert panel.post("/panel/call-next").status_code == 302
    with app.app_context():
        first = db.session.scalar(db.select(QueueTicket).where(QueueTicket.code == "A-001"))
    panel.post(f"/panel/tickets/{first.id}/start")
    panel.post(f"/panel/tickets/{first.id}/finish")
    assert tickets(app)["A-001"][0] == QueueStatus.DONE


def test_panel_json_actions_and_state(app, client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["B"]})
    panel = client_as("staff")
    headers = {"Accept": "application/json"}
    response = panel.post("/panel/call-next", headers=headers)
    assert response.status_code == 200 and response.json["ticket"]["ticket"] == "B-001"
    ticket_id = response.json["ticket"]["id"]
    response = panel.post(f"/panel/tickets/{ticket_id}/hold", headers=headers)
    assert response.json["state"]["on_hold"][0]["ticket"] == "B-001"
    response = panel.post(f"/panel/tickets/{ticket_id}/transfer", data={"service_id": queue_desk["A"]},
                          headers=headers)
    assert response.status_code == 200 and response.json["ticket"]["service_prefix"] == "A"
    state = panel.get("/panel/state").json
    assert [t["ticket"] for t in state["waiting"]] == ["B-001"] and state["current"] == []
    response = panel.post("/panel/call-next", headers=headers)
    assert response.json["ticket"]["ticket"] == "B-001"
    response = panel.post("/panel/call-next", headers=headers)
    assert response.status_code == 409 and response.json["error"] == "queue_empty"


def test_panel_refuses_bad_transitions_with_a_message(app, client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    panel = client_as("staff")
    with app.app_context():
        ticket_id = db.session.scalar(db.select(QueueTicket.id))
    response = panel.post(f"/panel/tickets/{ticket_id}/finish", headers={"Accept": "application/json"})
    assert response.status_code == 409 and response.json["error"] == "invalid_transition"
    assert panel.post(f"/panel/tickets/{ticket_id}/finish").status_code == 302  # form: flash + back
    assert panel.post("/panel/tickets/99999/finish").status_code == 404
    response = panel.post(f"/panel/tickets/{ticket_id}/transfer", data={"service_id": "x"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_staff_without_a_counter_picks_one(app, client_as, queue_desk, users):
    with app.app_context():
        db.session.get(User, users["staff"]).counter_id = None
        db.session.commit()
    panel = client_as("staff")
    assert "Choose your counter" in panel.get("/panel", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert panel.post("/panel/call-next", headers={"Accept": "application/json"}).status_code == 409
    panel.post("/panel/counter", data={"counter_id": queue_desk["counters"][2]})
    assert "Módulo 3" in panel.get("/panel").get_data(as_text=True)


def test_status_page_and_cancel(app, client, client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    with app.app_context():
        second = db.session.scalar(db.select(QueueTicket).where(QueueTicket.code == "A-002"))
    status = client.get(f"/t/{second.token}/status").json
    assert status["ticket"] == "A-002" and status["people_ahead"] == 1 and status["status"] == "waiting"
    assert client.get(f"/t/{second.token}").status_code == 200
    assert client.get("/t/not-a-real-token").status_code == 404
    assert client.get("/t/" + "x" * 500).status_code == 404
    client.post(f"/t/{second.token}/cancel")
    assert client.get(f"/t/{second.token}/status").json["status"] == "cancelled"


def test_api_issue_and_call_next(app, client, queue_desk):
    registrar = api_token(client, "registrar1")
    response = client.post("/api/queue/tickets", json={"service_id": queue_desk["A"]}, headers=bearer(registrar))
    assert response.status_code == 201 and response.json["ticket"] == "A-001" and response.json["token"]
    staff = api_token(client, "staff1")
    response = client.post("/api/queue/call-next", headers=bearer(staff))
    assert response.status_code == 200 and response.json["ticket"] == "A-001"
    assert response.json["counter"] == "Módulo 1"
    first_id = response.json["id"]
    # A retry that does not say what it finishes, a moment later: refused, the counter comes back.
    repeated = client.post("/api/queue/call-next", headers=bearer(staff))
    assert repeated.status_code == 409 and repeated.json["error"] == "counter_moved_on"
    assert [ticket["ticket"] for ticket in repeated.json["state"]["current"]] == ["A-001"]
    # A client that saw an empty counter is told it moved on; one that saw A-001 finishes it.
    stale = client.post("/api/queue/call-next", json={"current_ticket_id": None}, headers=bearer(staff))
    assert stale.status_code == 409 and stale.json["error"] == "counter_moved_on"
    response = client.post("/api/queue/call-next", json={"counter_id": queue_desk["counters"][1],
                                                         "current_ticket_id": first_id}, headers=bearer(staff))
    assert response.status_code == 409 and response.json["error"] == "queue_empty"
    display = client.get("/api/queue/display").json
    # staff1 moved to Módulo 2 and took A-001 along (then finished it before calling again)
    assert display["current"]["ticket"] == "A-001" and display["current"]["counter"] == "Módulo 2"


@pytest.mark.parametrize("body, field", [
    ({}, "service_id"), ({"service_id": "1"}, "service_id"), ({"service_id": 999}, "service_id"),
    ({"service_id": 1, "priority": "vip"}, "priority"),
])
def test_api_issue_names_the_bad_field(client, queue_desk, body, field):
    token = api_token(client, "registrar1")
    response = client.post("/api/queue/tickets", json=body, headers=bearer(token))
    assert response.status_code == 400 and field in response.json["fields"]


def test_api_call_next_checks_counter_and_role(client, queue_desk):
    staff = api_token(client, "staff1")
    response = client.post("/api/queue/call-next", json={"counter_id": 999}, headers=bearer(staff))
    assert response.status_code == 400 and "counter_id" in response.json["fields"]
    registrar = api_token(client, "registrar1")
    assert client.post("/api/queue/call-next", headers=bearer(registrar)).status_code == 403
    assert client.post("/api/queue/tickets", json={"service_id": queue_desk["A"]},
                       headers=bearer(staff)).status_code == 403


def test_admin_sets_up_services_with_hours_and_counters(app, admin_client, queue_desk):
    response = admin_client.post("/admin/services/new", data={
        "name": "Trámites", "prefix": "tr", "color": "#aa3300", "position": "3", "active": "y",
        "hours_mon": "08:00-13:00, 15:00-18:00", "hours_sat": "09:00-12:00",
    })
    assert response.status_code == 302
    page = admin_client.get("/admin/services").get_data(as_text=True)
    assert "TR" in page and "08:00-13:00, 15:00-18:00" in page
    response = admin_client.post("/admin/services/new", data={
        "name": "Otro", "prefix": "Z", "color": "#aa3300", "hours_mon": "13:00-08:00"})
    assert response.status_code == 200 and 'id="hours_mon"' in response.get_data(as_text=True)
    assert "is-invalid" in response.get_data(as_text=True)
    response = admin_client.post("/admin/services/new", data={"name": "Otro", "prefix": "a", "color": "#aa3300"})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)  # A is taken
    with app.app_context():
        trámites = db.session.scalar(db.select(Service).where(Service.prefix == "TR"))
    response = admin_client.post("/admin/counters/new", data={
        "name": "Módulo 9", "position": "9", "active": "y", f"service_{trámites.id}": "1",
        f"service_{queue_desk['A']}": "2"})
    assert response.status_code == 302
    with app.app_context():
        counter = db.session.scalar(db.select(Counter).where(Counter.name == "Módulo 9"))
        assert [link.service_id for link in counter.service_links] == [trámites.id, queue_desk["A"]]
    response = admin_client.post(f"/admin/counters/{counter.id}/edit", data={
        "name": "Módulo 9", "active": "y", f"service_{trámites.id}": "zero"})
    assert response.status_code == 400


def test_used_services_and_counters_are_kept(app, admin_client, client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    admin_client.post(f"/admin/services/{queue_desk['A']}/delete")
    admin_client.post(f"/admin/counters/{queue_desk['counters'][2]}/delete")  # never used: goes
    with app.app_context():
        assert db.session.get(Service, queue_desk["A"]) is not None
        assert db.session.get(Counter, queue_desk["counters"][2]) is None


@pytest.mark.parametrize("path, data", [
    ("/registro", {"service_id": "99999999999999999999"}),
    ("/panel/counter", {"counter_id": "99999999999999999999"}),
])
def test_absurd_ids_in_forms_are_messages_not_errors(client_as, queue_desk, path, data):
    role = "registrar" if path == "/registro" else "staff"
    assert client_as(role).post(path, data=data).status_code == 302


def test_absurd_ids_in_json_are_named(client, queue_desk):
    token = api_token(client, "registrar1")
    response = client.post("/api/queue/tickets", json={"service_id": 10**20}, headers=bearer(token))
    assert response.status_code == 400 and "service_id" in response.json["fields"]


def test_staff_pick_only_the_counters_they_are_allowed(app, admin_client, client, client_as, queue_desk, users):
    first, second, third = queue_desk["counters"]
    staff = users["staff"]
    response = admin_client.post(f"/admin/users/{staff}/edit", data={
        "username": "staff1", "role": "staff", "active": "y", "counter_id": str(first),
        "allowed_counter_ids": [str(first), str(third)]})
    assert response.status_code == 302
    with app.app_context():
        assert [c.id for c in db.session.get(User, staff).allowed_counters] == [first, third]
    panel = client_as("staff")
    page = panel.get("/panel").get_data(as_text=True)
    assert "Módulo 3" in page and "Módulo 2" not in page
    panel.post("/panel/counter", data={"counter_id": second})
    with app.app_context():
        assert db.session.get(User, staff).counter_id == first  # refused
    panel.post("/panel/counter", data={"counter_id": third})
    with app.app_context():
        assert db.session.get(User, staff).counter_id == third
    token = api_token(client, "staff1")
    response = client.post("/api/queue/call-next", json={"counter_id": second}, headers=bearer(token))
    assert response.status_code == 403 and "counter_id" in response.json["fields"]
    page = admin_client.get(f"/admin/users/{staff}/edit").get_data(as_text=True)
    assert f'<option selected value="{third}">' in page
