"""The network receipt printer (ESC/POS over TCP): a listener started here plays the printer and
keeps the bytes it receives; a closed port and a printer that never answers play the broken ones.
The kiosk must issue the number and show the receipt whatever the printer does."""
import logging
import socket
import threading
from datetime import UTC, datetime

import pytest

from extensions import db
from models import QueueSequence, QueueTicket, Service
from services.queue import printing
from services.settings import save_settings
from services.timeutil import local_now, local_today
from tests.support.waiting import wait_until

LONG_NAME = "Trámites de Licencias y Permisos Municipales"
ORGANISATION = "Municipio de San Pedro Tlaquepaque — Atención Ciudadana"


class FakePrinter:
    """Accepts connections on a free port of this machine and keeps what each one sent."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.jobs = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(10)
            chunks = []
            while chunk := connection.recv(4096):
                chunks.append(chunk)
        self.jobs.append(b"".join(chunks))

    def close(self):
        self.server.close()
        self.thread.join(5)


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def licences(app, queue_desk):
    """The long-named service with three-letter prefix, at number 1233 today: the next is LIC-1234."""
    with app.app_context():
        service = Service(name=LONG_NAME, prefix="LIC", color="#6f42c1", position=2)
        db.session.add(service)
        db.session.flush()
        db.session.add(QueueSequence(service_id=service.id, day=local_today(), last_number=1233))
        db.session.commit()
        return service.id


def use_printer(app, setting):
    with app.app_context():
        save_settings({"receipt_printer": setting, "organisation_name": ORGANISATION}, None)


def issued(app):
    with app.app_context():
        ticket = db.session.scalar(db.select(QueueTicket))
        return ticket.code, ticket.token


def send_tasks(background_tasks):
    return [thread for target, thread in background_tasks.started if target is printing.send_to_printer]


# --- the bytes ----------------------------------------------------------------------------------


def sample_receipt(**changes):
    values = {"organisation": ORGANISATION, "service": LONG_NAME, "code": "LIC-1234", "issued": "5/12/26, 11:28",
              "ahead": "Personas antes que usted: 12", "status_url": "http://desk.example.org/t/abcDEF123_-xyz",
              "hint": "Escanee para seguir su turno", "priority": "Prioridad: Adulto mayor"}
    return printing.Receipt(**(values | changes))


def test_receipt_bytes_follow_escpos():
    data = printing.receipt_bytes(sample_receipt())
    assert data.startswith(b"\x1b@" + b"\x1bt\x10" + b"\x1ba\x01")  # initialise, WPC1252, centred
    # Eight characters at six times the size fill the 48 columns of 80 mm paper; bold, then back to normal.
    assert b"\x1bE\x01\x1d!\x55LIC-1234\n\x1d!\x00\x1bE\x00" in data
    # Accents in the code page's own bytes: Á is 0xC1 in cp1252.
    assert "TRÁMITES DE".encode("cp1252") in data and b"Tr\xc3" not in data
    url = b"http://desk.example.org/t/abcDEF123_-xyz"
    store = b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url
    qr = (b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x03\x001C\x08" + b"\x1d(k\x03\x001E1" + store
          + b"\x1d(k\x03\x001Q0")  # model 2, 8-dot modules, error correction M, store, print
    assert qr in data
    assert data.index(b"LIC-1234") < data.index(qr) and data.endswith(b"\x1dVB\x03")  # cut last
    assert "Prioridad: Adulto mayor".encode("cp1252") in data and b"Personas antes que usted: 12" in data


def test_the_number_is_as_large_as_the_paper_allows():
    short = printing.receipt_bytes(sample_receipt(code="A-001"))
    assert b"\x1d!\x77A-001\n" in short  # eight times: the largest GS ! has
    longest = printing.receipt_bytes(sample_receipt(code="ABC-12345"))
    assert b"\x1d!\x44ABC-12345\n" in longest  # nine characters: five times (45 of 48 columns)


def test_text_cannot_hold_printer_commands_and_unknown_characters_become_question_marks():
    data = printing.receipt_bytes(sample_receipt(organisation="Caja\x1dV\x00 Norte ✓ 東"))
    assert b"Caja V  Norte ? ?\n" in data and data.count(b"\x1dV") == 1


@pytest.mark.parametrize("setting, address", [
    ("", None), ("  ", None), ("192.168.1.50:9100", ("192.168.1.50", 9100)),
    ("impresora-caja", ("impresora-caja", 9100)), ("[fe80::1]:9101", ("fe80::1", 9101)),
    ("fe80::1", ("fe80::1", 9100)),
])
def test_printer_address(setting, address):
    assert printing.printer_address(setting) == address


@pytest.mark.parametrize("setting", ["host:", "host:abc", "host:70000", ":9100"])
def test_printer_address_refuses_what_is_not_host_and_port(setting):
    with pytest.raises(ValueError):
        printing.printer_address(setting)


# --- through the kiosk ----------------------------------------------------------------------------


def test_kiosk_ticket_prints_on_the_network_printer(app, client_as, licences, printer, background_tasks):
    use_printer(app, f"127.0.0.1:{printer.port}")
    kiosk = client_as("registrar")
    response = kiosk.post("/registro?mode=kiosk", data={"service_id": licences, "priority": "elderly"})
    assert response.status_code == 302
    background_tasks.join(printing.send_to_printer)
    wait_until(lambda: printer.jobs, message="the printer received nothing")
    data = printer.jobs[0]
    code, token = issued(app)
    assert code == "LIC-1234"
    assert data.startswith(b"\x1b@\x1bt\x10") and data.endswith(b"\x1dVB\x03")
    assert b"\x1d!\x55LIC-1234\n" in data and "TRÁMITES DE".encode("cp1252") in data
    assert "Municipio de San Pedro Tlaquepaque — Atención\nCiudadana\n".encode("cp1252") in data  # 48 a line
    assert "Prioridad: Adulto mayor".encode("cp1252") in data
    assert "Personas antes que usted: 0".encode("cp1252") in data
    url = f"http://localhost/t/{token}".encode()
    assert b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url in data
    # The date and time in the organisation's timezone (America/Mexico_City), not UTC.
    with app.app_context():
        local = local_now(db.session.scalar(db.select(QueueTicket.issued_at)).replace(tzinfo=UTC))
    assert f"{local.day}/{local.month}/{local:%y}, {local.hour}:{local:%M}\n".encode() in data
    # The browser's receipt is still shown, and opens no print dialog of its own.
    receipt = kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert "LIC-1234" in receipt and 'data-auto-print="false"' in receipt


def test_no_printer_set_sends_nothing_and_the_browser_prints(app, client_as, licences, background_tasks):
    kiosk = client_as("registrar")
    response = kiosk.post("/registro", data={"service_id": licences})
    assert send_tasks(background_tasks) == []
    assert 'data-auto-print="true"' in kiosk.get(response.headers["Location"]).get_data(as_text=True)


def test_a_closed_printer_port_is_logged_and_the_kiosk_goes_on(app, client_as, licences, background_tasks, caplog):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # nobody listens there once this block ends
    use_printer(app, f"127.0.0.1:{port}")
    kiosk = client_as("registrar")
    with caplog.at_level(logging.WARNING, logger="services.queue.printing"):
        response = kiosk.post("/registro?mode=kiosk", data={"service_id": licences})
        assert response.status_code == 302
        background_tasks.join(printing.send_to_printer)
    assert any("LIC-1234 not printed" in record.getMessage() and f"127.0.0.1:{port}" in record.getMessage()
               for record in caplog.records)
    receipt = kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert "LIC-1234" in receipt and "<svg" in receipt


def test_a_printer_that_never_answers_does_not_hold_the_request(app, client_as, licences, background_tasks,
                                                                 caplog, monkeypatch):
    """A printer switched off mid-job: the connection is neither taken nor refused. A listening
    socket whose queue is full plays it (its SYNs go unanswered)."""
    monkeypatch.setattr(printing, "SEND_TIMEOUT", 10)
    silent = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = silent.getsockname()[1]
    fillers = [socket.socket() for _ in range(3)]
    for filler in fillers:
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
    use_printer(app, f"127.0.0.1:{port}")
    with caplog.at_level(logging.WARNING, logger="services.queue.printing"):
        response = client_as("registrar").post("/registro?mode=kiosk", data={"service_id": licences})
        assert response.status_code == 302 and issued(app)[0] == "LIC-1234"
        # The answer came while the printer was still being waited for, in the background.
        assert [thread.is_alive() for thread in send_tasks(background_tasks)] == [True]
        silent.close()  # now its SYNs are refused and the task ends
        for filler in fillers:
            filler.close()
        background_tasks.join(printing.send_to_printer, timeout=15)
    assert any("LIC-1234 not printed" in record.getMessage() for record in caplog.records)


def test_a_receipt_that_cannot_be_prepared_is_logged_not_an_error(app, client_as, licences, caplog, monkeypatch,
                                                                  background_tasks):
    use_printer(app, "127.0.0.1:9")

    def broken(ticket):
        raise RuntimeError("no paper in the template")

    monkeypatch.setattr(printing, "receipt_for", broken)
    with caplog.at_level(logging.ERROR, logger="services.queue.printing"):
        response = client_as("registrar").post("/registro", data={"service_id": licences})
    assert response.status_code == 302 and issued(app)[0] == "LIC-1234"
    assert send_tasks(background_tasks) == []
    assert any("could not be prepared" in record.getMessage() for record in caplog.records)


def test_api_tickets_print_too(app, client, licences, printer, background_tasks):
    use_printer(app, f"127.0.0.1:{printer.port}")
    token = client.post("/api/auth/login", json={"username": "registrar1", "password": "password123"}).json
    response = client.post("/api/queue/tickets", json={"service_id": licences},
                           headers={"Authorization": f"Bearer {token['access_token']}"})
    assert response.status_code == 201
    background_tasks.join(printing.send_to_printer)
    wait_until(lambda: printer.jobs)
    assert b"LIC-1234" in printer.jobs[0]


def test_the_qr_leads_to_the_public_address_when_set(app, client_as, licences, printer, background_tasks):
    use_printer(app, f"127.0.0.1:{printer.port}")
    with app.app_context():
        save_settings({"public_url": "https://turnos.example.org/oficina"}, None)
    kiosk = client_as("registrar")
    response = kiosk.post("/registro", data={"service_id": licences})
    background_tasks.join(printing.send_to_printer)
    wait_until(lambda: printer.jobs)
    token = issued(app)[1]
    url = f"https://turnos.example.org/oficina/t/{token}"
    assert url.encode() in printer.jobs[0]
    assert url in kiosk.get(response.headers["Location"]).get_data(as_text=True)


def test_issue_date_of_the_receipt_is_local(app):
    """format_datetime on the receipt uses the organisation's timezone (the request's selector)."""
    with app.test_request_context():
        text = printing.format_datetime(datetime(2026, 12, 5, 17, 28, tzinfo=UTC), "short")
    assert "11:28" in text  # America/Mexico_City is UTC-6


def test_an_unreadable_printer_setting_leaves_printing_to_the_browser(app, client_as, licences, background_tasks,
                                                                     caplog):
    use_printer(app, "impresora:99999")
    kiosk = client_as("registrar")
    with caplog.at_level(logging.WARNING, logger="services.queue.printing"):
        response = kiosk.post("/registro", data={"service_id": licences})
    assert response.status_code == 302 and send_tasks(background_tasks) == []
    assert 'data-auto-print="true"' in kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert any("impresora:99999" in record.getMessage() for record in caplog.records)
