"""Several real server processes for tests: each one `python wsgi.py` (eventlet, as in
production) on its own port, all sharing one PostgreSQL database and one Redis, the way
deploy/ runs them behind nginx. Plus what a browser does against them: sign in through the HTML
form (cookies), get API tokens, and Socket.IO clients that record what they receive.

The servers trust one proxy (TRUSTED_PROXIES=1) and every `Browser` sends its own made-up
X-Forwarded-For address, so rate-limit counters (kept per address in Redis) belong to this
run alone and can be removed afterwards.
"""
import asyncio
import http.cookiejar
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import redis
import socketio

from tests.conftest import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-multiprocess"


class ServerProcess:
    def __init__(self, name, env, log_dir):
        self.name, self.port = name, int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_dir) / f"{name}.log"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout=30):
        def answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited while starting:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).close()
                return True
            except OSError:
                return False

        try:
            wait_until(answers, timeout, interval=0.2)
        except AssertionError:
            raise RuntimeError(f"{self.name} did not start within {timeout}s:\n{self.log_tail()}") from None

    def log_tail(self, lines=40):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Cluster:
    """`count` server processes on `database_url` (migrated and seeded with the demo data first)
    and `redis_url` (None: one process on its own, without Redis). Use as a context manager:
    every process is stopped on the way out."""

    def __init__(self, database_url, redis_url, log_dir, count=2, **settings):
        self.addresses = set()  # X-Forwarded-For addresses used, whose rate-limit keys to remove
        self.redis_url, self.log_dir = redis_url, Path(log_dir)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_DEBUG", "ASYNC_MODE"))}
        self.env.update(
            DATABASE_URL=database_url, REDIS_URL=redis_url or "",
            SOCKETIO_CHANNEL=f"servicedesk-test-{secrets.token_hex(4)}", SECRET_KEY="multiprocess-" + "k" * 40,
            INSTANCE_PATH=str(self.log_dir), HOST="127.0.0.1", TRUSTED_PROXIES="1", FLASK_APP="app",
            DEMO_PASSWORD=DEMO_PASSWORD, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", PYTHONUNBUFFERED="1",
            **settings)
        self.count, self.servers = count, []

    def __enter__(self):
        try:
            for command in (["db", "upgrade"], ["seed", "--demo"]):
                result = subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env=self.env,
                                        capture_output=True, text=True, timeout=120)
                if result.returncode:
                    raise RuntimeError(f"flask {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
            for index in range(self.count):
                env = dict(self.env, PORT=str(free_port()))
                self.servers.append(ServerProcess("ABCDEFGH"[index], env, self.log_dir))
            for server in self.servers:
                server.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        for server in self.servers:
            server.stop()
        self.forget_rate_limits()

    @property
    def urls(self):
        return [server.url for server in self.servers]

    def logs(self):
        return "\n".join(f"--- {s.name} ({s.url}) ---\n{s.log_tail()}" for s in self.servers)

    def browser(self, url):
        address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"  # benchmark test net
        self.addresses.add(address)
        return Browser(url, address)

    def forget_rate_limits(self):
        if not self.redis_url:
            return  # the counters lived in the process's memory

        server = redis.Redis.from_url(self.redis_url)
        for address in self.addresses:
            for key in server.scan_iter(f"*/{address}/*"):
                server.delete(key)


class Browser:
    """One browser (cookie jar) talking to one server from one client address."""

    def __init__(self, url, address):
        self.url, self.address = url, address
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None, headers=None, method=None):
        """(status, final URL, body text); HTTP errors are answers too, not exceptions."""
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def post_login(self, username, password=DEMO_PASSWORD):
        """The HTML form, as a person fills it in: GET /login for the CSRF token, then POST."""
        _, _, page = self.request("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "login": username, "password": password})
        return self.request("/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, username):
        status, url, page = self.post_login(username)
        if status != 200 or urllib.parse.urlsplit(url).path == "/login":
            raise AssertionError(f"signing in as {username} on {self.url} failed ({status})")
        return self

    def cookie_header(self):
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def api(self, path, body=None, token=None, method=None):
        """JSON API call; (status, parsed body)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        status, _, text = self.request(path, data, headers, method)
        return status, json.loads(text) if text else None

    def api_login(self, username):
        """(Bearer token, the user as the API describes them)."""
        status, body = self.api("/api/auth/login", {"username": username, "password": DEMO_PASSWORD})
        assert status == 200, body
        return body["access_token"], body["user"]

    def api_token(self, username):
        return self.api_login(username)[0]


class Listener:
    """A python-socketio client that keeps every event it receives, to wait for one."""

    def __init__(self, namespace):
        self.namespace, self.received = namespace, []
        self.changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("*", self._record, namespace=namespace)

    async def _record(self, event, *args):
        self.received.append((event, args[0] if args else None))
        self.changed.set()

    @classmethod
    async def connect(cls, url, namespace="/", cookie=None):
        listener = cls(namespace)
        await listener.sio.connect(url, headers={"Cookie": cookie} if cookie else {}, namespaces=[namespace],
                                   transports=["websocket"], wait_timeout=10)
        return listener

    async def call(self, event, data):
        """Emit and wait for the handler's answer (its acknowledgement)."""
        return await self.sio.call(event, data, namespace=self.namespace, timeout=10)

    async def wait_for(self, event, match=lambda data: True, timeout=10):
        """The first `event` whose payload satisfies `match`; AssertionError naming what came instead."""
        deadline = time.monotonic() + timeout
        while True:
            for name, data in self.received:
                if name == event and match(data):
                    return data
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching {event!r} on {self.namespace} within {timeout}s; "
                                     f"got {[name for name, _ in self.received]}")
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass

    async def disconnect(self):
        await self.sio.disconnect()
