"""Helpdesk tickets as PDF: the filtered list (for printing, at most PDF_MAX_ROWS) and one ticket
with its conversation, in the DejaVu fonts shipped in fonts/, so every machine prints ñ, á, — and €.

Names, titles and catalogue values go in as plain text. What people wrote (the description and
each reply) prints as the ticket page shows it: its Markdown rendered and cleaned by the page's
own services/markup.py (bold is bold, a list a list, no <script>), each link followed by its address.
"""
import re
import unicodedata
from datetime import datetime

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle

from config import BASE_DIR
from extensions import db
from models import Area, Category, Priority, Role, User
from services.helpdesk.access import is_staff_for
from services.helpdesk.exports import RowFormat, headers, ticket_query
from services.helpdesk.tickets import status_label, visible_comments
from services.markup import printable_html  # the page's own cleaning
from services.settings import organisation_name
from services.timeutil import local_now, organisation_tz, utcnow

PDF_MAX_ROWS = 2000
FONT_DIR = BASE_DIR / "fonts"
FONT, MONO = "DejaVu", "DejaVuMono"
# Every style a message may ask for must exist, or fpdf2 refuses the document: the monospaced
# font (code) has one face, used for all four.
FONT_FILES = {(FONT, ""): "DejaVuSans.ttf", (FONT, "B"): "DejaVuSans-Bold.ttf",
              (FONT, "I"): "DejaVuSans-Oblique.ttf", (FONT, "BI"): "DejaVuSans-BoldOblique.ttf",
              **{(MONO, style): "DejaVuSansMono.ttf" for style in ("", "B", "I", "BI")}}
# How a message's HTML prints: close to the page's Bootstrap look, in black and grey.
CODE_COLOUR, MUTED_COLOUR, LINK_COLOUR = "#a3195b", "#555555", "#0a58ca"
NONE = 0.01  # mm
MESSAGE_STYLES = {
    "a": FontFace(color=LINK_COLOUR, emphasis="UNDERLINE"),
    "code": FontFace(family=MONO, color=CODE_COLOUR),
    # fpdf2 reads a top margin of 0 as "one line": NONE is as little as it takes.
    # A list's own margins both go before it, so paragraphs carry the space around lists.
    "pre": TextStyle(font_family=MONO, t_margin=1, b_margin=1),
    "p": TextStyle(t_margin=1, b_margin=1),
    "blockquote": TextStyle(color=MUTED_COLOUR, l_margin=6, t_margin=NONE, b_margin=NONE),
    "ul": TextStyle(t_margin=1, b_margin=NONE),
    "ol": TextStyle(t_margin=1, b_margin=NONE),
    "li": TextStyle(l_margin=5, t_margin=NONE),
    **{heading: TextStyle(font_style="B", font_size_pt=size, color="#000000", t_margin=1, b_margin=1)
       for heading, size in (("h3", 12), ("h4", 11), ("h5", 10), ("h6", 9))},
}
LINE_HEIGHT = 1.3  # × the font size, as a page's text reads; fpdf2's own 1.0 sets lines touching
BLOCK_START = re.compile(r"<(p|ul|ol|pre|h[3-6])>")  # cleaned HTML: these tags never have attributes


