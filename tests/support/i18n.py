"""The strings the code marks for translation, found the way `make translations-update` finds them."""
import os
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}  # _, gettext, ngettext, ... too
SKIPPED_DIRS = {"tests", "migrations", "static"}


def wanted_dir(path):
    name = os.path.basename(path)
    return not name.startswith((".", "_")) and name not in SKIPPED_DIRS  # .venv, .git, __pycache__


@cache
def source_msgids():
    """Every msgid of the source (babel.cfg, the keywords above), sorted."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted_dir)
    # ngettext yields (singular, plural); the catalog is keyed by the singular.
    return sorted({message[0] if isinstance(message, tuple) else message for _, _, message, _, _ in found})
