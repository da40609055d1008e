"""A request waiting for PostgreSQL must not freeze the production server.

`python wsgi.py` serves every request and every Socket.IO connection from one thread of eventlet
green threads. A database driver that waited for PostgreSQL inside C would freeze them all: one
slow query would stop every call screen until it ended. Here one request waits on a lock the
test holds, and meanwhile a counter calls the next queue ticket through the same process: the
call must be answered, and reach a call screen, while that request is still waiting.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from tests.support.multiprocess import Cluster, Listener
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres


class TableLock:
    """ACCESS EXCLUSIVE on a table, taken from outside the server and held until released."""

    def __init__(self, database_url, table):
        url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg2.connect(url)
        self.connection.cursor().execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def queries_waiting(self):
        cursor = self.connection.cursor()
        cursor.execute("SELECT count(*) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]

    def release(self):
        self.connection.rollback()
        self.connection.close()


@pytest.fixture(scope="module")
def server(postgres_server, new_postgres_database, tmp_path_factory):
    """One `python wsgi.py` (eventlet, as in production) on its own database, no Redis."""
    database_url = new_postgres_database()
    with Cluster(database_url, None, tmp_path_factory.mktemp("stall"), count=1) as cluster:
        yield cluster, database_url


def test_a_request_waiting_for_postgresql_leaves_calls_and_screens_live(server):
    cluster, database_url = server
    url = cluster.urls[0]
    api = cluster.browser(url)
    registrar, staff = api.api_token("registrar1"), api.api_token("staff1")
    status, waiting_ticket = api.api("/api/queue/tickets", {"service_id": 1}, registrar)
    assert status == 201, waiting_ticket

    async def scenario():
        screen = await Listener.connect(url, "/display")
        lock = TableLock(database_url, "queue_sequences")  # issuing a number waits on it
        try:
            with ThreadPoolExecutor(1) as pool:
                issuing = pool.submit(api.api, "/api/queue/tickets", {"service_id": 1}, registrar)
                await asyncio.to_thread(wait_until, lambda: lock.queries_waiting() > 0,
                                        message="the second issue never reached the lock")
                status, called = await asyncio.to_thread(api.api, "/api/queue/call-next", {}, staff)
                assert status == 200 and called["ticket"] == waiting_ticket["ticket"], called
                await screen.wait_for("call", lambda data: data["ticket"] == waiting_ticket["ticket"])
                assert not issuing.done(), "the blocked request finished early: the test proved nothing"
                lock.release()
                status, issued = issuing.result(timeout=15)
            assert status == 201 and issued["ticket"] != waiting_ticket["ticket"], issued
        finally:
            if not lock.connection.closed:
                lock.release()
            await screen.disconnect()

    try:
        with ThreadPoolExecutor(1) as loop:  # asyncio.run refuses to start inside a browser test's running loop
            loop.submit(asyncio.run, asyncio.wait_for(scenario(), 60)).result()
    except BaseException:
        print(cluster.logs())
        raise
