"""What people write in tickets and replies, rendered as safe HTML, and the same text for files.

Text is Markdown (bold, italics, lists, links, code), so plain text reads as before; whatever
HTML comes out is cleaned by nh3 against a short allow-list, so no script, style, event
handler or javascript: link can get through.

Exports start from that same cleaned HTML, so a file never shows what the page hides:
`printable_html` is it for a PDF (each link followed by its address, since paper has nothing to
click) and `message_text` is it as plain text for a spreadsheet cell (bold as plain words, lists
as "•" and "1.", line breaks kept), never Markdown or HTML source.
"""
import re
import threading
from html import escape
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
                "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "li", "hr", "h3", "h4", "h5", "h6"}
RULE = "—" * 12  # a horizontal rule in plain text
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_converters = threading.local()  # a Markdown instance costs more to build than to run: one per thread


def clean_html(text):
    """The Markdown of `text` as HTML cleaned by nh3 (a str)."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        # nl2br keeps single line breaks as typed.
        converter = _converters.markdown = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
    html = converter.reset().convert(text or "")
    # Headings are shifted down so text never outranks the page.
    html = html.replace("<h1>", "<h4>").replace("</h1>", "</h4>").replace("<h2>", "<h5>").replace("</h2>", "</h5>")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def render_message(text):
    return Markup(clean_html(text))


def link_address(href, shown):
    """What to print after a link's text: its address, unless the text already says it."""
    address = href.removeprefix("mailto:")
    return "" if not address or address in shown else address


class PrintableLinks(HTMLParser):
    """Re-writes cleaned HTML with " (address)" after each link, and a link without an address
    (nh3 drops a javascript: one) as its bare text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.link, self.shown = [], None, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.link, self.shown = attributes.get("href") or "", []
            if not self.link:
                return
        shown = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        self.out.append(f"<{tag}{shown}>")

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            if self.link:
                self.out.append("</a>")
                address = link_address(self.link, "".join(self.shown))
                if address:
                    self.out.append(f" ({escape(address)})")
            self.link = None
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.link is not None:
            self.shown.append(data)
        self.out.append(escape(data, quote=False))


def printable_html(text):
    """The cleaned HTML of `text` for paper: links keep their text and show their address."""
    parser = PrintableLinks()
    parser.feed(clean_html(text))
    parser.close()
    return "".join(parser.out)


class PlainText(HTMLParser):
    """Cleaned HTML as the text a person reads on the page: spaces collapsed as a browser does,
    a line per <br>, a blank line between blocks, "• " or "1. " before list items (indented by
    level), quotes indented, links followed by their address."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.lists, self.pre, self.quote = [], [], 0, 0
        self.link, self.shown = None, []
        self.after_marker = False  # a list item's "• " was just written: its first paragraph goes beside it

    def newline(self, blank=False):
        text = "".join(self.out).rstrip(" ")
        wanted = "\n\n" if blank else "\n"
        if text and not text.endswith(wanted):
            text = text.rstrip("\n") + wanted
        self.out = [text]

    def line_start(self, marker=False):
        """The indentation of a new line: four spaces per quote, two per list level (a list item's
        marker one level less, so its text lines up with the lines that follow it)."""
        return "    " * self.quote + "  " * (len(self.lists) - marker)

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.newline()
        elif tag == "li":
            self.newline()
            if self.lists:
                kind, number = self.lists[-1]
                self.lists[-1] = (kind, number + 1)
                self.out.append(self.line_start(marker=True) + ("• " if kind == "ul" else f"{number + 1}. "))
                self.after_marker = True
        elif tag == "p" and self.after_marker:
            pass
        elif tag in ("ul", "ol"):
            self.newline(blank=not self.lists)
            self.lists.append((tag, 0))
        elif tag in BLOCKS:
            self.newline(blank=tag != "li")
            self.pre += tag == "pre"
            self.quote += tag == "blockquote"
            if tag == "hr":
                self.out.append(RULE)
        if tag == "a":
            self.link, self.shown = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        self.pre -= tag == "pre" and self.pre > 0
        self.quote -= tag == "blockquote" and self.quote > 0
        if tag in BLOCKS:
            self.newline(blank=not self.lists)
        if tag == "a" and self.link is not None:
            address = link_address(self.link, "".join(self.shown))
            if address:
                self.out.append(f" ({address})")
            self.link = None

    def handle_data(self, data):
        if self.after_marker and not data.strip():
            return
        self.after_marker = False
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            text = "".join(self.out)
            if not text or text.endswith("\n"):  # a browser drops spaces at the start of a line
                data = data.lstrip(" ")
                if data:
                    data = self.line_start() + data
        elif self.quote:
            data = data.replace("\n", "\n" + "    " * self.quote)
        if self.link is not None:
            self.shown.append(data)
        self.out.append(data)

    def text(self):
        lines = "".join(self.out).split("\n")
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip("\n")
        return CONTROL_CHARACTERS.sub("", text)  # a browser shows none of them


def message_text(text):
    """`text` as plain text that reads as the page shows it (see PlainText)."""
    parser = PlainText()
    parser.feed(clean_html(text))
    parser.close()
    return parser.text()
