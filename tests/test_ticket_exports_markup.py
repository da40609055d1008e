"""A ticket's Markdown and HTML read back from its exports: the PDF shows the text as the ticket
page does (bold in the bold font, lists, line breaks, links with their address, nothing the
page's cleaning drops), the Excel conversation sheet as clean plain text. Never markup.
"""
import io

import openpyxl
import pytest

from extensions import db
from models import User
from services.helpdesk import tickets
from tests.support.pdf import drawn_runs, pdf_text

DESCRIPTION = """Hola equipo, **Outlook** no abre desde el lunes. *Urgente* para la Dirección de Administración.

Pasos que seguí:

1. Reinicié el equipo
2. Borré la caché de `%APPDATA%\\Outlook`

- Versión: Microsoft 365
- Equipo: __LAP-0042__ (Subdirección de Tecnologías de la Información y Comunicación)

Ver [la guía de soporte](https://intranet.example.org/guia?x=1&y=2) o escribir a <mailto:soporte@example.org>.
<script>alert('robo')</script>
<b>negrita en HTML</b> y <img src=x onerror=alert(2)> <a href="javascript:alert(3)">enlace malo</a>
Línea uno
Línea dos con ñ, á, é, ü, — y €
""" + "La señora Begoña Ibáñez Muñoz pidió acceso a la carpeta compartida de Contabilidad. " * 12

REPLY = """Gracias, **Begoña**. Pruebe esto:

* Cierre *todas* las ventanas
* Abra [el portal](https://portal.example.org/ayuda)

Saludos,
Ángel <script>document.cookie</script>"""

REPLY_TEXT = """Gracias, Begoña. Pruebe esto:

• Cierre todas las ventanas
• Abra el portal (https://portal.example.org/ayuda)

Saludos,
Ángel"""


@pytest.fixture
def marked_up_ticket(app, helpdesk):
    with app.app_context():
        user, agent = db.session.get(User, helpdesk["user"]), db.session.get(User, helpdesk["agent"])
        ticket = tickets.file_ticket(title="Correo no abre: **urgente** <b>hoy</b>", description=DESCRIPTION,
                                     category_id=helpdesk["printer"], requester=user)
        tickets.add_comment(ticket, REPLY, agent)
        tickets.add_comment(ticket, "Nota: el **tóner** llega el martes <script>x()</script>", agent, internal=True)
        return ticket.id


def assert_no_markup(text):
    for source in ("**", "__", "<script", "alert", "document.cookie", "<b>", "<img", "onerror", "javascript:",
                   "](", "`"):
        assert source not in text, f"{source!r} printed"


def test_the_ticket_pdf_prints_the_formatted_text_never_its_markup(client_as, marked_up_ticket):
    response = client_as("agent").get(f"/tickets/{marked_up_ticket}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    text = pdf_text(data)
    body = text.split("Descripción", 1)[1]  # the title is plain text on the page too, and prints as typed
    assert_no_markup(body)
    assert "Correo no abre: **urgente** <b>hoy</b>" in text

    lines = [line.strip() for line in body.split("\n")]
    assert any(line.startswith("Hola equipo, Outlook no abre desde el lunes. Urgente para la") for line in lines)
    assert "1. Reinicié el equipo" in lines and "2. Borré la caché de %APPDATA%\\Outlook" in lines
    assert "• Versión: Microsoft 365" in lines
    assert "la guía de soporte (https://intranet.example.org/guia?x=1&y=2)" in body
    assert "soporte@example.org" in body
    assert "negrita en HTML y enlace malo\nLínea uno\nLínea dos con ñ, á, é, ü, — y €" in body
    assert "Begoña Ibáñez Muñoz" in body
    assert "Gracias, Begoña. Pruebe esto:" in body and "• Cierre todas las ventanas" in body
    assert "el portal (https://portal.example.org/ayuda)" in body
    assert "Nota: el tóner llega el martes" in body

    # What the page shows in <strong> or <b> is drawn in the bold face, and nothing else of the text.
    bold = " ".join(text for is_bold, text in drawn_runs(data) if is_bold)
    for words in ("Outlook", "LAP-0042", "negrita en HTML", "Begoña", "tóner"):
        assert words in bold
    assert "Hola equipo" not in bold and "Reinicié" not in bold


def test_the_workbook_conversation_is_the_plain_text_the_page_shows(client_as, marked_up_ticket):
    client = client_as("admin")
    client.post("/language", data={"locale": "en"})
    response = client.get("/tickets/export.xlsx?scope=all")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    rows = list(book["Conversation"].iter_rows(values_only=True))
    texts = [row[-1] for row in rows[1:]]
    assert texts == [REPLY_TEXT, "Nota: el tóner llega el martes"]
    for text in texts:
        assert_no_markup(text)
    cell = book["Conversation"]["E2"]
    assert cell.alignment.wrap_text  # line breaks show in the cell


@pytest.mark.parametrize("text, expected", [
    ("**negrita** y _cursiva_", "negrita y cursiva"),
    ("uno\ndos", "uno\ndos"),
    ("1. uno\n2. dos\n    - dentro", "1. uno\n2. dos\n  • dentro"),
    ("[texto](https://a.example/x) <https://b.example>", "texto (https://a.example/x) https://b.example"),
    ("<script>alert(1)</script>Hola <i>tú</i>", "Hola tú"),
    ("a & b < c", "a & b < c"),
    ("> citado\n\nfuera", "    citado\n\nfuera"),
    ("señal\x07 débil\ttab", "señal débil tab"),
])
def test_message_text_reads_as_the_page(text, expected):
    from services.markup import message_text

    assert message_text(text) == expected
