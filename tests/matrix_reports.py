"""Role-matrix rows for the queue dashboard and exports (see test_role_matrix.py)."""
from tests.matrix import ADMIN_ONLY

REPORTS_ROWS = [
    ("GET", "/admin", "/admin", ADMIN_ONLY),
    ("GET", "/admin/stats.json", "/admin/stats.json", ADMIN_ONLY),
    ("GET", "/admin/exports/queue-tickets.csv", "/admin/exports/queue-tickets.csv", ADMIN_ONLY),
    ("GET", "/admin/exports/queue-tickets.xlsx", "/admin/exports/queue-tickets.xlsx", ADMIN_ONLY),
]
