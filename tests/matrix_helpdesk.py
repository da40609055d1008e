"""Role-matrix rows (see test_role_matrix.py)."""
from tests.matrix import ADMIN_ONLY, ANON, EVERYONE, SIGNED_IN, only  # noqa: F401

HELPDESK_ROWS = []
