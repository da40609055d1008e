"""Start-up shared by run.py and wsgi.py, before anything else is imported.

Eventlet must patch the standard library before any other import, so this module reads
ASYNC_MODE from the environment or `.env` with nothing but the standard library.
"""
import os

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
    """Patch the standard library when serving with eventlet; return the mode for create_app."""
    mode = async_mode()
    if mode == "eventlet":
        # psycopg waits for PostgreSQL in C unless told otherwise, which would freeze every
        # green thread (every call screen) during each query; select() is patched by eventlet.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        import warnings

        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    return mode


def serve(app, socketio, mode, host, port, log_output):
    """Serve `app` until stopped. Under eventlet we open the listening socket ourselves to set
    TCP_NODELAY (accepted connections inherit it): eventlet writes headers and body separately,
    and without it a body over ~16 KB waits ~40 ms for the client's delayed ACK on kept-alive
    connections."""
    if mode != "eventlet":
        socketio.run(app, host=host, port=port, debug=app.debug, use_reloader=False, log_output=log_output,
                     allow_unsafe_werkzeug=True)
        return
    import socket

    import eventlet
    import eventlet.wsgi

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = eventlet.listen((host, port), family=family)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=log_output)
