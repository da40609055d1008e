"""Role-matrix rows for the ticket exports (see test_role_matrix.py).

Without ?scope= each role gets its own list (admin all, agent assigned, anyone else mine), so
every signed-in role may ask; a scope above one's role is refused. The ticket PDF follows the
ticket's visibility: `hd_ticket` was filed by user1 and is assigned to agent1.
"""
from tests.matrix import ADMIN_ONLY, SIGNED_IN, only

HELPDESK_EXPORTS_ROWS = [
    row
    for extension in ("xlsx", "csv", "pdf")
    for row in [
        ("GET", f"/tickets/export.{extension}", f"/tickets/export.{extension}", SIGNED_IN),
        ("GET", f"/tickets/export.{extension}", f"/tickets/export.{extension}?scope=mine", SIGNED_IN),
        ("GET", f"/tickets/export.{extension}", f"/tickets/export.{extension}?scope=assigned", only(["agent"])),
        ("GET", f"/tickets/export.{extension}", f"/tickets/export.{extension}?scope=all", ADMIN_ONLY),
    ]
] + [
    ("GET", "/tickets/<int:ticket_id>/export.pdf", "/tickets/{hd_ticket}/export.pdf",
     only(["admin", "agent", "user"], others=404)),
]
