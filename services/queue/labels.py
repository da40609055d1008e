"""What a person reads for a queue ticket's priority, in their language.

Kept in services so that exports and statistics (no request, no routes) can name priorities the
way the kiosk, the receipt and the JSON do. Status names live beside the rules that change the
status: services.queue.line.status_label.
"""
from flask_babel import lazy_gettext as _l

from models import PriorityReason

PRIORITY_LABELS = {
    PriorityReason.ELDERLY: _l("Older adult"),
    PriorityReason.PREGNANT: _l("Pregnancy"),
    PriorityReason.DISABILITY: _l("Disability"),
}


def priority_label(reason):
    """The (lazy) name of a priority reason, given as the enum or its stored value."""
    return PRIORITY_LABELS[PriorityReason(reason)]


def priority_labels():
    """{stored value: name in the current language}, in the kiosk's order."""
    return {reason.value: str(label) for reason, label in PRIORITY_LABELS.items()}
