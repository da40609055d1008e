"""In Chromium: "due soon" and "overdue" follow the clock on an open list and on the dashboard.
Nothing about the ticket changes, only time passes (the page's clock is moved; the ticket's due
time is moved in the database, as the server's clock moving past it would), and once a minute
the pages show where each ticket stands without a reload."""
import re
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest

from services.timeutil import utcnow
from tests.support.browser import sign_in
from tests.support.call_screens import live_database, timestamp

pytestmark = pytest.mark.browser


def set_due(tmp_path_factory, ticket_id, due_at):
    with closing(sqlite3.connect(live_database(tmp_path_factory))) as connection:
        connection.execute("UPDATE tickets SET due_at = ? WHERE id = ?", (timestamp(due_at), ticket_id))
        connection.commit()


def test_the_list_and_the_dashboard_follow_the_clock(browser, live_server, page, tmp_path_factory):
    sign_in(page, "user1")
    page.goto("/tickets/new")
    page.fill("#title", "El monitor se apaga solo")
    page.select_option("#category_id", label="Equipo y hardware")
    page.fill("#description", "Cada diez minutos.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_id = int(page.url.rsplit("/", 1)[1])
    row = f"#ticket-table [data-ticket-id='{ticket_id}']"

    admin_context = browser.new_context(base_url=live_server, locale="es-ES")
    admin = admin_context.new_page()
    sign_in(admin, "admin")
    admin.clock.install()
    admin.goto("/tickets/admin")
    admin.wait_for_selector(f"{row} [data-due] [data-sla=on_track]")
    admin.evaluate("window.notReloaded = true")

    set_due(tmp_path_factory, ticket_id, utcnow() + timedelta(minutes=30))
    admin.clock.fast_forward(61_000)
    admin.wait_for_selector(f"{row} [data-due] [data-sla=soon]")
    assert re.fullmatch(r"Vence pronto: quedan? \d+ min", admin.inner_text(f"{row} [data-due] [data-sla]"))

    set_due(tmp_path_factory, ticket_id, utcnow() - timedelta(hours=2))
    admin.clock.fast_forward(61_000)
    admin.wait_for_selector(f"{row} [data-due] [data-sla=overdue]")
    assert admin.evaluate("window.notReloaded") is True

    admin.goto("/tickets/dashboard")
    item = f"#needs-attention [data-ticket-id='{ticket_id}']"
    admin.wait_for_selector(f"{item} [data-sla=overdue]")
    admin.evaluate("window.notReloaded = true")
    set_due(tmp_path_factory, ticket_id, utcnow() + timedelta(days=30))  # e.g. the priority was lowered
    admin.clock.fast_forward(61_000)
    admin.wait_for_selector(item, state="detached")
    assert admin.evaluate("window.notReloaded") is True
    admin_context.close()
