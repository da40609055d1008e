"""The walk-in queue in the browser: the public call screen and a person's status page
(screens.py), the kiosk (kiosk.py) and the counter panel (panel.py), all on the `queue`
blueprint; what their JSON holds (schemas.py). Admins set up services and counters in setup.py
(blueprint `admin_queue`) and read the figures in reports.py (blueprint `reports`)."""
from flask import Blueprint

bp = Blueprint("queue", __name__)

from routes.queue import kiosk, panel, screens  # noqa: E402,F401  (registers the routes)
