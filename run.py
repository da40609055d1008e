"""Development server: `python run.py` (what `make run` starts)."""
from server_mode import patch_for_async_mode, serve

ASYNC_MODE = patch_for_async_mode()  # first: eventlet patches before anything else is imported

import gc  # noqa: E402

from app import create_app  # noqa: E402
from extensions import socketio  # noqa: E402
from services.jobs import start_scheduler  # noqa: E402

app = create_app({"ASYNC_MODE": ASYNC_MODE})
gc.freeze()  # start-up objects never die: keep them out of the collector's full passes (shorter pauses)

if __name__ == "__main__":
    host, port = app.config["HOST"], app.config["PORT"]
    start_scheduler(app)  # the serving process runs the jobs; the CLI and tests never start it
    print(f" * Service desk on http://{host}:{port} (async mode: {ASYNC_MODE})")
    serve(app, socketio, ASYNC_MODE, host, port, log_output=True)
