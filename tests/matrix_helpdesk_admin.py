"""Role-matrix rows for the helpdesk catalogue pages (see test_role_matrix.py)."""
from tests.matrix import ADMIN_ACTION, ADMIN_ONLY

AREA = "/admin/helpdesk/areas/<int:area_id>"
CATEGORY = "/admin/helpdesk/categories/<int:category_id>"
LOCATION = "/admin/helpdesk/locations/<int:location_id>"
ACTIVE = "<any(activate, deactivate):action>"

HELPDESK_ADMIN_ROWS = [
    # Empty forms posted by an admin come back with their errors (200); buttons redirect (302).
    ("GET", "/admin/helpdesk/areas", "/admin/helpdesk/areas", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/areas/new", "/admin/helpdesk/areas/new", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/areas/new", "/admin/helpdesk/areas/new", ADMIN_ONLY),
    ("GET", f"{AREA}/edit", "/admin/helpdesk/areas/{area}/edit", ADMIN_ONLY),
    ("POST", f"{AREA}/edit", "/admin/helpdesk/areas/{area}/edit", ADMIN_ONLY),
    ("POST", f"{AREA}/{ACTIVE}", "/admin/helpdesk/areas/{area}/deactivate", ADMIN_ACTION),
    ("POST", f"{AREA}/delete", "/admin/helpdesk/areas/{area}/delete", ADMIN_ACTION),  # refused: in use
    ("GET", "/admin/helpdesk/categories", "/admin/helpdesk/categories", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/categories/new", "/admin/helpdesk/categories/new", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/categories/new", "/admin/helpdesk/categories/new", ADMIN_ONLY),
    ("GET", f"{CATEGORY}/edit", "/admin/helpdesk/categories/{category}/edit", ADMIN_ONLY),
    ("POST", f"{CATEGORY}/edit", "/admin/helpdesk/categories/{category}/edit", ADMIN_ONLY),
    ("POST", f"{CATEGORY}/{ACTIVE}", "/admin/helpdesk/categories/{category}/deactivate", ADMIN_ACTION),
    ("POST", f"{CATEGORY}/delete", "/admin/helpdesk/categories/{category}/delete", ADMIN_ACTION),
    ("GET", "/admin/helpdesk/priorities", "/admin/helpdesk/priorities", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/priorities/<int:priority_id>/edit", "/admin/helpdesk/priorities/{priority}/edit",
     ADMIN_ONLY),
    ("POST", "/admin/helpdesk/priorities/<int:priority_id>/edit", "/admin/helpdesk/priorities/{priority}/edit",
     ADMIN_ONLY),
    ("GET", "/admin/helpdesk/locations", "/admin/helpdesk/locations", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/locations/new", "/admin/helpdesk/locations/new", ADMIN_ONLY),
    ("POST", "/admin/helpdesk/locations/new", "/admin/helpdesk/locations/new", ADMIN_ONLY),
    ("GET", f"{LOCATION}/edit", "/admin/helpdesk/locations/{location}/edit", ADMIN_ONLY),
    ("POST", f"{LOCATION}/edit", "/admin/helpdesk/locations/{location}/edit", ADMIN_ONLY),
    ("POST", f"{LOCATION}/{ACTIVE}", "/admin/helpdesk/locations/{location}/deactivate", ADMIN_ACTION),
    ("POST", f"{LOCATION}/delete", "/admin/helpdesk/locations/{location}/delete", ADMIN_ACTION),
    ("GET", "/admin/helpdesk/agents", "/admin/helpdesk/agents", ADMIN_ONLY),
    ("GET", "/admin/helpdesk/agents/<int:user_id>/edit", "/admin/helpdesk/agents/{agent}/edit", ADMIN_ONLY),
    # Every agent field may be empty (no area, unavailable), so an empty form is saved.
    ("POST", "/admin/helpdesk/agents/<int:user_id>/edit", "/admin/helpdesk/agents/{agent}/edit", ADMIN_ACTION),
    ("POST", "/admin/helpdesk/agents/<int:user_id>/<any(available, unavailable):state>",
     "/admin/helpdesk/agents/{agent}/unavailable", ADMIN_ACTION),
]
