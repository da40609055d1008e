"""Shorthands for the role matrix: expected status per role (None = anonymous)."""
from tests.conftest import ROLES

ANON = None
EVERYONE = [ANON, *ROLES]
ADMIN_ONLY = {role: (200 if role == "admin" else 403) for role in ROLES} | {ANON: 302}
SIGNED_IN = dict.fromkeys(ROLES, 200) | {ANON: 302}
ADMIN_ACTION = {role: (302 if role == "admin" else 403) for role in ROLES} | {ANON: 302}


def only(allowed, status=200, others=403, anonymous=302):
    """`allowed` roles get `status`, other signed-in roles `others`, anonymous `anonymous`."""
    return {role: (status if role in allowed else others) for role in ROLES} | {ANON: anonymous}
