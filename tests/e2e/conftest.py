"""Real-browser fixtures: the app served by run.py in its own process, driven by Chromium.

`live_server` is prepared the way `make run` does it (flask db upgrade, flask seed --demo), on a
throw-away SQLite database; `realistic_server` the same way with tests/e2e/realistic.py's data
set. Without Chromium or Playwright these tests skip, except in CI, where a missing browser is a
failure.
"""
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def serve(instance, prepare):
    """Run run.py on a fresh SQLite database in `instance`, after the commands in `prepare` (lists
    of arguments after `python -m`, run with the server's environment); yields (url, outputs)."""
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'live.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "REDIS_URL": "",
        "FLASK_APP": "app",
        "LOGIN_RATE_LIMIT": "1000 per minute",  # the tests sign in far more often than a person
    }
    env.pop("ASYNC_MODE", None)  # the server's default mode, as `make run` has it
    outputs = []
    for command in prepare:
        done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"{' '.join(command)} failed: {done.stderr[-3000:]}")
        outputs.append(done.stdout)
    log = open(instance / "server.log", "w")
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answers():
        if server.poll() is not None:
            raise AssertionError("the server exited")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
            return True
        except OSError:
            return False

    try:
        wait_until(answers, timeout=20, interval=0.2)
    except AssertionError as error:
        server.kill()
        pytest.fail(f"server did not start ({error}): {(instance / 'server.log').read_text()}")
    yield url, outputs
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The demo data set (`flask seed --demo`), as `make run` serves it."""
    served = serve(tmp_path_factory.mktemp("live-instance"), [["flask", "db", "upgrade"], ["flask", "seed", "--demo"]])
    url, _ = next(served)
    yield url
    next(served, None)


@dataclass
class RealisticServer:
    url: str
    ids: dict  # the role matrix's placeholders ({hd_ticket}, {token}, ...) in this data set
    logins: dict  # role: username; every password is realistic.PASSWORD


@pytest.fixture(scope="session")
def realistic_server(tmp_path_factory):
    """A server of its own holding tests/e2e/realistic.py's data set (long names at the forms'
    limits, accents, three-letter prefixes, four-digit numbers): the demo server stays as it is."""
    served = serve(tmp_path_factory.mktemp("realistic-instance"),
                   [["flask", "db", "upgrade"], ["tests.e2e.realistic"]])
    url, outputs = next(served)
    ids = json.loads(outputs[-1].strip().splitlines()[-1])
    yield RealisticServer(url=url, ids=ids, logins=ids.pop("logins"))
    next(served, None)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def watched_page(browser, base_url):
    """A fresh browser profile on `base_url`; fails the test on any console error or CSP violation."""
    context = browser.new_context(base_url=base_url, locale="es-ES")
    context.set_default_timeout(5000)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"browser reported errors: {problems}"


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile per test on the demo server; fails the test on any console error or CSP violation."""
    yield from watched_page(browser, live_server)


@pytest.fixture
def realistic_page(browser, realistic_server):
    """Like `page`, on the realistic data set's server: sign in as realistic_server.logins[role] with
    tests.e2e.realistic.PASSWORD, open URLs built from realistic_server.ids."""
    yield from watched_page(browser, realistic_server.url)
