"""Receipts on a network thermal printer (ESC/POS over TCP, usually port 9100), when the
`receipt_printer` setting names one, and the address a receipt's QR code leads to.

Issuing a number never waits for the printer. Once the ticket is committed,
`events.queue_ticket_issued` reaches `on_ticket_issued`, which builds the receipt's bytes while
the request's language and the committed rows are at hand, and hands them to a background task
that connects with a short timeout. A printer that is off, unplugged or busy costs a line in the
log, never an error or a wait for the person at the kiosk, whose screen shows the receipt anyway.

The bytes are Epson's ESC/POS, which nearly every 80 mm thermal printer speaks: initialise, the
WPC1252 code page (so "Trámites" and "ñ" print), the text centred, the number as large as fits
the paper, a native QR code of the status page, then feed and cut.
"""
import logging
import socket
import textwrap
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

import events
from extensions import socketio
from services.queue.labels import priority_label
from services.queue.line import people_ahead
from services.settings import organisation_name, public_url, receipt_printer

log = logging.getLogger(__name__)

PRINTER_PORT = 9100  # the raw-printing port when the setting names only a host
SEND_TIMEOUT = 3.0  # seconds to connect and to hand over the bytes; a receipt is ~1 KB

# 80 mm paper holds 72 mm of print: 576 dots at 203 dpi, 48 characters of font A (12 dots wide),
# 64 of the smaller font B (9 dots wide).
LINE_DOTS = 576
CHARS_PER_LINE = LINE_DOTS // 12
SMALL_CHARS_PER_LINE = LINE_DOTS // 9
MAX_MAGNIFICATION = 8  # GS ! takes 1-8 times the width and height
QR_MODULE_DOTS = 8  # 1 mm per module at 203 dpi: the status URL's 33-37 modules print 33-37 mm wide

ENCODING = "cp1252"
CODE_PAGE_WPC1252 = 16

ESC, GS = b"\x1b", b"\x1d"
INITIALIZE = ESC + b"@"
SELECT_CODE_PAGE = ESC + b"t" + bytes([CODE_PAGE_WPC1252])
CENTRED = ESC + b"a\x01"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
NORMAL_SIZE = GS + b"!\x00"
SMALL_FONT, NORMAL_FONT = ESC + b"M\x01", ESC + b"M\x00"
FEED_AND_CUT = GS + b"V" + bytes([66, 3])  # function B: feed 3 lines to the cutter, then a partial cut
QR_FUNCTION = GS + b"(k"
QR_MODEL_2 = QR_FUNCTION + bytes([4, 0, 49, 65, 50, 0])
QR_ERROR_CORRECTION_M = QR_FUNCTION + bytes([3, 0, 49, 69, 49])
QR_PRINT = QR_FUNCTION + bytes([3, 0, 49, 81, 48])


@dataclass(frozen=True)
class Receipt:
    """What a receipt says, already in the kiosk's language and the organisation's timezone."""

    organisation: str
    service: str
    code: str
    issued: str
    ahead: str
    status_url: str
    hint: str
    priority: str = ""


# --- the bytes --------------------------------------------------------------------------------


def printable(text):
    """Text as the printer's code page holds it: control characters (which would be read as
    commands: a name must never cut the paper) become spaces, and what WPC1252 lacks becomes "?"."""
    clean = "".join(" " if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 else char for char in text)
    return clean.encode(ENCODING, errors="replace")


def size(magnification):
    """GS ! n: characters `magnification` times as wide and as tall (1-8)."""
    factor = max(1, min(MAX_MAGNIFICATION, magnification)) - 1
    return GS + b"!" + bytes([factor << 4 | factor])


