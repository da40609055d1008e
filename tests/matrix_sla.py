"""Role-matrix rows for the calendar pages: business hours and holidays (see test_role_matrix.py)."""
from datetime import date

from extensions import db
from models import Holiday
from tests.matrix import ADMIN_ACTION, ADMIN_ONLY

SLA_ROWS = [
    # An empty form posted by an admin comes back with its errors (200); the delete button redirects.
    ("GET", "/admin/helpdesk/hours", "/admin/helpdesk/hours", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/hours", "/admin/helpdesk/hours", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/holidays", "/admin/helpdesk/holidays", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/holidays", "/admin/helpdesk/holidays", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/holidays/<int:holiday_id>/delete", "/admin/helpdesk/holidays/{holiday}/delete",
     ADMIN_ACTION),
]


def make_holiday():
    """The `{holiday}` placeholder: a holiday to delete. Call inside an app context."""
    holiday = Holiday(day=date(2030, 12, 25), name="Navidad")
    db.session.add(holiday)
    db.session.commit()
    return {"holiday": holiday.id}
