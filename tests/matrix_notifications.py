"""Role-matrix rows for the notification bell (see test_role_matrix.py). Everyone signed in has
their own; an id that is not theirs is a 404 (tests/test_notifications.py covers their own)."""
from tests.matrix import ANON, ROLES, SIGNED_IN

SIGNED_IN_REDIRECT = dict.fromkeys(ROLES, 302) | {ANON: 302}  # back to the history page, or the login

NOTIFICATIONS_ROWS = [
    ("GET", "/notifications", "/notifications", SIGNED_IN),
    ("GET", "/notifications.json", "/notifications.json", SIGNED_IN),
    ("POST", "/notifications/<int:notification_id>/read", "/notifications/2147483647/read",
     dict.fromkeys(ROLES, 404) | {ANON: 302}),
    ("POST", "/notifications/read-all", "/notifications/read-all", SIGNED_IN_REDIRECT),
]
