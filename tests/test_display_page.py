"""The public call screen (/) and a person's queue-ticket page (/t/<token>), as the server renders them."""
import io
import re
import wave

import pytest
from sqlalchemy import select

from extensions import db
from models import Counter, CounterService, QueueTicket, Service, User
from services.queue import line as queue_service
from services.settings import save_settings
from tests.support.html import Elements, element_text
from tests.support.presence import online

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def line(app, users):
    """Services A and B, counter "Módulo 4" (A first, then B) with staff1 at it. Returns ids."""
    with app.app_context():
        general = Service(prefix="A", name="General", color="#0d6efd", position=0)
        cashier = Service(prefix="B", name="Caja", color="#198754", position=1)
        counter = Counter(name="Módulo 4", position=1)
        counter.service_links = [CounterService(service=general, position=0),
                                 CounterService(service=cashier, position=1)]
        db.session.add_all([general, cashier, counter])
        db.session.flush()
        db.session.get(User, users["staff"]).counter = counter
        db.session.commit()
        online(users["staff"])  # staff1 is at the counter, with the panel open
        return {"A": general.id, "B": cashier.id, "counter": counter.id, "staff": users["staff"]}


def issue(line, prefix):
    ticket = queue_service.issue_ticket(db.session.get(Service, line[prefix]))
    return ticket.code, ticket.token


def call_next(line):
    return queue_service.call_next(db.session.get(Counter, line["counter"]),
                                   db.session.get(User, line["staff"])).code


def test_call_screen_shows_current_call_recent_calls_and_waiting_counts_without_login(app, client, line):
    with app.app_context():
        for prefix in ("A", "A", "B"):
            issue(line, prefix)
        assert [call_next(line), call_next(line)] == ["A-001", "A-002"]
        issue(line, "A")

    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    page = Elements(html)
    state = page.json_block("display-state")
    assert state["current"]["ticket"] == "A-002" and state["current"]["counter"] == "Módulo 4"
    assert [call["ticket"] for call in state["recent"]] == ["A-001"]
    assert state["waiting"] == {"A": 1, "B": 1}
    # The server-rendered page already shows it, before any script runs.
    current = html.split('id="display-current"', 1)[1].split("</section>", 1)[0]
    assert "A-002" in current and "Módulo 4" in current
    assert re.search(r'data-prefix="A"[^>]*>\s*<span class="display-prefix">A</span>\s*'
                     r'<span class="display-service">General</span>\s*'
                     r'<span class="display-count" data-field="count">1<', html)
    root = page.by_id("display")
    assert root["data-services"] == ""
    assert "{ticket}" in root["data-announce"] and "{counter}" in root["data-announce"]
    assert root["data-chime-url"].endswith("/sounds/chime.wav")


def test_screen_filtered_by_service_shows_only_that_service(app, client, line):
    with app.app_context():
        for prefix in ("A", "B", "B"):
            issue(line, prefix)
        assert [call_next(line), call_next(line)] == ["A-001", "B-001"]  # the counter prefers A

    html = client.get("/?services=b").get_data(as_text=True)
    page = Elements(html)
    state = page.json_block("display-state")
    assert page.by_id("display")["data-services"] == "B"
    assert [s["prefix"] for s in state["services"]] == ["B"]
    assert state["current"]["ticket"] == "B-001" and state["recent"] == []
    assert state["waiting"] == {"B": 1}
    assert "A-001" not in html and 'data-prefix="A"' not in html and "General" not in html


def test_pages_have_no_inline_script_or_style(app, client, line):
    with app.app_context():
        _code, token = issue(line, "A")
    for url in ("/", f"/t/{token}"):
        page = Elements(client.get(url).get_data(as_text=True))
        for attrs, text in page.scripts:
            assert attrs.get("src") or attrs.get("type") == "application/json", (url, text[:80])
        for tag, attrs in page.tags:
            assert "style" not in attrs, (url, tag, attrs)
            assert not any(name.startswith("on") for name in attrs), (url, tag, attrs)


