"""Real-browser fixtures: the app served by run.py in its own process, driven by Chromium.

The server is prepared the way `make run` does it (flask db upgrade, flask seed --demo), on a
throw-away SQLite database. Without Chromium or Playwright these tests skip, except in CI,
where a missing browser is a failure.
"""
import os
import shutil
import subprocess
import sys
import urllib.request
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-instance")
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
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["seed", "--demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
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
    yield url
    server.terminate()
    server.wait(timeout=10)
    log.close()


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


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile per test; fails the test on any console error or CSP violation."""
    context = browser.new_context(base_url=live_server, locale="es-ES")
    context.set_default_timeout(5000)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"browser reported errors: {problems}"
