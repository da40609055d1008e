"""The Spanish catalog covers every string the code marks for translation.

Extraction follows babel.cfg and the keywords of `make translations-update`, so a string added
to the code without a Spanish translation fails here rather than showing up in English.
"""
import re
from functools import cache

from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.pofile import read_po

from tests.support.i18n import ROOT, source_msgids

SPANISH_PO = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"


@cache
def spanish_catalog():
    with open(SPANISH_PO, "rb") as po:
        return read_po(po)


def translations(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_source_strings_are_found():
    assert len(source_msgids()) > 50, "extraction found almost nothing: check babel.cfg and the paths"


def test_every_source_string_has_a_spanish_translation():
    catalog = spanish_catalog()
    missing = [
        msgid for msgid in source_msgids()
        if (message := catalog.get(msgid)) is None or message.fuzzy or not all(translations(message))
    ]
    assert not missing, (
        f"{len(missing)} string(s) have no Spanish translation (missing, empty or fuzzy):\n  - "
        + "\n  - ".join(missing)
        + "\nRun `make translations-update`, then translate them in translations/es/LC_MESSAGES/messages.po."
    )


def test_spanish_translations_keep_the_placeholders():
    catalog = spanish_catalog()
    broken = []
    for msgid in source_msgids():
        message = catalog.get(msgid)
        if message is None:
            continue  # reported by the test above
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        placeholders = {match.group() for text in ids for match in PYTHON_FORMAT.finditer(text)} - {"%%"}
        text = " ".join(translations(message))  # plural forms together: "1 ticket" may drop %(n)d
        lost = sorted(p for p in placeholders if p not in text)
        if text and lost:
            broken.append(f"{msgid!r} -> {text!r} lacks {', '.join(lost)}")
    assert not broken, "Spanish translations that drop a placeholder:\n  - " + "\n  - ".join(broken)


# Forms of "tú" that never appear in Spanish written with "usted" (the desk's register, on the
# public and the staff pages alike).
TU_FORMS = re.compile(r"(?i)(?<!\w)(tú|tu|tus|te|ti|contigo|puedes|tienes|quieres|debes|estás|elige|inténtalo|"
                      r"revisa|recarga|escribe|vuelve a|desactívalo|desactívala|ábrela|déjalo|inicia sesión)(?!\w)")


def test_spanish_speaks_usted():
    catalog = spanish_catalog()
    familiar = [f"{message.id!r} -> {text!r}" for message in catalog if message.id
                for text in translations(message) if text and TU_FORMS.search(text)]
    assert not familiar, "Spanish translations that use tú instead of usted:\n  - " + "\n  - ".join(familiar)
