"""Every HTML page of every role, the way a person sees it: in Spanish and English, light and
dark, at 1366×768, 1280×720 and 390×844, on the realistic data set (tests/e2e/realistic.py).

The pages are the role matrix's GET rows (tests/test_role_matrix.py) that the matrix gives the
role a 200 for, the placeholders filled from the realistic data, kept when they answer with a whole
HTML document (JSON, files, exports, images, sounds and fragments drop out), plus EXTRA_PAGES (the
kiosk's public mode). A URL answering anything but 200 is a finding. On each page, at each size:
  - overflow: the page never scrolls sideways (scrollWidth ≤ the window's width);
  - axe: axe-core (tests/e2e/vendor/axe.min.js, WCAG 2.1 A and AA rules) finds no violation of
    impact serious or critical;
  - console / csp: no console error, no uncaught page error, no Content-Security-Policy violation;
  - untranslated: on a Spanish page, no visible text that is exactly an English message id of the
    catalog whose Spanish text differs;
and a full-page screenshot goes to tests/e2e/screenshots/<role>/<page>-<lang>-<theme>-<size>.png
for a person to look through. Every finding is collected; the test fails once, at the end, with
all of them.

Each (role, language, theme) browser context loads a page once and measures the three sizes by
resizing the window (then waits until the layout holds still); the contexts run side by side
(UI_SWEEP_WORKERS, 3). axe runs through page.evaluate, so the page's own CSP stays on and catches
what the page itself does. UI_SWEEP_ONLY='<regex>' checks only the matching URLs, for a quick look
while fixing. test_the_sweep_sees_each_kind_of_problem proves every check can fail.
"""
import asyncio
import json
import os
import re
import resource
import shutil
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.e2e.conftest import CHROMIUM, ROOT, unavailable
from tests.e2e.realistic import PASSWORD
from tests.matrix import ANON, EVERYONE
from tests.test_role_matrix import MATRIX
from web.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
# The CI artifact folder; UI_SWEEP_SCREENSHOTS=<dir> keeps a second run on the same tree apart from it.
SCREENSHOTS = Path(os.environ.get("UI_SWEEP_SCREENSHOTS") or HERE / "screenshots")
CATALOG = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
LANGUAGES = {"es": "es-ES", "en": "en-US"}
THEMES = ("light", "dark")
SIZES = ((1366, 768), (1280, 720), (390, 844))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}
WORKERS = int(os.environ.get("UI_SWEEP_WORKERS", "3"))  # contexts side by side; this box has 2 cores
ONLY = re.compile(os.environ.get("UI_SWEEP_ONLY", ""))  # a regex on the page's URL: a quicker look while fixing
PAGES_PER_TASK = 6  # a task: a few pages of one (role, language, theme), so the long admin list spreads out

# Another face of a matrix page, behind a query string: visited by whoever may open the page.
EXTRA_PAGES = {"/registro": ["/registro?mode=kiosk"]}  # the kiosk's public, full-screen mode

# Runs before any page script: the remembered theme, and CSP violations told on the console.
INIT_SCRIPT = """
try { localStorage.setItem("theme", %r); } catch (e) {}
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

MEASURE = """
() => {
  const html = document.documentElement, limit = window.innerWidth + 1, wide = [];
  function describe(el) {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].slice(0, 3).join(".");
    return name;
  }
  function scrolledInABox(el) {  // inside a box that scrolls or clips sideways: not the page's overflow
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  }
  if (html.scrollWidth > window.innerWidth) {
    // The outermost boxes past the right edge, then text running out of a box that fits.
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.right > limit && box.width > 0 && el.checkVisibility() && !scrolledInABox(el)) {
        const parent = el.parentElement.getBoundingClientRect();
        if (parent.right <= limit) wide.push(describe(el) + " right=" + Math.round(box.right));
      }
      if (wide.length >= 5) break;
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node && wide.length < 5; node = walker.nextNode()) {
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (box.right > limit && node.parentElement.getBoundingClientRect().right <= limit &&
          !scrolledInABox(node.parentElement)) {
        wide.push("text in " + describe(node.parentElement) + " right=" + Math.round(box.right) + ": " +
                  JSON.stringify(node.nodeValue.trim().slice(0, 40)));
      }
    }
  }
  return {scrollWidth: html.scrollWidth, innerWidth: window.innerWidth, wide: wide};
}
"""

VISIBLE_TEXTS = """
() => {
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, [translate=no]")) continue;
    const lang = parent.closest("[lang]");
    if (lang && !lang.lang.startsWith("es")) continue;  // a language's own name in the switcher
    if (parent.checkVisibility({visibilityProperty: true})) texts.add(text);
  }
  return [...texts];
}
"""

# After a resize: frames until the layout holds still (the page's own resize handlers, e.g. the
# dashboards' charts redrawing their canvases, have run), at most 600 ms.
SETTLE = """
async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const shape = () => [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                       ...[...document.querySelectorAll("canvas")].map(c => c.width + "x" + c.height)].join();
  const until = performance.now() + 600;
  let last = shape(), still = 0;
  while (still < 3 && performance.now() < until) {
    await frame();
    const now = shape();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}
