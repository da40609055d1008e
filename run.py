"""Development server: `python run.py` (what `make run` starts)."""
from server_mode import async_mode

ASYNC_MODE = async_mode()
if ASYNC_MODE == "eventlet":
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from app import create_app  # noqa: E402  (must follow the patch)
from extensions import socketio  # noqa: E402

app = create_app({"ASYNC_MODE": ASYNC_MODE})

if __name__ == "__main__":
    host, port = app.config["HOST"], app.config["PORT"]
    print(f" * Service desk on http://{host}:{port} (async mode: {app.config['ASYNC_MODE']})")
    socketio.run(app, host=host, port=port, debug=app.debug, use_reloader=False,
                 allow_unsafe_werkzeug=app.config["ASYNC_MODE"] == "threading")
