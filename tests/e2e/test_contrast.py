"""Colour contrast (WCAG 2.1 AA) in the dark and the light theme, on the pages issue 12 found
failing in the dark theme: the counter panel, users, counters, services, the kiosk's priority
choices, the status page's "leave the line" button, a ticket's outline buttons, the helpdesk
dashboard and the chat; the dashboards' chart text, which axe cannot read off a canvas; and the
text written on a service's own colour (any colour an admin may choose).

axe-core's color-contrast rule only, on the realistic data set (tests/e2e/realistic.py); one
browser context per role, each page loaded in both themes. test_every_page.py runs every axe rule
on every page; this is the quick, focused check.
"""
from pathlib import Path

import pytest

from tests.e2e.realistic import PASSWORD
from tests.matrix import ANON

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
THEMES = ("dark", "light")

# role: pages ({placeholders} are the realistic data set's ids)
PAGES = {
    "staff": ["/panel"],
    "admin": ["/admin/users", "/admin/users/{user}/edit", "/admin/counters", "/admin/services", "/admin",
              "/tickets/dashboard", "/tickets/{hd_ticket}", "/chat/{agent}", "/notifications",
              "/admin/helpdesk/hours"],
    "registrar": ["/registro", "/registro?mode=kiosk"],
    "agent": ["/tickets/{hd_ticket}", "/tickets/ingeniero"],
    "user": ["/chat/{agent}", "/tickets/{hd_ticket}"],
    ANON: ["/t/{token}", "/soporte", "/soporte/t/{hd_token}"],
}

# The counter panel's "take a break" form is inside a <details>: open every one, so axe sees it.
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(details => { details.open = true; })"

COLOR_CONTRAST = """async () => {
  const results = await axe.run(document, {runOnly: {type: "rule", values: ["color-contrast"]},
                                           resultTypes: ["violations"]});
  return results.violations.flatMap(violation => violation.nodes.map(node => {
    const data = (node.any[0] || {}).data || {};
    return `${node.target.join(" ")}: ${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1`;
  }));
}"""

# Each chart's text colours (ticks, legend) against the background its canvas sits on, with
# translucent colours laid over that background first: WCAG's ratio of the colour a person sees.
CHART_TEXT = """() => {
  const parse = text => {
    const parts = text.match(/[\\d.]+/g).map(Number);
    if (text.startsWith("#")) {
      const hex = text.length === 4 ? text.slice(1).split("").map(c => c + c) : text.slice(1).match(/../g);
      return hex.slice(0, 3).map(h => parseInt(h, 16)).concat([1]);
    }
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const background = element => {
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) return colour;
    }
    return [255, 255, 255, 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const luminance = rgb => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const found = [];
  Object.values(Chart.instances).forEach(chart => {
    const behind = background(chart.canvas);
    const colours = Object.entries(chart.scales).map(([id, scale]) => [`${id} axis`, scale.options.ticks.color]);
    if (chart.legend && chart.legend.options.display) colours.push(["legend", chart.legend.options.labels.color]);
    colours.forEach(([what, colour]) => {
      found.push({chart: chart.canvas.id, what: what, colour: String(colour),
                  ratio: Math.round(ratio(over(parse(String(colour)), behind), behind.slice(0, 3)) * 100) / 100});
    });
  });
  return found;
}"""


@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text(encoding="utf-8")


def open_context(browser, server, role):
    context = browser.new_context(base_url=server.url, locale="es-ES", viewport={"width": 1366, "height": 768},
                                  reduced_motion="reduce")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/login")  # a page of the site, whose localStorage show() writes
    if role is not ANON:
        page.fill("#login", server.logins[role])
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/login" not in page.url, f"{role} could not sign in"
    return context, page


def show(page, url, theme):
    """Load `url` in `theme`, remembered the way the theme toggle remembers it."""
    page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
    page.goto(url)
    assert page.locator("html").get_attribute("data-bs-theme") == theme


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_text_and_controls_meet_aa_contrast_in_both_themes(browser, realistic_server, axe_source, role):
    context, page = open_context(browser, realistic_server, role)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failures = []
    try:
        for pattern in PAGES[role]:
            url = pattern.format(**realistic_server.ids)
            for theme in THEMES:
                show(page, url, theme)
                page.evaluate(OPEN_DETAILS)
                page.evaluate(axe_source)
                failures += [f"{pattern} ({theme}) {node}" for node in page.evaluate(COLOR_CONTRAST)]
    finally:
        context.close()
    assert not failures, "text below 4.5:1 (3:1 when large):\n" + "\n".join(failures)
    assert not errors, errors


@pytest.mark.parametrize("url", ["/admin", "/tickets/dashboard"])
def test_chart_text_is_readable_in_both_themes_and_follows_the_toggle(browser, realistic_server, url):
    context, page = open_context(browser, realistic_server, "admin")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        seen = {}
        for theme in THEMES:
            show(page, url, theme)
            page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
            seen[theme] = page.evaluate(CHART_TEXT)
        # Switched on the page itself, the charts already drawn take the new theme's colours.
        page.click("#theme-toggle")
        assert page.locator("html").get_attribute("data-bs-theme") == "dark"
        seen["light, then switched to dark"] = page.evaluate(CHART_TEXT)
    finally:
        context.close()
    assert not errors, errors
    for theme, texts in seen.items():
        assert texts, f"{url} ({theme}): no chart found"
        low = [text for text in texts if text["ratio"] < 4.5]
        assert not low, f"{url} ({theme}): chart text below 4.5:1: {low}"
    switched = seen["light, then switched to dark"]
    assert {text["colour"] for text in switched} == {text["colour"] for text in seen["dark"]}
    assert "#666" not in str(seen), "Chart.js's default grey is still used"


# A WCAG contrast ratio in the page, for the text colours scripts choose.
RATIO = """(a, b) => {
  const luminance = hex => {
    const digits = hex.length === 4 ? hex.slice(1).replace(/./g, "$&$&") : hex.slice(1);
    const [r, g, b] = [0, 2, 4].map(i => {
      const v = parseInt(digits.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}"""


def test_service_colours_get_a_readable_text_colour(browser, realistic_server):
    """Admins choose a service's colour freely; the kiosk's buttons and the set-up pages' badges
    write on it in white or black, whichever reaches 4.5:1: for every colour, yellows included."""
    context, page = open_context(browser, realistic_server, "registrar")
    try:
        page.goto("/registro?mode=kiosk")
        found = page.evaluate(f"""() => {{
          const ratio = {RATIO};
          let worst = {{ratio: 99}};
          for (let n = 0; n < 4096; n++) {{
            const colour = "#" + n.toString(16).padStart(3, "0");
            const text = Desk.textOn(colour);
            const value = ratio(colour, text);
            if (value < worst.ratio) worst = {{colour, text, ratio: value}};
          }}
          const buttons = Array.from(document.querySelectorAll(".kiosk-service[data-color]")).map(button =>
            [button.dataset.color, getComputedStyle(button).color, Desk.textOn(button.dataset.color)]);
          return {{worst, buttons}};
        }}""")
    finally:
        context.close()
    assert found["worst"]["ratio"] >= 4.5, found["worst"]
    assert found["buttons"], "no service button on the kiosk"
    for colour, computed, chosen in found["buttons"]:
        assert computed == {"#fff": "rgb(255, 255, 255)", "#000": "rgb(0, 0, 0)"}[chosen], (colour, computed)
