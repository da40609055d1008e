"""In Chromium: a requester's ticket page follows what an agent does without a reload, and keeps
the reply the requester is typing; the admin's list follows too; the tracking page of someone
without an account hears replies but never internal notes."""
import re
import sqlite3
from contextlib import closing

import pytest

from tests.support.browser import sign_in

pytestmark = pytest.mark.browser

DEMO_AGENTS = {"Diego Soporte": "agent1", "Elena Soporte": "agent2"}  # whoever the ticket went to


def test_the_requesters_page_shows_the_agents_reply_and_status_without_a_reload(browser, live_server, page):
    sign_in(page, "user1")
    page.goto("/tickets/new")
    page.fill("#title", "El ratón no responde")
    page.select_option("#category_id", label="Equipo y hardware")
    page.fill("#description", "Ni con pilas nuevas.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_path = page.url.removeprefix(live_server)
    agent_name = DEMO_AGENTS.get(page.locator("#ticket-assignee").inner_text().strip(), "agent1")
    page.evaluate("window.notReloaded = true")
    page.fill("#body", "Un borrador a medias")
    assert page.locator("[data-live-region=header] [data-status]").get_attribute("data-status") == "open"

    admin_context = browser.new_context(base_url=live_server, locale="es-ES")
    admin_list = admin_context.new_page()
    sign_in(admin_list, "admin")
    admin_list.goto("/tickets/admin")
    row = f"#ticket-table [data-ticket-id='{ticket_path.rsplit('/', 1)[1]}']"
    admin_list.wait_for_selector(f"{row} [data-status=open]")
    agent_context = browser.new_context(base_url=live_server, locale="es-ES")
    agent = agent_context.new_page()
    sign_in(agent, agent_name)
    agent.goto(ticket_path)
    agent.fill("#body", "Pruebe con otro puerto USB, por favor.")
    agent.click("#reply-form button[type=submit]")
    agent.wait_for_selector(".timeline .card:has-text('otro puerto USB')")

    page.wait_for_selector(".timeline .card:has-text('Pruebe con otro puerto USB')")

    agent.click("[data-next-status=in_progress]")
    agent.wait_for_selector("[data-live-region=header] [data-status=in_progress]")
    page.wait_for_selector("[data-live-region=header] [data-status=in_progress]")
    page.wait_for_selector(".timeline-event[data-action='ticket.status']")
    admin_list.wait_for_selector(f"{row} [data-status=in_progress]")

    assert page.evaluate("window.notReloaded") is True
    assert page.input_value("#body") == "Un borrador a medias"  # the draft is untouched
    agent_context.close()
    admin_context.close()


def test_closing_hides_the_reply_form_and_reopening_brings_it_back(browser, live_server, page):
    sign_in(page, "user1")
    page.goto("/tickets/new")
    page.fill("#title", "La impresora imprime en blanco")
    page.select_option("#category_id", label="Equipo y hardware")
    page.fill("#description", "Con tóner nuevo.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_path = page.url.removeprefix(live_server)
    page.fill("#body", "Sigue igual")

    admin_context = browser.new_context(base_url=live_server, locale="es-ES")
    admin = admin_context.new_page()
    sign_in(admin, "admin")
    admin.goto(ticket_path)
    admin.click("[data-next-status=closed]")
    page.wait_for_selector("#closed-notice")
    assert page.locator("#reply-form").is_hidden()
    admin.wait_for_selector("[data-next-status=open]")
    admin.click("[data-next-status=open]")
    page.wait_for_selector("#reply-form", state="visible")
    assert page.locator("#closed-notice").count() == 0
    assert page.input_value("#body") == "Sigue igual"
    admin_context.close()


def tracking_token(tmp_path_factory, ticket_id):
    """The ticket's secret link, read from the live server's database (it is mailed, never shown)."""
    (database,) = {path.resolve() for path in tmp_path_factory.getbasetemp().glob("live-instance*/live.db")}
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT tracking_token FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


def test_the_tracking_page_shows_replies_but_never_notes(browser, live_server, page, tmp_path_factory):
    sign_in(page, "admin")
    page.goto("/tickets/new")
    page.fill("#title", "El proyector no enciende")
    page.select_option("#category_id", label="Equipo y hardware")
    page.fill("#description", "Sala 2.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_id = int(page.url.rsplit("/", 1)[1])

    anonymous_context = browser.new_context(base_url=live_server, locale="es-ES")
    tracking = anonymous_context.new_page()
    problems = []
    tracking.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tracking.goto(f"/soporte/t/{tracking_token(tmp_path_factory, ticket_id)}")
    tracking.wait_for_function("window.io !== undefined")
    page.fill("#body", "Nota: el técnico irá mañana")
    page.check("#internal")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector(".timeline .card:has-text('irá mañana')")
    page.fill("#body", "Vamos a revisarlo hoy.")
    page.click("#reply-form button[type=submit]")

    tracking.wait_for_selector(".timeline .card:has-text('Vamos a revisarlo hoy')")
    assert tracking.locator(".timeline", has_text="irá mañana").count() == 0
    assert problems == []
    anonymous_context.close()