def test_service_names_cannot_break_out_of_the_json_block(app, client, line):
    with app.app_context():
        db.session.get(Service, line["B"]).name = "</script><script>alert(1)</script>"
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    state = Elements(html).json_block("display-state")
    assert state["services"][1]["name"] == "</script><script>alert(1)</script>"


def test_screen_settings_reach_the_page_as_data_attributes(app, client, line):
    root = Elements(client.get("/").get_data(as_text=True)).by_id("display")
    assert (root["data-chime"], root["data-flash"], root["data-speech"], root["data-recent"]) == \
        ("true", "true", "true", "6")
    with app.app_context():
        save_settings({"display_chime": False, "display_speech": False, "display_recent_count": 3,
                       "timezone": "America/Bogota"}, actor=None)

    html = client.get("/").get_data(as_text=True)
    root = Elements(html).by_id("display")
    assert (root["data-chime"], root["data-flash"], root["data-speech"], root["data-recent"]) == \
        ("false", "true", "false", "3")
    assert root["data-timezone"] == "America/Bogota"
    recent_list = html.split('id="display-recent"', 1)[1].split("</ol>", 1)[0]
    assert recent_list.count("<li") == 3  # fixed slots: the script never adds more


def test_status_page_while_waiting_shows_people_ahead_wait_and_cancel(app, client, line):
    with app.app_context():
        issue(line, "A")
        code, token = issue(line, "A")

    html = client.get(f"/t/{token}", headers=ENGLISH).get_data(as_text=True)
    page = Elements(html)
    assert code in html and "General" in html
    assert element_text(html, "status-label") == "waiting"
    assert element_text(html, "status-ahead") == "1"
    assert element_text(html, "status-wait") == "about 5 min"  # 300 s default × 1 ahead ÷ 1 counter
    assert "hidden" not in page.by_id("status-cancel") and "hidden" in page.by_id("status-called")
    assert page.by_id("status-cancel")["action"] == f"/t/{token}/cancel"
    root = page.by_id("ticket-status")
    assert (root["data-prefix"], root["data-ticket"]) == ("A", code)
    assert root["data-status-url"] == f"/t/{token}/status"
    assert "{minutes}" in root["data-wait-minutes"]
    assert Elements(html).json_block("status-labels")["called"] == "called"


def test_status_page_first_in_line_waits_less_than_a_minute_label(app, client, line):
    with app.app_context():
        _code, token = issue(line, "A")
    html = client.get(f"/t/{token}", headers=ENGLISH).get_data(as_text=True)
    assert element_text(html, "status-ahead") == "0"
    assert element_text(html, "status-wait") == "less than a minute"


def test_status_page_once_called_shows_the_counter_and_no_cancel(app, client, line):
    with app.app_context():
        code, token = issue(line, "A")
        assert call_next(line) == code

    html = client.get(f"/t/{token}", headers=ENGLISH).get_data(as_text=True)
    page = Elements(html)
    assert element_text(html, "status-label") == "called"
    assert element_text(html, "status-counter") == "Módulo 4"
    assert "hidden" not in page.by_id("status-called")
    assert "hidden" in page.by_id("status-cancel") and "hidden" in page.by_id("status-waiting")


def test_leaving_the_line_from_the_status_page_hides_the_button(app, client, line):
    with app.app_context():
        _code, token = issue(line, "A")
    response = client.post(f"/t/{token}/cancel", headers=ENGLISH)
    assert response.status_code == 302
    html = client.get(f"/t/{token}", headers=ENGLISH).get_data(as_text=True)
    assert element_text(html, "status-label") == "cancelled"
    assert "hidden" in Elements(html).by_id("status-cancel")
    with app.app_context():
        assert db.session.scalars(select(QueueTicket)).one().status.value == "cancelled"


def test_unknown_status_token_is_not_found(client, line):
    assert client.get("/t/not-a-real-token").status_code == 404


def test_chime_is_a_short_wav_served_as_a_static_file(client):
    response = client.get("/static/sounds/chime.wav")
    assert response.status_code == 200 and len(response.data) < 100_000
    with wave.open(io.BytesIO(response.data)) as chime:
        assert 0.5 < chime.getnframes() / chime.getframerate() < 1.5