"""

RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 8).map(n => n.target.join(" ")), count: v.nodes.length}));
}
"""


@dataclass
class Finding:
    kind: str  # overflow, axe, console, csp, untranslated, status, error
    role: str
    page: str  # the matrix's URL, placeholders unfilled ("/tickets/{hd_ticket}")
    combo: str  # "es-dark-1366x768"; "" when it holds for every combination
    rule: str = ""
    targets: list = field(default_factory=list)

    def line(self):
        combo = f" [{self.combo}]" if self.combo else ""
        targets = f": {'; '.join(self.targets)}" if self.targets else ""
        return f"{self.kind:<12} {self.role:<9} {self.page}{combo} {self.rule}{targets}"


def role_name(role):
    return role or "anonymous"


def pages_for(role):
    """The matrix's GET URLs that answer `role` 200, in matrix order, each once, and the other
    faces of a page (EXTRA_PAGES)."""
    seen = []
    for method, _, url, expected in MATRIX:
        if method == "GET" and expected[role] == 200 and url not in seen:
            seen.append(url)
            seen += EXTRA_PAGES.get(url, [])
    return [url for url in seen if ONLY.search(url)]


def untranslated_ids():
    """English message ids whose Spanish text differs (a visible one on a Spanish page was not translated)."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    ids = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        for msgid, msgstr in zip(message.id if isinstance(message.id, tuple) else (message.id,),
                                 message.string if isinstance(message.string, tuple) else (message.string,),
                                 strict=False):
            text = re.sub(r"\s+", " ", msgid).strip()
            if msgstr and msgstr.strip() != msgid.strip() and "%(" not in text and "{" not in text:
                ids.add(text)
    return ids


def file_name(url):
    """/admin/users/{user}/edit → admin-users-user-edit; / → home."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", url.replace("{", "").replace("}", "")).strip("-")
    return name or "home"


