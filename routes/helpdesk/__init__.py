"""The helpdesk pages: one blueprint, a module per part.

- tickets.py      filing, the ticket page, its actions and conversation (signed-in people)
- public.py       /soporte: filing without an account, and the tracking link
- lists.py        /tickets (mine), /tickets/ingeniero (agent), /tickets/admin (all), dashboard
- files.py        attachment downloads
- exports.py      Excel, CSV and PDF exports
"""
from flask import Blueprint

bp = Blueprint("helpdesk", __name__)

from routes.helpdesk import exports, files, lists, public, tickets  # noqa: E402,F401  (registers the routes)
