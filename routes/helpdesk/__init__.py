"""The helpdesk pages: one blueprint, a module per part.

- tickets.py      filing, the ticket page, its actions and conversation (signed-in people)
- public.py       /soporte: filing without an account, and the tracking link
- captcha.py      the CAPTCHA of /soporte: its image and its spoken version
- lists.py        /tickets (mine), /tickets/ingeniero (agent), /tickets/admin (all), dashboard
- files.py        attachment downloads
- exports.py      Excel, CSV and PDF exports
- canned_replies.py  staff's reply templates and the JSON of the reply box's picker
- watchers.py     following a ticket (staff), people in copy, and leaving a copy from its mail
"""
from flask import Blueprint

bp = Blueprint("helpdesk", __name__)

# Importing the view modules registers their routes.
from routes.helpdesk import canned_replies, captcha, exports, files, lists, public, tickets, watchers  # noqa: E402,F401
