"""The realistic data set as a browser sees it: the fixture other browser tests can start from."""
import re

import pytest

from tests.e2e.realistic import ORGANISATION, PASSWORD
from tests.support.browser import expect

pytestmark = pytest.mark.browser


def test_the_realistic_server_shows_long_names_and_four_digit_numbers(realistic_page, realistic_server):
    page = realistic_page
    page.goto(f"/screen/{realistic_server.ids['screen_slug']}")
    expect(page.locator("#display-current")).to_contain_text(re.compile(r"[A-Z]{3}-\d{4}"))
    page.goto("/login")
    page.fill("#login", realistic_server.logins["admin"])
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin$"))
    assert len(ORGANISATION) == 60
    expect(page.locator(".navbar-brand")).to_have_text(ORGANISATION)
