"""In Chromium, from the keyboard: an agent keeps two reply templates, then answers a requester
without an account and with a long accented name. Ctrl+. opens the picker on the reply box,
typing filters it (accents aside), the arrows choose, Enter inserts the template filled in for
this ticket at the cursor, and the reply goes out with this requester's own tracking link. In an
empty box "/" opens it too: Escape leaves the "/" typed, Enter puts the template in its place,
and an internal note takes it as a reply does."""
import re
import sqlite3
from contextlib import closing

import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser

LONG_NAME = ("María José Núñez-Villaseñor de la Concepción Ibáñez Güemes y Peñalosa "
             "Ortiz de Zárate Echeverría Muñoz Saldaña Íñiguez Ñ")[:120]
RECEIPT = ("Hola {requester_name}:\n\nHemos recibido {ticket_number}; el ñandú lo revisa hoy. "
           "Puede seguirlo en {tracking_link}.\n\n{agent_name}")
CLOSING = "Damos por resuelto {ticket_number}, {requester_name}."


def live_database(tmp_path_factory):
    (database,) = {path.resolve() for path in tmp_path_factory.getbasetemp().glob("live-instance*/live.db")}
    return database


def make_anonymous(tmp_path_factory, ticket_id):
    """The ticket as if filed at /soporte by someone without an account, and given to agent2;
    returns its secret tracking token. (The public form's CAPTCHA keeps a browser out, rightly.)"""
    with closing(sqlite3.connect(live_database(tmp_path_factory))) as connection:
        connection.execute("UPDATE tickets SET requester_id = NULL, requester_name = ?, requester_email = ?, "
                           "assignee_id = (SELECT id FROM users WHERE username = 'agent2') WHERE id = ?",
                           (LONG_NAME, "maria.jose@example.org", ticket_id))
        connection.commit()
        return connection.execute("SELECT tracking_token FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


def close_ticket(tmp_path_factory, ticket_id):
    """Leave the shared server's agents as the seed made them: the automatic assignment other
    tests rely on weighs each agent's open tickets, then who was given one last."""
    with closing(sqlite3.connect(live_database(tmp_path_factory))) as connection:
        connection.execute("UPDATE tickets SET status = 'closed' WHERE id = ?", (ticket_id,))
        connection.execute("UPDATE users SET last_assigned_at = NULL")
        connection.commit()


def add_template(page, title, body):
    page.goto("/tickets/canned-replies/new")
    page.fill("#title", title)
    page.fill("#body", body)
    page.press("#body", "Tab")
    page.keyboard.press("Enter")  # the Save button, next after the text
    page.wait_for_url(re.compile(r".*/tickets/canned-replies$"))
    expect(page.locator("#own-templates .canned-item", has_text=title)).to_have_count(1)


def send_with_keyboard(page):
    """Send, and wait for the page it leads to (the old page may show the reply live before then)."""
    page.locator("#reply-form button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_agent_answers_from_the_keyboard_with_a_template_filled_in_for_the_ticket(
        browser, live_server, page, tmp_path_factory):
    sign_in(page, "admin")
    page.goto("/tickets/new")
    page.fill("#title", "No puedo entrar al correo desde el teléfono")
    page.select_option("#category_id", label="Acceso a la cuenta")
    page.fill("#description", "Me pide la contraseña una y otra vez.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_id = int(page.url.rsplit("/", 1)[1])
    number = page.locator("#ticket-number").inner_text()
    token = make_anonymous(tmp_path_factory, ticket_id)

    agent_context = browser.new_context(base_url=live_server, locale="es-ES")
    agent = agent_context.new_page()
    problems = []
    agent.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    agent.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(agent, "agent2")
    add_template(agent, "Acuse de cierre", CLOSING)
    add_template(agent, "Acuse de recibo", RECEIPT)
    agent.goto(f"/tickets/{ticket_id}")

    # the cursor between a greeting and a sign-off the agent already wrote
    agent.focus("#body")
    agent.keyboard.type("Buenos días.\n\nUn saludo.")
    agent.keyboard.press("Home")
    before, after = "Buenos días.\n\n", "Un saludo."
    agent.keyboard.press("Control+.")
    picker_field = agent.locator("#canned-filter")
    expect(picker_field).to_be_focused()
    expect(picker_field).to_have_attribute("role", "combobox")
    expect(picker_field).to_have_attribute("aria-expanded", "true")
    expect(agent.locator("#canned-open")).to_have_attribute("aria-expanded", "true")
    agent.keyboard.type("ACUSE nandu")  # case and accents aside: finds "Acuse de recibo" by its ñandú
    options = agent.locator("#canned-list [role=option]")
    expect(options).to_have_count(1)
    for _letter in "nandu":
        agent.keyboard.press("Backspace")  # "ACUSE " again: both
    expect(options).to_have_count(2)
    expect(agent.locator("#canned-status")).to_have_text(re.compile(r"\b2\b"))
    first, second = options.nth(0), options.nth(1)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(picker_field).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    agent.keyboard.press("ArrowDown")
    expect(second).to_have_attribute("aria-selected", "true")
    expect(first).to_have_attribute("aria-selected", "false")
    expect(picker_field).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    expect(second).to_contain_text("Acuse de recibo")
    agent.keyboard.press("Enter")

    filled = (f"Hola {LONG_NAME}:\n\nHemos recibido {number}; el ñandú lo revisa hoy. "
              f"Puede seguirlo en <{live_server}/soporte/t/{token}>.\n\nElena Soporte")
    expect(agent.locator("#canned-panel")).to_be_hidden()
    expect(agent.locator("#body")).to_be_focused()
    expect(agent.locator("#body")).to_have_value(before + filled + after)
    assert agent.evaluate("document.getElementById('body').selectionStart") == len(before + filled)
    send_with_keyboard(agent)

    reply = agent.locator(".timeline .card", has_text="el ñandú lo revisa hoy")
    expect(reply).to_contain_text(LONG_NAME)
    expect(reply.locator("a")).to_have_attribute("href", f"{live_server}/soporte/t/{token}")

    # "/" in the empty box: Escape leaves it typed; then a template takes its place, in a note
    box = agent.locator("#body")
    box.focus()
    agent.keyboard.type("/")
    expect(picker_field).to_be_focused()
    expect(agent.locator("#canned-list [role=option]")).to_have_count(2)
    agent.keyboard.press("Escape")
    expect(agent.locator("#canned-panel")).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).to_have_value("/")
    agent.keyboard.press("Backspace")
    agent.keyboard.type("/")
    expect(picker_field).to_be_focused()
    agent.keyboard.type("cierre")
    expect(options).to_have_count(1)
    agent.keyboard.press("Enter")
    expect(box).to_have_value(f"Damos por resuelto {number}, {LONG_NAME}.")
    agent.locator("#internal").focus()
    agent.keyboard.press("Space")
    send_with_keyboard(agent)
    note = agent.locator(".timeline .note-internal", has_text="Damos por resuelto")
    expect(note).to_contain_text(LONG_NAME)
    assert problems == []
    agent_context.close()
    close_ticket(tmp_path_factory, ticket_id)
