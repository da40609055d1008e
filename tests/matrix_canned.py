"""Role-matrix rows for reply templates (see test_role_matrix.py). Admins and agents keep them;
`canned_shared` is a shared template (admins change it, agents only see it: 403), `canned_own`
is agent1's own (nobody else sees it, admins included: 404). The picker's JSON of `hd_ticket`
(assigned to agent1) answers the staff working on it; the role check comes first, so its
requester (user1) gets a 403."""
from extensions import db
from models import CannedReply
from tests.matrix import only

STAFF = ("admin", "agent")
SHARED_ONLY_ADMINS = only(["admin"])  # an agent sees the shared template, but may not change it
AGENTS_OWN = only(["agent"], others=403) | {"admin": 404}


def make_canned_replies(users):
    """A shared template and agent1's own; their ids for the matrix's URLs."""
    shared = CannedReply(title="Saludo", body="Hola {requester_name}")
    own = CannedReply(owner_id=users["agent"], title="Mi firma", body="Saludos, {agent_name}")
    db.session.add_all([shared, own])
    db.session.commit()
    return {"canned_shared": shared.id, "canned_own": own.id}


CANNED_ROWS = [
    ("GET", "/tickets/canned-replies", "/tickets/canned-replies", only(STAFF)),
    ("GET", "/tickets/canned-replies/new", "/tickets/canned-replies/new", only(STAFF)),
    ("POST", "/tickets/canned-replies/new", "/tickets/canned-replies/new", only(STAFF)),  # empty: errors shown
    ("GET", "/tickets/canned-replies/<int:reply_id>/edit", "/tickets/canned-replies/{canned_shared}/edit",
     SHARED_ONLY_ADMINS),
    ("GET", "/tickets/canned-replies/<int:reply_id>/edit", "/tickets/canned-replies/{canned_own}/edit", AGENTS_OWN),
    ("POST", "/tickets/canned-replies/<int:reply_id>/edit", "/tickets/canned-replies/{canned_shared}/edit",
     SHARED_ONLY_ADMINS),
    ("POST", "/tickets/canned-replies/<int:reply_id>/edit", "/tickets/canned-replies/{canned_own}/edit", AGENTS_OWN),
    ("POST", "/tickets/canned-replies/<int:reply_id>/delete", "/tickets/canned-replies/{canned_shared}/delete",
     only(["admin"], status=302)),
    ("POST", "/tickets/canned-replies/<int:reply_id>/delete", "/tickets/canned-replies/{canned_own}/delete",
     only(["agent"], status=302) | {"admin": 404}),
    ("GET", "/tickets/<int:ticket_id>/canned-replies", "/tickets/{hd_ticket}/canned-replies", only(STAFF)),
]
