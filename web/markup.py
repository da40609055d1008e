"""What people write in tickets and replies, rendered as safe HTML.

Text is Markdown (bold, italics, lists, links, code), so plain text reads as before; whatever
HTML comes out is cleaned by nh3 against a short allow-list, so no script, style, event
handler or javascript: link can get through.
"""
import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
                "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_message(text):
    # nl2br keeps single line breaks as typed; headings are shifted down so text never outranks the page.
    html = markdown.markdown(text or "", extensions=["nl2br", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h4>").replace("</h1>", "</h4>").replace("<h2>", "<h5>").replace("</h2>", "</h5>")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel="noopener noreferrer nofollow")
    return Markup(cleaned)


def init_app(app):
    app.jinja_env.filters["message"] = render_message
