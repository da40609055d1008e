"""Reading a rendered page in the tests without a browser: its tags' attributes, the JSON of its
<script> blocks, the text of an element."""
import json
import re
from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every start tag as (tag, attributes), and the text of <script> blocks."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs
            self.scripts.append([attrs, ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def by_id(self, element_id):
        return next(attrs for _tag, attrs in self.tags if attrs.get("id") == element_id)

    def json_block(self, element_id):
        return json.loads(next(text for attrs, text in self.scripts if attrs.get("id") == element_id))


def element_text(html, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    return match.group(1).strip()