def largest_magnification(text):
    """The largest size at which `text` fits one line of the paper."""
    return max(1, min(MAX_MAGNIFICATION, CHARS_PER_LINE // max(1, len(text))))


def lines(text, magnification=1, per_line=CHARS_PER_LINE):
    """`text` wrapped at word boundaries to the line length at that size, one LF after each line."""
    width = per_line // magnification
    return b"".join(printable(line) + b"\n" for line in textwrap.wrap(text, width) or [""])


def qr_code(data, module_dots=QR_MODULE_DOTS):
    """The printer's own QR code (GS ( k): model 2, module size, error correction M, store, print."""
    payload = data.encode("utf-8")
    length = len(payload) + 3  # the store command counts its own three bytes
    store = QR_FUNCTION + bytes([length & 0xFF, length >> 8, 49, 80, 48]) + payload
    module_size = QR_FUNCTION + bytes([3, 0, 49, 67, module_dots])
    return QR_MODEL_2 + module_size + QR_ERROR_CORRECTION_M + store + QR_PRINT


def receipt_bytes(receipt):
    """The whole receipt, ready for the printer's socket."""
    code_size = largest_magnification(receipt.code)
    parts = [
        INITIALIZE, SELECT_CODE_PAGE, CENTRED,
        BOLD_ON, lines(receipt.organisation), BOLD_OFF,
        size(2), lines(receipt.service.upper(), 2), NORMAL_SIZE, b"\n",
        BOLD_ON, size(code_size), lines(receipt.code, code_size), NORMAL_SIZE, BOLD_OFF,
    ]
    if receipt.priority:
        parts += [BOLD_ON, lines(receipt.priority), BOLD_OFF]
    parts += [
        lines(receipt.issued), lines(receipt.ahead), b"\n",
        qr_code(receipt.status_url), b"\n",
        lines(receipt.hint), SMALL_FONT, lines(receipt.status_url, per_line=SMALL_CHARS_PER_LINE), NORMAL_FONT,
        FEED_AND_CUT,
    ]
    return b"".join(parts)


# --- what the receipt says --------------------------------------------------------------------


def status_url(ticket):
    """The ticket's status page, which the receipt's QR code opens on a phone: on the desk's
    public address (Settings) when set, since that is the one phones reach; else on the address
    the kiosk itself used."""
    base = public_url()
    if not base and has_request_context():
        return url_for("queue.ticket_status_page", token=ticket.token, _external=True)
    if not base:
        base = f"http://{current_app.config['HOST']}:{current_app.config['PORT']}"
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build("queue.ticket_status_page", {"token": ticket.token}, force_external=True)


def receipt_for(ticket):
    priority = f"{_('Priority')}: {priority_label(ticket.priority)}" if ticket.priority else ""
    return Receipt(
        organisation=organisation_name(), service=ticket.service.name, code=ticket.code,
        issued=format_datetime(ticket.issued_at, "short"),
        ahead=_("People ahead of you: %(n)d", n=people_ahead(ticket)),
        status_url=status_url(ticket), hint=_("Scan to follow your turn"), priority=priority,
    )


# --- the printer ------------------------------------------------------------------------------


def printer_address(setting):
    """(host, port) from "host:port", "host" (port 9100) or "[v6 address]:port"; None when unset.
    ValueError for anything else."""
    setting = (setting or "").strip()
    if not setting:
        return None
    host, separator, port = setting.rpartition(":")
    if not separator or (host.count(":") and not host.endswith("]")):  # "host", or a bare IPv6 address
        host, port = setting, str(PRINTER_PORT)
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"receipt printer {setting!r} is not host:port")
    return host, int(port)


def network_printer():
    """The (host, port) of the receipt printer in Settings; None when there is none, or when the
    setting cannot be read as an address (logged: the kiosk's browser prints then)."""
    try:
        return printer_address(receipt_printer())
    except ValueError as error:
        log.warning("Receipts print from the browser: %s", error)
        return None


def send_to_printer(address, data, label=""):
    """Send the bytes and close; True when the printer took them. Failures are logged only:
    the person already has their number on the screen."""
    host, port = address
    try:
        with socket.create_connection((host, port), timeout=SEND_TIMEOUT) as connection:
            connection.sendall(data)
    except OSError as error:
        log.warning("Receipt %s not printed: the printer at %s:%s did not take it (%s)", label, host, port, error)
        return False
    log.info("Receipt %s sent to the printer at %s:%s", label, host, port)
    return True


def subscribe():
    events.queue_ticket_issued.connect(on_ticket_issued, weak=False)


def on_ticket_issued(ticket):
    """After the commit: build the receipt now, print it from a background task. Nothing here may
    fail the request that issued the number (it is already committed), so every error is logged."""
    try:
        address = network_printer()
        if address is None:
            return
        data = receipt_bytes(receipt_for(ticket))
    except Exception:  # logged and dropped: the number is issued whatever the printer does
        log.exception("A receipt was not printed: it could not be prepared")
        return
    socketio.start_background_task(send_to_printer, address, data, ticket.code)
