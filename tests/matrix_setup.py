"""Role-matrix rows for what follows the set-up wizard (see test_role_matrix.py): its checklist,
the suggested helpdesk catalogue, and Settings' test mail."""
from tests.matrix import ADMIN_ACTION, ADMIN_ONLY

SETUP_ROWS = [
    ("GET", "/setup/done", "/setup/done", ADMIN_ONLY),
    ("POST", "/setup/starter-catalogue", "/setup/starter-catalogue", ADMIN_ACTION),
    ("POST", "/admin/settings/test-mail", "/admin/settings/test-mail", ADMIN_ONLY),  # empty form: errors shown
]