class Sweep:
    def __init__(self, browser, server, axe_source, english):
        self.browser, self.server, self.axe_source, self.english = browser, server, axe_source, english
        self.findings, self.states, self.checked = [], {}, Counter()
        self.seconds = Counter()  # where the time goes: load, axe, screenshot, ...
        self.pages, self.screenshots = {}, SCREENSHOTS

    def add(self, *args, **kwargs):
        self.findings.append(Finding(*args, **kwargs))

    async def new_context(self, role, language, theme):
        context = await self.browser.new_context(
            base_url=self.server.url, locale=LANGUAGES[language], viewport={"width": 1366, "height": 768},
            reduced_motion="reduce", storage_state=self.states.get(role),
        )
        context.set_default_timeout(15000)
        await context.add_init_script(INIT_SCRIPT % theme)
        return context

    async def sign_in(self, role):
        """Sign in once per role; its contexts start from the saved cookies."""
        if role is ANON:
            return
        context = await self.browser.new_context(base_url=self.server.url)
        page = await context.new_page()
        await page.goto("/login")
        await page.fill("#login", self.server.logins[role])
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation():
            await page.click("main form button[type=submit]")
        assert "/login" not in page.url, f"{role} could not sign in"
        self.states[role] = await context.storage_state()
        await context.close()

    async def html_pages(self, role):
        """The role's matrix pages that answer 200 with HTML on this data set."""
        context = await self.new_context(role, "es", "light")
        pages = []
        for url in pages_for(role):
            response = await context.request.get(url.format(**self.server.ids), max_redirects=0)
            kind = response.headers.get("content-type", "")
            if response.status != 200:
                self.add("status", role_name(role), url, "", f"answers {response.status}, the matrix says 200")
            elif kind.startswith("text/html") and "<html" in (await response.text())[:1000].lower():
                pages.append(url)  # a page, not a fragment a page fetches into itself
            await response.dispose()
        await context.close()
        return pages

    async def run_task(self, role, language, theme, urls):
        context = await self.new_context(role, language, theme)
        page = await context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        try:
            for url in urls:
                try:
                    await self.check_page(page, role, language, theme, url, problems)
                except Exception as error:  # noqa: BLE001  (told with the other findings; the next page goes on)
                    self.add("error", role_name(role), url, f"{language}-{theme}", "the check broke off",
                             [str(error)[:300]])
        finally:
            await context.close()

    async def timed(self, step, awaitable):
        started = time.monotonic()
        try:
            return await awaitable
        finally:
            self.seconds[step] += time.monotonic() - started

    async def check_page(self, page, role, language, theme, url, problems):
        who = role_name(role)
        problems.clear()
        await page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        try:
            response = await self.timed("load", page.goto(url.format(**self.server.ids), wait_until="load"))
        except Exception as error:  # noqa: BLE001  (a page that does not load is a finding like the others)
            self.add("error", who, url, f"{language}-{theme}", "did not load", [str(error)[:300]])
            return
        if response is None or response.status != 200:
            self.add("status", who, url, f"{language}-{theme}", f"answers {response and response.status}")
            return
        await self.timed("axe", page.evaluate(self.axe_source))
        for width, height in SIZES:
            combo = f"{language}-{theme}-{width}x{height}"
            await self.timed("resize", page.set_viewport_size({"width": width, "height": height}))
            await self.timed("resize", page.evaluate(SETTLE))
            size = await self.timed("overflow", page.evaluate(MEASURE))
            if size["scrollWidth"] > size["innerWidth"]:
                self.add("overflow", who, url, combo, f"scrollWidth {size['scrollWidth']} > {size['innerWidth']}",
                         size["wide"])
            for violation in await self.timed("axe", page.evaluate(RUN_AXE, AXE_TAGS)):
                if violation["impact"] in SERIOUS:
                    self.add("axe", who, url, combo, f"{violation['id']} ({violation['impact']}, "
                             f"{violation['count']} elements)", violation["targets"])
            if language == "es":
                texts = await self.timed("untranslated", page.evaluate(VISIBLE_TEXTS))
                left = sorted(text for text in texts if text in self.english)
                if left:
                    self.add("untranslated", who, url, combo, "English text on a Spanish page", left)
            shot = self.screenshots / who / f"{file_name(url)}-{language}-{theme}-{width}x{height}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            await self.timed("screenshot", page.screenshot(path=shot, full_page=True, animations="disabled"))
            self.checked[who] += 1
        await page.wait_for_timeout(50)  # late console messages of this page
        for problem in problems:
            kind = "csp" if "CSP violation" in problem or "Content Security Policy" in problem else "console"
            self.add(kind, who, url, f"{language}-{theme}", problem[:300])

    async def run(self):
        for role in EVERYONE:
            await self.sign_in(role)
        tasks = []
        for role in EVERYONE:
            self.pages[role] = await self.html_pages(role)
            for language in LANGUAGES:
                for theme in THEMES:
                    urls = self.pages[role]
                    for start in range(0, len(urls), PAGES_PER_TASK):
                        tasks.append((role, language, theme, urls[start:start + PAGES_PER_TASK]))
        queue = asyncio.Queue()
        for task in tasks:
            queue.put_nowait(task)

        async def worker():
            while not queue.empty():
                await self.run_task(*queue.get_nowait())

        await asyncio.gather(*(worker() for _ in range(WORKERS)))


