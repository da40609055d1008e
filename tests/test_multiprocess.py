"""Two real server processes sharing PostgreSQL and Redis, as deploy/ runs them behind nginx: a
change made through one reaches a browser connected to the other, and limits hold across both.

Runs when TEST_DATABASE_URL and TEST_REDIS_URL are both set (CI sets them); skipped otherwise.
"""
import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.support.multiprocess import Cluster, Listener

pytestmark = pytest.mark.postgres

LOGIN_LIMIT = 5


@pytest.fixture(scope="module")
def redis_server_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: multi-process tests need Redis")

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        pytest.fail(f"TEST_REDIS_URL is set but Redis cannot be reached: {error}")
    return url


@pytest.fixture(scope="module")
def cluster(postgres_server, new_postgres_database, redis_server_url, tmp_path_factory):
    """Processes A and B; the database is dropped at the end of the session, even after a failure."""
    pytest.importorskip("aiohttp", reason="the Socket.IO test clients need aiohttp (requirements-dev.txt)")
    with Cluster(new_postgres_database(), redis_server_url, tmp_path_factory.mktemp("multiprocess"),
                 LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per hour") as cluster:
        yield cluster


@pytest.fixture
def run(cluster):
    """Run a scenario coroutine; on failure show the end of both servers' logs."""

    def runner(scenario):
        try:
            # In a thread of its own: the browser tests' driver may keep an event loop running
            # in this one, and asyncio.run() refuses to start inside a running loop.
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, asyncio.wait_for(scenario, 60)).result()
        except BaseException:
            print(cluster.logs())
            raise

    return runner


def in_thread(function, *args):
    return asyncio.to_thread(function, *args)


def test_a_call_made_through_one_process_reaches_screens_on_both(cluster, run):
    a, b = cluster.urls
    api = cluster.browser(a)

    async def scenario():
        screens = []
        try:
            for url in (b, a):
                screens.append(await Listener.connect(url, "/display"))
            registrar, staff = [await in_thread(api.api_token, name) for name in ("registrar1", "staff1")]
            status, issued = await in_thread(api.api, "/api/queue/tickets", {"service_id": 1}, registrar)
            assert status == 201, issued
            status, called = await in_thread(api.api, "/api/queue/call-next", {}, staff)
            assert status == 200, called
            assert called["ticket"] == issued["ticket"]
            for screen in screens:
                call = await screen.wait_for("call", lambda data: data["ticket"] == issued["ticket"])
                assert call["counter"] == called["counter"]
        finally:
            for screen in screens:
                await screen.disconnect()

    run(scenario())


def test_login_attempts_are_counted_across_processes(cluster):
    """One address, attempts alternating between A and B: the limit is reached on the total."""
    a, b = cluster.urls
    browsers = [cluster.browser(a), cluster.browser(b)]
    browsers[1].address = browsers[0].address
    statuses = [browsers[i % 2].post_login("admin", "wrong password")[0] for i in range(LOGIN_LIMIT + 2)]
    assert statuses == [200] * LOGIN_LIMIT + [429, 429]
    # Another address is not affected.
    assert cluster.browser(b).post_login("admin", "wrong password")[0] == 200


def test_a_reply_made_through_one_process_reaches_the_requester_on_the_other(cluster, run):
    a, b = cluster.urls
    api = cluster.browser(a)
    requester = cluster.browser(b).sign_in("user1")

    async def scenario():
        token = await in_thread(api.api_token, "user1")
        categories = (await in_thread(api.api, "/api/tickets/categorias", None, token))[1]
        status, ticket = await in_thread(api.api, "/api/tickets/tickets", {
            "title": "Printer jammed", "description": "Paper stuck in tray 2.", "category_id": categories[0]["id"]},
            token)
        assert status == 201 and ticket["assignee"], ticket  # the demo agents take new tickets
        agents = [await in_thread(api.api_login, name) for name in ("agent1", "agent2")]
        agent_token = next(token for token, user in agents if user["id"] == ticket["assignee"]["id"])

        page = await Listener.connect(b, "/", requester.cookie_header())
        try:
            assert (await page.call("ticket:watch", {"ticket_id": ticket["id"]}))["staff"] is False
            comments = f"/api/tickets/tickets/{ticket['id']}/comments"
            for body in ({"body": "Checking the logs.", "internal": True}, {"body": "Fixed, please try again."}):
                status, comment = await in_thread(api.api, comments, body, agent_token)
                assert status == 201, comment
            await page.wait_for("ticket_changed", lambda data: data == {"ticket_id": ticket["id"], "change": "reply"})
            # The note went out first, through the same Redis channel: a requester never hears of it.
            assert "note" not in [data["change"] for name, data in page.received if name == "ticket_changed"]
        finally:
            await page.disconnect()

    run(scenario())


def test_someone_connected_to_one_process_is_online_for_someone_on_the_other(cluster, run):
    a, b = cluster.urls
    agent = cluster.browser(a).sign_in("agent1")
    admin = cluster.browser(b).sign_in("admin")

    async def scenario():
        agent_id = (await in_thread(cluster.browser(a).api_login, "agent1"))[1]["id"]
        pages = []
        try:
            pages.append(watcher := await Listener.connect(b, "/", admin.cookie_header()))
            answer = await watcher.call("presence:watch", {"user_ids": [agent_id]})
            assert answer["presence"][0]["online"] is False, answer
            pages.append(agent_page := await Listener.connect(a, "/", agent.cookie_header()))
            online = await watcher.wait_for("presence", lambda data: data["user_id"] == agent_id)
            assert online["online"] is True
            # Asking again, as a page opened now does, reads the same from the database.
            answer = await watcher.call("presence:watch", {"user_ids": [agent_id]})
            assert answer["presence"][0]["online"] is True
            await agent_page.disconnect()
            await watcher.wait_for("presence", lambda data: data["user_id"] == agent_id and not data["online"])
        finally:
            for page in pages:
                await page.disconnect()

    run(scenario())
