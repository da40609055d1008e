"""In Chromium: a requester files a ticket with a screenshot, an agent answers it, the requester
reads the answer; the admin's dashboard draws its charts without a script or CSP error."""
import re
from io import BytesIO

import pytest
from PIL import Image

from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def screenshot_png(tmp_path):
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    path = tmp_path / "pantallazo.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_a_ticket_goes_from_the_requester_to_the_agent_and_back(browser, live_server, page, tmp_path):
    sign_in(page, "user1")
    page.goto("/tickets/new")
    page.fill("#title", "La pantalla parpadea")
    page.select_option("#category_id", label="Equipo y hardware")
    page.fill("#description", "Desde esta mañana, **cada minuto**.")
    page.set_input_files("#attachments", str(screenshot_png(tmp_path)))
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    number = page.locator("#ticket-number").inner_text()
    assert re.fullmatch(r"TKT-\d{6}", number)
    assert page.locator("#ticket-description strong").inner_text() == "cada minuto"
    assert page.locator(".attachments a", has_text="pantallazo.png").count() == 1
    ticket_url = page.url

    agent_context = browser.new_context(base_url=live_server, locale="es-ES")
    agent = agent_context.new_page()
    sign_in(agent, "agent1")
    agent.goto("/tickets/ingeniero")
    agent.click(f"main >> text={number}")
    agent.fill("#body", "Cambie el cable de vídeo, por favor.")
    agent.click("#reply-form button[type=submit]")
    agent.wait_for_selector(".timeline .card:has-text('Cambie el cable')")
    agent_context.close()

    page.goto(ticket_url)
    assert page.locator(".timeline .card", has_text="Cambie el cable de vídeo").count() == 1


def test_the_dashboard_draws_its_charts(page):
    sign_in(page, "admin")
    page.goto("/tickets/dashboard")
    page.wait_for_function("document.querySelectorAll('#helpdesk-charts canvas').length === 4 && "
                           "Array.from(document.querySelectorAll('#helpdesk-charts canvas')).every(c => c.width > 0)")
    assert page.locator("#helpdesk-counters [data-stat=total]").inner_text().isdigit()
