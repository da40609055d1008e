"""In Chromium, at print size: the receipt of "LIC-1234" for "Trámites de Licencias y Permisos
Municipales" prints on one 80 mm page, its number is the largest text on it, and its QR code,
printed at a thermal printer's 203 dpi (page.pdf, then pdftoppm), reads back as the ticket's status
page. The page prints itself once: not again when it is reloaded (a keep-alive reload).

The app runs in this process (the `app` fixture's database, so the ticket can be LIC-1234 and the
organisation's name long): Playwright hands every request of the page to a signed-in Flask test
client, so the page gets the real template, CSS, scripts and security headers.
"""
import os
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from extensions import db
from models import QueueSequence, QueueTicket, Service
from services.settings import save_settings
from services.timeutil import local_today
from tests.support.browser import wait_in_page

pytestmark = pytest.mark.browser

ORIGIN = "http://localhost"  # the test client's own host: its session cookie is for it
ORGANISATION = "Municipio de San Pedro Tlaquepaque — Atención Ciudadana"
LONG_NAME = "Trámites de Licencias y Permisos Municipales"
DPI = 203  # a thermal printer's resolution: 8 dots a millimetre
MM_PER_CSS_PX = 25.4 / 96
FORWARDED_HEADERS = ("accept", "content-type", "x-csrftoken", "x-live-refresh")


def needs(tool):
    if os.environ.get("CI"):
        return
    if tool == "pdftoppm" and not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not found (apt-get install poppler-utils)")
    if tool == "zxingcpp":
        pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed (requirements-dev)")


@pytest.fixture
def receipt_ticket(app, client_as, queue_desk):
    """The registrar's client, signed in, and the receipt URL of LIC-1234 (priority: older adult)."""
    with app.app_context():
        save_settings({"organisation_name": ORGANISATION}, None)
        service = Service(name=LONG_NAME, prefix="LIC", color="#6f42c1", position=2)
        db.session.add(service)
        db.session.flush()
        db.session.add(QueueSequence(service_id=service.id, day=local_today(), last_number=1233))
        db.session.commit()
        service_id = service.id
    client = client_as("registrar")
    response = client.post("/registro", data={"service_id": service_id, "priority": "elderly"})
    assert response.status_code == 302
    return client, urlsplit(response.headers["Location"]).path


@pytest.fixture
def in_process_page(browser, app):
    """A page whose requests to ORIGIN are answered by a Flask test client (set `page.client`);
    fails the test on any console error or CSP violation, and counts window.print() calls
    across reloads in `page.prints`."""
    context = browser.new_context(base_url=ORIGIN, locale="es-ES")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.prints = []
    page.expose_binding("notePrint", lambda source: page.prints.append(source["frame"].url))
    page.add_init_script("window.print = function () { window.notePrint(); };")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def answer(route):
        request = route.request
        parts = urlsplit(request.url)
        headers = {name: value for name, value in request.headers.items() if name.lower() in FORWARDED_HEADERS}
        response = page.client.open(parts.path, query_string=parts.query, method=request.method, headers=headers,
                                    data=request.post_data_buffer)
        route.fulfill(status=response.status_code, headers=dict(response.headers), body=response.get_data())

    context.route(f"{ORIGIN}/**", answer)
    yield page
    context.close()
    assert problems == [], f"browser reported errors: {problems}"


MEASURE_RECEIPT = """() => {
  const receipt = document.querySelector(".receipt");
  const box = receipt.getBoundingClientRect();
  const texts = [];
  for (const element of receipt.querySelectorAll("*")) {
    const own = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own.length || !element.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(element);
    const glyphs = range.getBoundingClientRect();
    const lines = [...range.getClientRects()];
    texts.push({ name: element.className, text: element.textContent.trim(),
                 size: parseFloat(getComputedStyle(element).fontSize),
                 height: Math.max(...lines.map((line) => line.height)),  // of one line: how tall the letters are
                 left: glyphs.left, right: glyphs.right, lines: lines.length });
  }
  const qr = receipt.querySelector(".receipt-qr svg").getBoundingClientRect();
  const code = document.querySelector(".receipt-code");
  return { texts, receipt: { left: box.left, right: box.right, width: box.width },
           qr: { width: qr.width, height: qr.height, left: qr.left, right: qr.right },
           codeFits: code.scrollWidth <= code.clientWidth };
}"""


@pytest.mark.parametrize("locale, ahead", [("es", "Personas antes que usted: 0"), ("en", "People ahead of you: 0")])
def test_receipt_at_print_size_scans_and_shows_the_number_largest(in_process_page, receipt_ticket, app, tmp_path,
                                                                   locale, ahead):
    needs("pdftoppm")
    needs("zxingcpp")
    import zxingcpp
    from PIL import Image

    page = in_process_page
    page.client, receipt_path = receipt_ticket
    page.client.post("/language", data={"locale": locale})
    with app.app_context():
        token = db.session.scalar(db.select(QueueTicket.token))
    status_url = f"{ORIGIN}/t/{token}"

    page.goto(receipt_path)
    wait_in_page(page, lambda: page.prints, message="the receipt did not print itself")
    assert page.locator(".receipt-code").inner_text() == "LIC-1234"
    assert ahead in page.locator(".receipt").inner_text()

    page.emulate_media(media="print")
    measured = page.evaluate(MEASURE_RECEIPT)
    code = next(text for text in measured["texts"] if "receipt-code" in text["name"])
    others = [text for text in measured["texts"] if text is not code]
    assert code["text"] == "LIC-1234" and code["lines"] == 1 and measured["codeFits"]
    assert all(code["size"] > other["size"] and code["height"] > other["height"] for other in others), measured
    assert measured["receipt"]["width"] * MM_PER_CSS_PX <= 72.5  # what an 80 mm printer prints across
    assert measured["receipt"]["left"] <= code["left"] and code["right"] <= measured["receipt"]["right"]
    assert measured["qr"]["width"] * MM_PER_CSS_PX >= 38 and measured["qr"]["height"] == measured["qr"]["width"]

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    media_boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(media_boxes) == 1, "the receipt takes more than one page"
    width_mm = float(media_boxes[0][0]) * 25.4 / 72
    assert 79.5 < width_mm < 80.5
    (tmp_path / "receipt.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(tmp_path / "receipt.pdf"),
                    str(tmp_path / "receipt")], check=True)
    picture = Image.open(tmp_path / "receipt.png")
    codes = zxingcpp.read_barcodes(picture)
    assert [found.text for found in codes] == [status_url]
    position = codes[0].position
    symbol_mm = (position.top_right.x - position.top_left.x) * 25.4 / DPI
    assert symbol_mm >= 30, f"the QR code is {symbol_mm:.1f} mm wide without its quiet zone"

    # A keep-alive reload (or coming back to the page) does not print the same ticket again;
    # "Print again" does.
    page.emulate_media(media="screen")
    page.reload()
    page.wait_for_load_state("load")
    assert len(page.prints) == 1
    page.click("#print-again")
    wait_in_page(page, lambda: len(page.prints) == 2)


def test_with_a_network_printer_the_page_opens_no_print_dialog(in_process_page, receipt_ticket, app):
    page = in_process_page
    page.client, receipt_path = receipt_ticket
    with app.app_context():
        save_settings({"receipt_printer": "127.0.0.1:9"}, None)
    page.goto(receipt_path)
    page.wait_for_load_state("load")
    assert page.locator("body").get_attribute("data-auto-print") == "false"
    assert page.locator(".receipt-code").inner_text() == "LIC-1234"  # still there to photograph
    assert page.prints == []
