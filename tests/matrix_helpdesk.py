"""Role-matrix rows for the helpdesk pages (see test_role_matrix.py). `hd_ticket` is user1's
ticket, assigned to agent1: staff and registrar may not see it, so it is a 404 for them."""
from tests.matrix import ADMIN_ONLY, EVERYONE, SIGNED_IN, only

TICKET_VIEWERS = ("admin", "agent", "user")


def on_hd_ticket(status):
    """`status` for those who may see the ticket, 404 for other accounts, the login page for anonymous."""
    return only(TICKET_VIEWERS, status=status, others=404)


PUBLIC = dict.fromkeys(EVERYONE, 200)

HELPDESK_ROWS = [
    ("GET", "/tickets", "/tickets", SIGNED_IN),
    ("GET", "/tickets/new", "/tickets/new", SIGNED_IN),
    ("POST", "/tickets/new", "/tickets/new", SIGNED_IN),  # an empty form comes back with its errors
    ("GET", "/tickets/ingeniero", "/tickets/ingeniero", only(["agent"])),
    ("GET", "/tickets/admin", "/tickets/admin", ADMIN_ONLY),
    ("GET", "/tickets/dashboard", "/tickets/dashboard", ADMIN_ONLY),
    ("GET", "/tickets/<int:ticket_id>", "/tickets/{hd_ticket}", on_hd_ticket(200)),
    ("GET", "/tickets/<int:ticket_id>/live", "/tickets/{hd_ticket}/live", on_hd_ticket(200)),
    ("POST", "/tickets/<int:ticket_id>/reply", "/tickets/{hd_ticket}/reply", on_hd_ticket(400)),  # empty message
    ("POST", "/tickets/<int:ticket_id>/status", "/tickets/{hd_ticket}/status", on_hd_ticket(400)),  # no status
    ("POST", "/tickets/<int:ticket_id>/priority", "/tickets/{hd_ticket}/priority", on_hd_ticket(302)),
    ("POST", "/tickets/<int:ticket_id>/assign", "/tickets/{hd_ticket}/assign", on_hd_ticket(302)),
    ("GET", "/soporte", "/soporte", PUBLIC),
    ("POST", "/soporte", "/soporte", PUBLIC),
    ("GET", "/soporte/captcha.png", "/soporte/captcha.png", PUBLIC),
    ("GET", "/soporte/t/<token>", "/soporte/t/{hd_token}", PUBLIC),
    ("GET", "/soporte/t/<token>/live", "/soporte/t/{hd_token}/live", PUBLIC),
    ("POST", "/soporte/t/<token>/reply", "/soporte/t/{hd_token}/reply", dict.fromkeys(EVERYONE, 400)),
    ("POST", "/soporte/t/<token>/status", "/soporte/t/{hd_token}/status", dict.fromkeys(EVERYONE, 400)),
]