def plain(value):
    """Text as it will print: line ends made uniform, tabs as spaces, other control characters dropped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")


class Document(FPDF):
    """A page with the DejaVu font (shipped in fonts/, so every machine prints ñ, á, — and €)
    and a footer with the organisation and the page number."""

    def __init__(self, title, orientation="P"):
        super().__init__(orientation=orientation, format="A4")
        for (family, style), filename in FONT_FILES.items():
            self.add_font(family, style, FONT_DIR / filename)
        self.organisation = plain(organisation_name())
        self.set_title(plain(title))
        self.set_author(self.organisation)
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=14)
        self.c_margin = 1
        self.set_font(FONT, size=9)

    def footer(self):
        self.set_y(-10)
        self.set_font(FONT, size=7)
        page = _("Page %(page)s of %(total)s", page=self.page_no(), total=self.str_alias_nb_pages)
        self.cell(0, 4, f"{self.organisation} · {page}" if self.organisation else page, align="C")

    def heading(self, text, size=14):
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, plain(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)

    def paragraph(self, text, height=4.5):
        self.multi_cell(0, height, plain(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def message(self, text):
        """What a person wrote, formatted as the ticket page shows it (see the module's docstring)."""
        self.set_font(FONT, size=9)
        html = BLOCK_START.sub(rf'<\1 style="line-height: {LINE_HEIGHT}">', plain(printable_html(text)))
        self.write_html(html, font_family=FONT, tag_styles=MESSAGE_STYLES,
                        li_prefix_color=MUTED_COLOUR, warn_on_tags_not_matching=False)
        self.set_x(self.l_margin)
        self.ln(1)

    def wrap(self, text, width):
        """Lines of `text` fitting `width` mm, words kept whole when they fit. A table row is
        measured word by word, much faster than a dry run of multi_cell for each cell."""
        width -= 2 * self.c_margin
        lines = []
        for paragraph in plain(text).split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.get_string_width(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.get_string_width(word) > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self.get_string_width(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def table_row(self, values, widths, height=4, bold=False, fill=False):
        self.set_font(FONT, "B" if bold else "", 8)
        cells = [self.wrap(value, width) for value, width in zip(values, widths, strict=True)]
        row_height = max(len(lines) for lines in cells) * height + 1
        if self.get_y() + row_height > self.page_break_trigger:
            return False
        x, y = self.l_margin, self.get_y()
        if fill:
            self.set_fill_color(221, 235, 247)
            self.rect(x, y, sum(widths), row_height, style="F")
        for lines, width in zip(cells, widths, strict=True):
            for number, line in enumerate(lines):
                self.set_xy(x, y + 0.5 + number * height)
                self.cell(width, height, line)
            x += width
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, y + row_height, x, y + row_height)
        self.set_xy(self.l_margin, y + row_height)
        return True


# (index in the exported row, width in mm): what fits a landscape A4 page (277 mm inside the
# margins) with dates on one line; the area follows from the category.
PDF_COLUMNS = [(0, 20), (1, 64), (2, 20), (3, 17), (4, 28), (7, 28), (9, 28), (10, 28), (13, 28), (15, 16)]


def pdf_time(value):
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def filters_summary(scope, filters):
    """The scope and each active filter in words, for the PDF's header."""
    scopes = {"mine": _("Tickets I filed"), "assigned": _("My work: assigned to me and unassigned in my areas"),
              "all": _("All tickets")}
    parts = [scopes[scope]]
    if filters.status:
        parts.append(_("Status: %(values)s", values=", ".join(str(status_label(s)) for s in filters.status)))

    def name(model, row_id, attribute="name"):
        row = db.session.get(model, row_id)
        return getattr(row, attribute) if row is not None else f"#{row_id}"

    if filters.priority_id:
        parts.append(_("Priority: %(value)s", value=name(Priority, filters.priority_id)))
    if filters.category_id:
        parts.append(_("Category: %(value)s", value=name(Category, filters.category_id)))
    if filters.area_id:
        parts.append(_("Area: %(value)s", value=name(Area, filters.area_id)))
    if filters.unassigned:
        parts.append(_("Unassigned"))
    elif filters.assignee_id:
        # Only agents' names: the filter takes any id, and must not reveal who else has an account.
        agent = db.session.get(User, filters.assignee_id)
        shown = agent.display_name if agent is not None and agent.role == Role.AGENT else f"#{filters.assignee_id}"
        parts.append(_("Assignee: %(value)s", value=shown))
    if filters.date_from:
        parts.append(_("Created from %(date)s", date=filters.date_from.isoformat()))
    if filters.date_to:
        parts.append(_("Created until %(date)s", date=filters.date_to.isoformat()))
    if filters.overdue:
        parts.append(_("Overdue only"))
    if filters.q:
        parts.append(_("Search: %(text)s", text=filters.q))
    return parts


def list_pdf(user, scope, filters, now=None, limit=None):
    """The filtered list as a landscape table: at most `limit` (PDF_MAX_ROWS) rows, with a note
    when there are more."""
    now, limit = now or utcnow(), limit or PDF_MAX_ROWS
    document = Document(_("Tickets"), orientation="L")
    document.add_page()
    if document.organisation:
        document.heading(document.organisation)
    document.heading(_("Tickets"), size=11)
    document.paragraph(" · ".join(filters_summary(scope, filters)))
    document.paragraph(_("Generated %(time)s (%(timezone)s)", time=pdf_time(local_now(now)),
                         timezone=organisation_tz().key))
    rows = RowFormat(now)
    fetched = [rows.ticket(row) for row in db.session.execute(ticket_query(user, scope, filters, now)
                                                              .limit(limit + 1))]
    if len(fetched) > limit:
        fetched = fetched[:limit]
        document.set_font(FONT, "B", 9)
        document.paragraph(_("Only the first %(count)s tickets are listed: export to Excel or CSV for all of them.",
                             count=limit))
    elif not fetched:
        document.paragraph(_("No tickets match these filters."))
    document.ln(2)
    names, widths = headers(), [width for _, width in PDF_COLUMNS]
    heading_row = [names[index] for index, _ in PDF_COLUMNS]
    document.table_row(heading_row, widths, bold=True, fill=True)
    for values in fetched:
        shown = [pdf_time(values[index]) if isinstance(values[index], datetime) else values[index]
                 for index, _ in PDF_COLUMNS]
        shown[-1] = rows.yes if values[15] == rows.yes else ""  # only the overdue ones stand out
        if not document.table_row(shown, widths):
            document.add_page()
            document.table_row(heading_row, widths, bold=True, fill=True)
            document.table_row(shown, widths)
    return bytes(document.output())


def ticket_pdf(ticket, user, now=None):
    """One ticket with its details and conversation; internal notes only for the staff working on it."""
    now = now or utcnow()
    rows = RowFormat(now)
    document = Document(f"{ticket.number} {ticket.title}")
    document.add_page()
    document.set_font(FONT, size=8)
    if document.organisation:
        document.paragraph(document.organisation)
    document.heading(f"{ticket.number} — {ticket.title}")
    document.ln(1)
    overdue = ticket.is_overdue(now)
    requester = ticket.requester.display_name if ticket.requester else ticket.requester_name
    email = ticket.requester.email if ticket.requester and ticket.requester.email else ticket.requester_email
    status = str(status_label(ticket.status))
    details = [
        (_("Status"), " · ".join([status, _("Overdue")]) if overdue else status),
        (_("Priority"), ticket.priority.name),
        (_("Category"), ticket.category.name),
        (_("Area"), ticket.area.name),
        (_("Location"), ticket.location.name if ticket.location else ""),
        (_("Requester"), f"{requester} <{email}>" if email else requester),
        (_("Assignee"), ticket.assignee.display_name if ticket.assignee else _("Unassigned")),
        (_("Created"), pdf_time(rows.local(ticket.created_at))),
        (_("Updated"), pdf_time(rows.local(ticket.updated_at))),
        (_("First response"), pdf_time(rows.local(ticket.first_response_at))),
        (_("Due"), pdf_time(rows.local(ticket.due_at))),
        (_("Closed"), pdf_time(rows.local(ticket.closed_at))),
    ]
    for label, value in details:
        document.set_font(FONT, "B", 9)
        document.cell(40, 5, label)
        document.set_font(FONT, size=9)
        document.multi_cell(0, 5, plain(value), align="L", new_x="LMARGIN", new_y="NEXT")
    document.ln(3)
    document.heading(_("Description"), size=11)
    document.message(ticket.description)
    files = [a.original_name for a in ticket.attachments if a.comment_id is None]
    if files:
        document.set_font(FONT, size=8)
        document.paragraph(_("Files: %(names)s", names=", ".join(files)))
        document.set_font(FONT, size=9)
    document.ln(3)
    document.heading(_("Conversation"), size=11)
    comments = visible_comments(ticket, include_internal=is_staff_for(user, ticket))
    if not comments:
        document.paragraph(_("No replies yet."))
    for comment in comments:
        author = comment.author.display_name if comment.author else comment.author_name
        line = f"{author} · {pdf_time(rows.local(comment.created_at))}"
        document.ln(1)
        document.set_font(FONT, "B", 9)
        if comment.internal:
            document.set_fill_color(255, 243, 205)
            document.multi_cell(0, 5, plain(" · ".join([line, _("Internal note")])), align="L", fill=True,
                                new_x="LMARGIN", new_y="NEXT")
        else:
            document.multi_cell(0, 5, plain(line), align="L", new_x="LMARGIN", new_y="NEXT")
        document.message(comment.body)
        if comment.attachments:
            document.set_font(FONT, size=8)
            document.paragraph(_("Files: %(names)s", names=", ".join(a.original_name for a in comment.attachments)))
            document.set_font(FONT, size=9)
    return bytes(document.output())
