"""The start-up run.py and wsgi.py share: they import this module before anything else.

Importing it patches the standard library for eventlet first, when ASYNC_MODE asks for it (the
default), and only then imports the app; ASYNC_MODE is read from the environment or `.env` with
nothing but the standard library, since nothing else may be imported before the patch.
Eventlet's deprecation notice is left to show once at start-up.
"""
import gc
import os
import socket

BASE_DIR = os.path.dirname(os.path.abspath(__file__))


def async_mode(default="eventlet"):
    mode = os.environ.get("ASYNC_MODE")
    if mode:
        return mode
    try:
        with open(os.path.join(BASE_DIR, ".env"), encoding="utf-8") as env_file:
            for line in env_file:
                key, _, value = line.partition("=")
                if key.strip() == "ASYNC_MODE" and value.strip():
                    return value.split("#")[0].strip().strip("'\"")
    except FileNotFoundError:
        pass
    return default


def patch_for_async_mode():
    """Patch the standard library when serving with eventlet; return the mode for create_app.
    Eventlet is imported only here, under its own mode: the threading server never loads it."""
    mode = async_mode()
    if mode == "eventlet":
        import eventlet

        # Everything, psycopg2 included: eventlet gives it a wait callback that yields to the hub,
        # without which each query would freeze every green thread (every call screen) until
        # PostgreSQL answers. tests/test_server_stall.py proves it. (Naming modules here would
        # patch only those.)
        eventlet.monkey_patch()
    return mode


ASYNC_MODE = patch_for_async_mode()

from app import create_app  # noqa: E402  (after the patch: everything it imports is patched)
from extensions import socketio  # noqa: E402
from services.jobs import start_scheduler  # noqa: E402


def create_served_app():
    """The app a server process serves, in the mode ASYNC_MODE asked for."""
    app = create_app({"ASYNC_MODE": ASYNC_MODE})
    gc.freeze()  # start-up objects never die: keep them out of the collector's full passes (shorter pauses)
    return app


def serve_forever(app, name, log_output):
    """Run the scheduled jobs in the background (the serving process runs them; the CLI and tests
    never start them) and serve until stopped."""
    host, port = app.config["HOST"], app.config["PORT"]
    start_scheduler(app)
    print(f" * {name} on http://{host}:{port} (async mode: {ASYNC_MODE})")
    if ASYNC_MODE != "eventlet":
        socketio.run(app, host=host, port=port, debug=app.debug, use_reloader=False, log_output=log_output,
                     allow_unsafe_werkzeug=True)
        return
    serve_with_eventlet(app, host, port, log_output)


def serve_with_eventlet(app, host, port, log_output):
    """Eventlet's own WSGI server, on a listening socket opened here to set TCP_NODELAY (accepted
    connections inherit it): eventlet writes headers and body separately, and without it a body
    over ~16 KB waits ~40 ms for the client's delayed ACK on kept-alive connections."""
    import eventlet
    import eventlet.wsgi

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = eventlet.listen((host, port), family=family)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=log_output)
