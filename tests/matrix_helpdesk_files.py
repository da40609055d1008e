"""Role-matrix rows for attachment downloads (see test_role_matrix.py). The matrix attachment
is a real file on `hd_ticket`: those who may see the ticket get it, other accounts a 404."""
from tests.matrix import EVERYONE, only

HELPDESK_FILES_ROWS = [
    ("GET", "/tickets/<int:ticket_id>/files/<int:attachment_id>", "/tickets/{hd_ticket}/files/{attachment}",
     only(("admin", "agent", "user"), status=200, others=404)),
    ("GET", "/soporte/t/<token>/files/<int:attachment_id>", "/soporte/t/{hd_token}/files/{attachment}",
     dict.fromkeys(EVERYONE, 200)),
]
