"""A rendered page as a tree, for tests that ask what is inside what: is the form there, which
links does the notice hold, which option is selected. Standard library only."""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.texts = tag, attrs, parent, [], []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def has(self, name):
        return name in self.attrs

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag (any when None) and these attribute values (`class_` for class;
        True: the attribute is present, whatever its value)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [node for node in self.walk() if (tag is None or node.tag == tag) and all(
            node.has(name) if value is True else node.get(name) == value for name, value in wanted.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.find(id=element_id)

    @property
    def text(self):
        parts = list(self.texts)
        for child in self.children:
            parts.append(child.text)
        return " ".join(" ".join(parts).split())

    def links(self):
        return [node.get("href") for node in self.find_all("a")]


class Page(Node):
    """The whole document: Page(html).by_id("ticket-form")."""

    def __init__(self, html):
        super().__init__("#document", {})
        parser = _TreeBuilder(self)
        parser.feed(html)
        parser.close()


class _TreeBuilder(HTMLParser):
    def __init__(self, root):
        super().__init__(convert_charrefs=True)
        self.current = root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: (value if value is not None else "") for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:  # tolerate unclosed tags, as browsers do
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.texts.append(data)
