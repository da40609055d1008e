"""Role-matrix rows for following a ticket and its copies (see test_role_matrix.py). `hd_ticket`
is user1's ticket, assigned to agent1; `copy_token` the key in the mails of someone in its copy.
A requester asking to follow is refused with a message (302); an empty address comes back beside
its field (400); taking out an address not in copy says so (302)."""
from tests.matrix import EVERYONE
from tests.matrix_helpdesk import on_hd_ticket

WATCHERS_ROWS = [
    ("POST", "/tickets/<int:ticket_id>/follow", "/tickets/{hd_ticket}/follow", on_hd_ticket(302)),
    ("POST", "/tickets/<int:ticket_id>/unfollow", "/tickets/{hd_ticket}/unfollow", on_hd_ticket(302)),
    ("POST", "/tickets/<int:ticket_id>/copies", "/tickets/{hd_ticket}/copies", on_hd_ticket(400)),
    ("POST", "/tickets/<int:ticket_id>/copies/remove", "/tickets/{hd_ticket}/copies/remove", on_hd_ticket(302)),
    ("POST", "/soporte/t/<token>/copies", "/soporte/t/{hd_token}/copies", dict.fromkeys(EVERYONE, 400)),
    ("POST", "/soporte/t/<token>/copies/remove", "/soporte/t/{hd_token}/copies/remove",
     dict.fromkeys(EVERYONE, 302)),
    ("GET", "/soporte/copia/<token>", "/soporte/copia/{copy_token}", dict.fromkeys(EVERYONE, 200)),
    ("POST", "/soporte/copia/<token>", "/soporte/copia/{copy_token}", dict.fromkeys(EVERYONE, 200)),
]
