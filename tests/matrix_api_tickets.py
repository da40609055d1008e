"""Role-matrix rows (see test_role_matrix.py). The matrix signs in through the login page: a
session cookie is no Bearer token, so every API route but the public document answers 401."""
from tests.matrix import EVERYONE

BEARER_ONLY = dict.fromkeys(EVERYONE, 401)

API_TICKETS_ROWS = [
    ("GET", "/api/tickets/tickets", "/api/tickets/tickets", BEARER_ONLY),
    ("POST", "/api/tickets/tickets", "/api/tickets/tickets", BEARER_ONLY),
    ("GET", "/api/tickets/tickets/<int:ticket_id>", "/api/tickets/tickets/{hd_ticket}", BEARER_ONLY),
    ("PUT", "/api/tickets/tickets/<int:ticket_id>", "/api/tickets/tickets/{hd_ticket}", BEARER_ONLY),
    ("DELETE", "/api/tickets/tickets/<int:ticket_id>", "/api/tickets/tickets/{hd_ticket}", BEARER_ONLY),
    ("POST", "/api/tickets/tickets/<int:ticket_id>/comments", "/api/tickets/tickets/{hd_ticket}/comments",
     BEARER_ONLY),
    ("GET", "/api/tickets/categorias", "/api/tickets/categorias", BEARER_ONLY),
    ("GET", "/api/tickets/estados", "/api/tickets/estados", BEARER_ONLY),
    ("GET", "/api/tickets/criticidades", "/api/tickets/criticidades", BEARER_ONLY),
    ("GET", "/api/tickets/ubicaciones", "/api/tickets/ubicaciones", BEARER_ONLY),
    ("GET", "/api/tickets/dashboard/stats", "/api/tickets/dashboard/stats", BEARER_ONLY),
    ("GET", "/api/openapi.json", "/api/openapi.json", dict.fromkeys(EVERYONE, 200)),
]
