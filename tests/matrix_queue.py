"""Role-matrix rows for the walk-in queue (see test_role_matrix.py)."""
from tests.matrix import ADMIN_ONLY, EVERYONE, only

ADMIN_REDIRECT = only({"admin"}, status=302)
STAFF_REDIRECT = only({"staff"}, status=302)
TICKET_ACTION = "/panel/tickets/<int:ticket_id>/<any(call, recall, start, finish, 'no-show', hold, resume):action>"

QUEUE_ROWS = [
    ("GET", "/", "/", dict.fromkeys(EVERYONE, 200)),
    ("GET", "/registro", "/registro", only({"registrar", "admin"})),
    ("POST", "/registro", "/registro", only({"registrar", "admin"}, status=302)),
    ("GET", "/registro/tickets/<int:ticket_id>", "/registro/tickets/{ticket}", only({"registrar", "admin"})),
    ("GET", "/t/<token>", "/t/{token}", dict.fromkeys(EVERYONE, 200)),
    ("GET", "/t/<token>/status", "/t/{token}/status", dict.fromkeys(EVERYONE, 200)),
    ("POST", "/t/<token>/cancel", "/t/{token}/cancel", dict.fromkeys(EVERYONE, 302)),
    ("GET", "/panel", "/panel", only({"staff"})),
    ("POST", "/panel/counter", "/panel/counter", STAFF_REDIRECT),
    ("GET", "/panel/state", "/panel/state", only({"staff"}, status=409)),  # staff1 has no counter yet
    ("GET", "/panel/live", "/panel/live", only({"staff"}, status=404)),  # ... so no live parts either
    ("POST", "/panel/counter/state", "/panel/counter/state", only({"staff"}, status=409)),
    ("POST", "/panel/call-next", "/panel/call-next", STAFF_REDIRECT),
    ("POST", TICKET_ACTION, "/panel/tickets/{ticket}/recall", STAFF_REDIRECT),
    ("POST", "/panel/tickets/<int:ticket_id>/transfer", "/panel/tickets/{ticket}/transfer", STAFF_REDIRECT),
    ("GET", "/admin/services", "/admin/services", ADMIN_ONLY),
    ("GET", "/admin/services/new", "/admin/services/new", ADMIN_ONLY),
    ("POST", "/admin/services/new", "/admin/services/new", ADMIN_ONLY),  # empty form: errors shown
    ("GET", "/admin/services/<int:service_id>/edit", "/admin/services/{service}/edit", ADMIN_ONLY),
    ("POST", "/admin/services/<int:service_id>/edit", "/admin/services/{service}/edit", ADMIN_ONLY),
    ("POST", "/admin/services/<int:service_id>/delete", "/admin/services/{service}/delete", ADMIN_REDIRECT),
    ("GET", "/admin/counters", "/admin/counters", ADMIN_ONLY),
    ("GET", "/admin/counters/new", "/admin/counters/new", ADMIN_ONLY),
    ("POST", "/admin/counters/new", "/admin/counters/new", ADMIN_ONLY),
    ("GET", "/admin/counters/<int:counter_id>/edit", "/admin/counters/{counter}/edit", ADMIN_ONLY),
    ("POST", "/admin/counters/<int:counter_id>/edit", "/admin/counters/{counter}/edit", ADMIN_ONLY),
    ("POST", "/admin/counters/<int:counter_id>/delete", "/admin/counters/{counter}/delete", ADMIN_REDIRECT),
    ("GET", "/admin/screens", "/admin/screens", ADMIN_ONLY),
    ("GET", "/admin/screens/new", "/admin/screens/new", ADMIN_ONLY),
    ("POST", "/admin/screens/new", "/admin/screens/new", ADMIN_ONLY),  # empty form: errors shown
    ("GET", "/admin/screens/<int:screen_id>/edit", "/admin/screens/{screen}/edit", ADMIN_ONLY),
    ("POST", "/admin/screens/<int:screen_id>/edit", "/admin/screens/{screen}/edit", ADMIN_ONLY),
    ("POST", "/admin/screens/<int:screen_id>/delete", "/admin/screens/{screen}/delete", ADMIN_REDIRECT),
    ("GET", "/screen/<slug>", "/screen/{screen_slug}", dict.fromkeys(EVERYONE, 200)),
    ("POST", "/api/queue/tickets", "/api/queue/tickets", dict.fromkeys(EVERYONE, 401)),  # Bearer only
    ("POST", "/api/queue/call-next", "/api/queue/call-next", dict.fromkeys(EVERYONE, 401)),
    ("GET", "/api/queue/display", "/api/queue/display", dict.fromkeys(EVERYONE, 200)),
]