def cpu_seconds():
    """CPU time of this process and of its ended children (Chromium and Playwright's driver, once closed)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def report(sweep, seconds, cpu=None):
    findings = sweep.findings
    lines = [f"{len(findings)} findings in {seconds:.0f} s"
             + (f" (CPU of the browser, its driver and the test: {cpu:.0f} s)" if cpu is not None else "")
             + " over "
             + ", ".join(f"{role_name(r)} {len(p)}" for r, p in sweep.pages.items())
             + f" pages × {len(LANGUAGES)} languages × {len(THEMES)} themes × {len(SIZES)} sizes"
             + f" = {sum(sweep.checked.values())} page views"]
    lines.append("time per step (all contexts together): "
                 + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in sweep.seconds.most_common()))
    lines.append("by kind: " + (", ".join(f"{k} {n}" for k, n in Counter(f.kind for f in findings).most_common())
                                or "none"))
    grouped = defaultdict(list)
    for finding in findings:
        grouped[(finding.kind, finding.role, finding.page, finding.rule.split(" (")[0])].append(finding)
    for _, group in sorted(grouped.items()):
        first = group[0]
        others = sorted({f.combo for f in group} - {first.combo})
        lines.append(f"{first.line()}" + (f"  (+{len(others)} combos: {', '.join(others[:5])}"
                                           f"{'…' if len(others) > 5 else ''})" if others else ""))
    return "\n".join(lines)


def in_chromium(server, work):
    """Run `await work(sweep)` with a fresh Chromium, in a thread of its own (the other browser
    tests' sync Playwright may hold this thread's event loop); returns the Sweep."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")

    async def main():
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"])
            sweep = Sweep(browser, server, AXE.read_text(), untranslated_ids())
            try:
                await work(sweep)
            finally:
                await browser.close()
            return sweep

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, main()).result()


# A page with one of each problem, served under the app's own CSP: each check must see its own.
BROKEN_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Prueba</title>
<link rel="stylesheet" href="/sweep-self-test.css"></head>
<body><main><h1>Prueba</h1>
<div class="wide">ancho</div>
<p class="faint">texto gris claro sobre blanco</p>
<p class="inline" style="color: red">estilo en línea</p>
<button type="button">Sign in</button>
<script>console.log("inline")</script>
<img src="/static/no-such-image.png" alt="falta">
</main></body></html>"""
BROKEN_CSS = ".wide { width: 2000px } .faint { color: #bbb; background: #fff }"


@pytest.mark.timeout(300)
def test_the_sweep_sees_each_kind_of_problem(realistic_server, tmp_path):
    """The checks are not blind: on a page built to fail, each one reports."""

    async def work(sweep):
        sweep.screenshots = tmp_path
        context = await sweep.new_context(ANON, "es", "light")
        await context.route("**/sweep-self-test", lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=BROKEN_PAGE,
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}))
        await context.route("**/sweep-self-test.css", lambda route: route.fulfill(
            status=200, content_type="text/css", body=BROKEN_CSS))
        page = await context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        await sweep.check_page(page, ANON, "es", "light", "/sweep-self-test", problems)
        await context.close()

    sweep = in_chromium(realistic_server, work)
    kinds = {finding.kind: finding for finding in sweep.findings}
    assert {"overflow", "axe", "csp", "untranslated", "console"} <= kinds.keys(), report(sweep, 0)
    assert "Sign in" in kinds["untranslated"].targets
    assert any(f.kind == "axe" and f.rule.startswith("color-contrast") for f in sweep.findings)
    assert len([f for f in sweep.findings if f.kind == "overflow"]) == len(SIZES)


@pytest.mark.timeout(1200)
def test_every_page_fits_is_accessible_and_translated(realistic_server):
    if not ONLY.pattern:  # a whole run starts from an empty folder; a partial one replaces its own views
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    started, cpu = time.monotonic(), cpu_seconds()
    sweep = in_chromium(realistic_server, Sweep.run)
    text = report(sweep, time.monotonic() - started, cpu_seconds() - cpu)
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "findings.txt").write_text(text + "\n\n" + "\n".join(f.line() for f in sweep.findings) + "\n")
    (SCREENSHOTS / "findings.json").write_text(json.dumps([asdict(f) for f in sweep.findings], indent=1))
    print(text)
    assert not sweep.findings, text
