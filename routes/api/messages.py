"""marshmallow's own error messages ("Missing data for required field.", "Not a valid integer.")
in the caller's language, so a 400 never mixes a Spanish envelope with English field messages.

marshmallow writes its messages in English and fills in their values ("Longer than maximum length
200.") before the API sees them, so each one is recognised by its English template and written
again from the translated template with the same values. A message that matches none (the API's
own, already translated) passes unchanged. tests/test_api_language.py checks that every message
the API's schemas can give is listed here.
"""
import re

from flask_babel import gettext


def N_(message):
    """Marks `message` for the catalogue (pybabel's default keywords include N_), unchanged."""
    return message


# The templates of marshmallow 4's fields (default_error_messages) and validators, as they read
# once marshmallow has put a Range's operators in.
BUILT_IN = [
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Must be one of: {choices}."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be equal to {other}."),
    N_("String does not match expected pattern."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
]


def template_pattern(template):
    """A regular expression matching `template` with any value in each {placeholder}."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)), re.S)


# The most literal text first, so "Must be greater than {min}." never swallows the longer
# "Must be greater than {min} and less than {max}." with "1 and less than 5" as its value.
PATTERNS = sorted(((template, template_pattern(template)) for template in BUILT_IN),
                  key=lambda item: -len(re.sub(r"\{\w+\}", "", item[0])))


def translated(messages):
    """`messages` (a message, a list of them, or marshmallow's dict of field → messages, nested for
    list items) with each built-in message in the request's language."""
    if isinstance(messages, dict):
        return {name: translated(value) for name, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(message) for message in messages]
    text = str(messages)
    for template, pattern in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return gettext(template).format(**match.groupdict())
            except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
                return text
    return text
