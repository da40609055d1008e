"""In Chromium, two people in two browser profiles: the admin opens a chat with agent1 and sees
them online; a message appears live on the other side, shown as text; the reply, the typing
indicator and the read state come back live; when agent1 leaves, their dot goes offline."""
import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser


def settled(page):
    """Wait until the page's socket is connected over WebSocket. A page left while its socket is
    still connecting or upgrading leaves a long-polling session the server only drops at its
    ping timeout (its person stays online until then); people do not leave pages that fast."""
    page.wait_for_function("() => window.liveSocket && window.liveSocket.connected && "
                           "window.liveSocket.io.engine.transport.name === 'websocket'")


def test_two_people_chat_live_and_see_each_other_online(browser, live_server, page):
    sign_in(page, "admin")
    agent_context = browser.new_context(base_url=live_server, locale="es-ES")
    agent_context.set_default_timeout(5000)
    agent = agent_context.new_page()
    agent_problems = []
    agent.on("console", lambda message: agent_problems.append(message.text) if message.type == "error" else None)
    agent.on("pageerror", lambda error: agent_problems.append(str(error)))
    sign_in(agent, "agent1")
    settled(agent)
    agent.goto("/chat")
    settled(agent)

    page.goto("/chat")
    page.select_option("#chat-with", label=page.locator("#chat-with option", has_text="Diego Soporte").inner_text())
    page.click("#chat-start button[type=submit]")
    page.wait_for_selector("#chat-page")
    page.wait_for_selector("#chat-page .presence-dot.online")  # agent1 has a page open

    evil = "Hola <img src=x onerror=window.hacked=1> **¿todo bien?**"
    page.fill("#chat-body", evil)
    page.keyboard.press("Enter")
    page.wait_for_selector(".chat-message.mine .chat-body")
    assert page.locator(".chat-message.mine .chat-body").inner_text() == evil

    # It appears live in agent1's list, then in the conversation, as the text it is.
    row = agent.locator(".chat-row", has_text="Administrador")
    row.wait_for()
    assert row.locator(".chat-row-preview").inner_text() == evil
    expect(agent.locator("#chat-unread")).to_have_text("1")  # `chat:unread` comes just after the message
    row.click()
    agent.wait_for_selector("#chat-page")
    settled(agent)
    assert agent.locator(".chat-message.theirs .chat-body").inner_text() == evil
    assert agent.locator(".chat-message img").count() == 0
    assert agent.evaluate("window.hacked") is None
    agent.wait_for_selector("#chat-page .presence-dot.online")  # and the admin is online for them
    assert agent.locator("#chat-unread").is_hidden()  # opening the conversation read it

    # Reading it reached the admin: their message now says "read".
    read_label = page.locator("#chat-page").get_attribute("data-label-read")
    page.wait_for_function("label => document.querySelector('.chat-message.mine .chat-state').textContent === label",
                           arg=read_label)

    agent.type("#chat-body", "Todo bien")
    page.wait_for_function("() => document.getElementById('chat-typing').textContent.includes('Diego Soporte')")
    agent.keyboard.press("Enter")
    page.locator(".chat-message.theirs .chat-body", has_text="Todo bien").wait_for()

    agent_context.close()
    assert agent_problems == []
    # After the grace that covers moving between pages, agent1 is shown as away, with a last-seen time.
    page.wait_for_selector("#chat-page .presence-dot.offline", timeout=15000)
    assert page.locator("#chat-page .presence-text").inner_text() != page.locator("#chat-page").get_attribute(
        "data-label-online")
