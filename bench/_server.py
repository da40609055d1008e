"""Helpers shared by the bench scripts: free ports, a prepared app server in a subprocess,
throw-away PostgreSQL databases, JSON over HTTP and percentiles. Standard library + psycopg2 only.

Everything listens on 127.0.0.1; every process started here is stopped by `stop()`.
"""
import http.cookiejar
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
FLASK = str(Path(PYTHON).with_name("flask"))
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
DEMO_PASSWORD = "demo1234"


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def app_env(mode, port, instance_dir, database_url=None):
    """The server's environment: fresh instance dir, its own database, login limit raised."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_DEBUG", "REDIS_URL"))}
    env.update(
        ASYNC_MODE=mode, HOST=HOST, PORT=str(port), INSTANCE_PATH=str(instance_dir),
        DATABASE_URL=database_url or f"sqlite:///{Path(instance_dir) / 'bench.db'}",
        LOGIN_RATE_LIMIT="1000 per minute", FLASK_APP="app", PYTHONUNBUFFERED="1",
    )
    return env


def prepare_database(env, timeout=120):
    """`flask db upgrade` and `flask seed --demo` against the environment's DATABASE_URL."""
    for args in (["db", "upgrade"], ["seed", "--demo"]):
        result = subprocess.run([FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


class Server:
    """A subprocess serving HTTP on 127.0.0.1:port; its output goes to a log file."""

    def __init__(self, name, cmd, env, port, log_dir):
        self.name, self.port = name, port
        self.url = f"http://{HOST}:{port}"
        self.log_path = Path(log_dir) / f"{name}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on port {self.port} within {timeout}s:\n{self.log_tail()}")

    def cpu_seconds(self):
        """User + system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines=30):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout=10.0):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.log.close()


def start_app(mode, instance_dir, database_url=None, prepare=True):
    """The real app (`python run.py`) on a free port, its database migrated and seeded first."""
    port = free_port()
    env = app_env(mode, port, instance_dir, database_url)
    if prepare:
        prepare_database(env)
    server = Server(f"app-{mode}-{port}", [PYTHON, "run.py"], env, port, instance_dir)
    try:
        return server.wait_ready()
    except BaseException:
        server.stop()
        raise


def start_bare(mode, log_dir):
    """bench/_bare_server.py: Flask-SocketIO alone, broadcasting `call` on POST /emit."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cmd = [PYTHON, str(ROOT / "bench" / "_bare_server.py"), "--mode", mode, "--port", str(port)]
    server = Server(f"bare-{mode}-{port}", cmd, env, port, log_dir)
    try:
        return server.wait_ready()
    except BaseException:
        server.stop()
        raise


def temp_dir(prefix):
    return tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-")


def post_json(url, body, token=None, timeout=10.0):
    """POST JSON with urllib; returns (status, parsed body)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def login(base_url, username, password=DEMO_PASSWORD):
    status, body = post_json(f"{base_url}/api/auth/login", {"username": username, "password": password})
    if status != 200 or "access_token" not in (body or {}):
        raise RuntimeError(f"login as {username} failed: {status} {body}")
    return body["access_token"]


# --- throw-away PostgreSQL databases ---------------------------------------------------------------


class PgConnection:
    """A psycopg2 connection (the app's driver) whose execute() returns the cursor, to read from."""

    def __init__(self, url, autocommit=False):
        self.raw = psycopg2.connect(url, connect_timeout=5)
        self.raw.autocommit = autocommit

    def execute(self, sql, params=None):
        cursor = self.raw.cursor()
        cursor.execute(sql, params)
        return cursor

    def copy_rows(self, table, columns, rows):
        """COPY rows into table (text format: tab-separated, \\N for NULL, backslash escapes)."""
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(copy_text(value) for value in row) + "\n")
        buffer.seek(0)
        self.raw.cursor().copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if not self.raw.autocommit:
            (self.raw.rollback if exc_type else self.raw.commit)()
        self.raw.close()


def copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def create_pg_database():
    """CREATE DATABASE bench_<random> on the local server; returns (name, url)."""
    name = f"bench_{secrets.token_hex(4)}"
    with PgConnection(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{PG_ADMIN_URL}/{name}"


def drop_pg_database(name):
    with PgConnection(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- several processes behind Redis ----------------------------------------------------------------

BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def processes_env(instance_dir, database_url, redis_url=None, mode="eventlet"):
    """What every process of one installation shares: database, Redis (or none), secret key."""
    env = app_env(mode, 0, instance_dir, database_url)
    env.update(REDIS_URL=redis_url or "", SECRET_KEY="bench-" + "k" * 40, JOBS_ENABLED="false",
               SOCKETIO_CHANNEL=f"servicedesk-bench-{secrets.token_hex(4)}")
    return env


def start_processes(count, env, log_dir, label="proc"):
    """`count` production servers (`python wsgi.py`), one per free port, sharing `env`."""
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            servers.append(Server(f"{label}-{port}", [PYTHON, "wsgi.py"], dict(env, PORT=str(port)), port, log_dir))
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def html_login(base_url, username, password=DEMO_PASSWORD):
    """Sign in through the HTML form as a browser does; returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login", timeout=10) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "login": username, "password": password}).encode()
    with opener.open(f"{base_url}/login", data=form, timeout=10) as response:
        if urllib.parse.urlsplit(response.url).path == "/login":
            raise RuntimeError(f"signing in as {username} on {base_url} failed")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def get_json(url, token=None, timeout=10.0):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
        return json.loads(response.read())
