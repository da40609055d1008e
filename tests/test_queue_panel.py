"""The counter panel and the named screens in the browser's terms: the panel's live parts, "call
next" refusing a stale page, breaks from the panel, screens that follow transfers and counters."""
import re

from extensions import db, socketio
from models import Counter, CounterState, QueueStatus, QueueTicket
from tests.support.html import Elements, element_text
from tests.support.presence import online

JSON = {"Accept": "application/json"}


def current_ids(html):
    """What the page's "Call next" form says it finishes."""
    return re.search(r'name="current" value="([^"]*)"', html).group(1)


def test_the_live_parts_show_the_counter_as_it_is_and_call_next_says_what_it_finishes(client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    panel = client_as("staff")
    live = panel.get("/panel/live")
    assert live.status_code == 200 and live.headers["Cache-Control"] == "private, no-store"
    assert 'id="panel-live"' in live.get_data(as_text=True) and current_ids(live.get_data(as_text=True)) == ""
    first = panel.post("/panel/call-next", data={"current": ""}, headers=JSON).json["ticket"]
    html = panel.get("/panel/live").get_data(as_text=True)
    assert first["ticket"] in html and current_ids(html) == str(first["id"])


def test_a_stale_page_changes_nothing_and_gets_the_counter_back(app, client_as, queue_desk):
    kiosk = client_as("registrar")
    for _ in range(3):
        kiosk.post("/registro", data={"service_id": queue_desk["A"]})
    tab1, tab2 = client_as("staff"), client_as("staff")
    page = tab2.get("/panel").get_data(as_text=True)  # the second tab shows an empty counter
    assert tab1.post("/panel/call-next", data={"current": current_ids(page)}, headers=JSON).status_code == 200
    refused = tab2.post("/panel/call-next", data={"current": current_ids(page)}, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"] == "counter_moved_on"
    assert [t["ticket"] for t in refused.json["state"]["current"]] == ["A-001"]  # the counter as it is
    back = tab2.post("/panel/call-next", data={"current": current_ids(page)}, follow_redirects=True)
    assert "No se cambió nada" in back.get_data(as_text=True)  # the demo speaks Spanish
    with app.app_context():
        statuses = [t.status for t in db.session.scalars(db.select(QueueTicket).order_by(QueueTicket.id))]
    assert statuses == [QueueStatus.CALLED, QueueStatus.WAITING, QueueStatus.WAITING]


def test_the_panel_takes_a_break_and_opens_again(app, client_as, queue_desk):
    panel = client_as("staff")
    response = panel.post("/panel/counter/state", data={"state": "break", "reason": "Almuerzo"},
                          follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'id="counter-state"' in page and "Almuerzo" in page
    with app.app_context():
        counter = db.session.get(Counter, queue_desk["counters"][0])
        assert (counter.state, counter.state_reason) == (CounterState.BREAK, "Almuerzo")
    panel.post("/panel/counter/state", data={"state": "open"})
    with app.app_context():
        assert db.session.get(Counter, queue_desk["counters"][0]).state == CounterState.OPEN
    refused = panel.post("/panel/counter/state", data={"state": "asleep"}, follow_redirects=True)
    assert refused.status_code == 200 and "alert-warning" in refused.get_data(as_text=True)


def test_sockets_tell_screens_of_counters_and_withdrawn_calls_and_the_counters_panels(app, client, client_as,
                                                                                      queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    staff = client_as("staff")
    tv = socketio.test_client(app, namespace="/display", flask_test_client=client)
    panel = socketio.test_client(app, namespace="/queue", flask_test_client=staff)
    called = staff.post("/panel/call-next", data={"current": ""}, headers=JSON).json["ticket"]
    tv.get_received("/display"), panel.get_received("/queue")
    staff.post(f"/panel/tickets/{called['id']}/transfer", data={"service_id": queue_desk["B"]}, headers=JSON)
    assert {"name": "withdrawn", "args": [{"ticket": "A-001"}], "namespace": "/display"} in tv.get_received("/display")
    staff.post("/panel/counter/state", data={"state": "closed", "reason": "Fin de turno"})
    counters = [e["args"][0]["counters"] for e in tv.get_received("/display") if e["name"] == "counters"]
    closed = next(c for c in counters[0] if c["name"] == "Módulo 1")
    assert (closed["state"], closed["reason"]) == ("closed", "Fin de turno")
    assert [e["args"][0] for e in panel.get_received("/queue") if e["name"] == "counter_changed"] == [
        {"counter_id": queue_desk["counters"][0]}]


def test_a_named_screen_shows_its_services_in_its_language(app, client, admin_client, queue_desk):
    response = admin_client.post("/admin/screens/new", data={
        "name": "Sala de espera, planta baja", "slug": "sala-pb", "service_ids": [queue_desk["B"]], "locale": "en",
        "recent_count": "3", "ticker": "Bienvenidos", "active": "y"})
    assert response.status_code == 302
    page = client.get("/screen/sala-pb", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en"' in page and "Now calling" in page and 'data-services="B"' in page
    assert page.count('<li data-color') == 3 and "Bienvenidos" in page
    assert client.get("/screen/no-such-screen").status_code == 404
    listing = admin_client.get("/admin/screens").get_data(as_text=True)
    assert "/screen/sala-pb" in listing
    tv = socketio.test_client(app, namespace="/display", flask_test_client=client, query_string="screen=sala-pb")
    state = next(e["args"][0] for e in tv.get_received("/display") if e["name"] == "state")
    assert [s["prefix"] for s in state["services"]] == ["B"]


def test_the_status_page_says_when_no_counter_is_calling(app, client, client_as, queue_desk):
    response = client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    with app.app_context():
        token = db.session.scalar(db.select(QueueTicket.token))
    assert client.get(f"/t/{token}/status").json["counters_open"] == 0
    html = client.get(f"/t/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert element_text(html, "status-wait") == "—"  # no estimate rather than a wrong one, and why
    assert element_text(html, "status-no-counter") == "no counter is calling this line right now"
    assert "hidden" not in Elements(html).by_id("status-no-counter")
    with app.app_context():
        online(queue_desk["staff"])
    status = client.get(f"/t/{token}/status").json
    assert status["counters_open"] == 1 and status["estimated_wait_seconds"] == 0
    assert "hidden" in Elements(client.get(f"/t/{token}").get_data(as_text=True)).by_id("status-no-counter")
    assert response.status_code == 302


def test_admin_forms_refuse_a_counter_without_services_and_show_no_sample_hours(admin_client, queue_desk):
    refused = admin_client.post("/admin/counters/new", data={"name": "Ventanilla Preferente de Atención 12",
                                                             "position": "5", "active": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "alert-danger" in page and "Ventanilla Preferente" in page
    form = admin_client.get("/admin/services/new").get_data(as_text=True)
    assert "placeholder=" not in form.split('id="hours_mon"')[1].split(">")[0]  # an empty day shows no hours
