"""Reading back the PDFs the app makes (fpdf2, an embedded TrueType font)."""
import re
import zlib


def pdf_text(data):
    """The text a PDF made by fpdf2 shows: text on the same baseline joined by spaces, one line each.

    With an embedded TrueType font fpdf2 writes glyph ids (two bytes each, Identity-H), not the
    characters, so the words are not in the file as such. Each font carries a ToUnicode map from
    glyph id to character, which viewers use to search and copy; this reads it the same way:
    inflate the streams, read every font's map, then walk the page contents, switching map at
    each `Tf` and decoding the strings shown by `Tj`/`TJ`. A character missing from the font, or
    text drawn in a font without the map, would not come back, so this checks what prints.
    """
    objects = pdf_objects(data)
    maps = {name: glyphs for name, (_, glyphs) in font_maps(objects).items()}

    lines, baseline = [], None
    for page, content in page_contents(objects):
        glyphs, font, operands, shown, y = {}, None, [], "", None
        for kind, value in content_tokens(content):
            if kind == "string":
                shown += decode(value, glyphs)
            elif kind == "name":
                font = value
            elif value == "Tf":
                glyphs = maps[font]
            elif value == "Td":
                y = (page, operands[-1])
            elif value == "ET" and shown:
                if y == baseline:
                    lines[-1] += " " + shown
                else:
                    lines.append(shown)
                baseline, shown = y, ""
            operands = operands[-1:] + [value] if kind == "op" else operands
    return "\n".join(lines)


def drawn_runs(data):
    """(bold?, text) for each string the pages draw, decoded as `pdf_text` does; bold when the
    font's name says so (DejaVuSans-Bold)."""
    objects = pdf_objects(data)
    fonts = font_maps(objects)
    runs = []
    for _, content in page_contents(objects):
        name, current = None, (False, {})
        for kind, value in content_tokens(content):
            if kind == "name":
                name = value
            elif kind == "op" and value == "Tf":
                current = fonts[name]
            elif kind == "string":
                bold, glyphs = current
                runs.append((bold, decode(value, glyphs)))
    return runs


def pdf_objects(data):
    return {int(number): body for number, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def stream(body):
    start = re.search(rb"stream\r?\n", body).end()
    raw = body[start:start + int(re.search(rb"/Length (\d+)", body).group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def font_maps(objects):
    """{font resource name: (bold?, {glyph id: character})} from each font's ToUnicode map."""
    fonts = {}
    for name, number in set(re.findall(rb"/(F\d+) (\d+) 0 R", b"".join(objects.values()))):
        font = objects[int(number)]
        cmap = stream(objects[int(re.search(rb"/ToUnicode (\d+) 0 R", font).group(1))]).decode("latin-1")
        glyphs = {int(glyph, 16): bytes.fromhex(text).decode("utf-16-be")
                  for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S)
                  for glyph, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)}
        fonts[name.decode()] = (b"Bold" in re.search(rb"/BaseFont /(\S+)", font).group(1), glyphs)
    return fonts


def page_contents(objects):
    """(page object, its inflated content stream), in order."""
    for page in [body for _, body in sorted(objects.items()) if re.search(rb"/Type /Page\b(?!s)", body)]:
        yield page, stream(objects[int(re.search(rb"/Contents (\d+) 0 R", page).group(1))])


def decode(value, glyphs):
    """A shown string's two-byte glyph ids as characters (U+FFFD for one the map lacks)."""
    return "".join(glyphs.get(int.from_bytes(value[i:i + 2], "big"), "\ufffd") for i in range(0, len(value), 2))


ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def content_tokens(content):
    """("string", bytes), ("name", "F1") and ("op", "Tj"/numbers/brackets) of a content stream."""
    i = 0
    while i < len(content):
        char = content[i]
        if char in b" \t\r\n":
            i += 1
        elif char == ord("("):
            depth, i, raw = 1, i + 1, bytearray()
            while True:
                char = content[i]
                if char == ord("\\"):
                    following = content[i + 1]
                    if following in ESCAPES:
                        raw += ESCAPES[following]
                        i += 2
                    elif chr(following).isdigit():
                        octal = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4]).group(0)
                        raw.append(int(octal, 8))
                        i += 1 + len(octal)
                    else:
                        raw.append(following)
                        i += 2
                    continue
                depth += char == ord("(")
                depth -= char == ord(")")
                if depth == 0:
                    break
                raw.append(char)
                i += 1
            yield "string", bytes(raw)
            i += 1
        elif char in b"[]":
            yield "op", chr(char)
            i += 1
        else:
            token = re.match(rb"/?[^\s\[\]()/]+", content[i:]).group(0)
            i += len(token)
            yield ("name", token[1:].decode()) if token.startswith(b"/") else ("op", token.decode("latin-1"))


def page_count(data):
    return len(re.findall(rb"/Type /Page\b(?!s)", data))
