"""The baseline for bench/call_latency.py: Flask-SocketIO and nothing else.

    python bench/_bare_server.py --mode eventlet|threading --port 5099

Clients connect to `/display`; POST /emit with a JSON payload broadcasts it as `call` to every
one of them with one `socketio.emit(...)`: no database, no sessions, no rooms.
"""
import argparse
import sys

args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
args.add_argument("--mode", choices=["eventlet", "threading"], default="eventlet")
args.add_argument("--port", type=int, required=True)
options = args.parse_args()

if options.mode == "eventlet":  # patched first, exactly like run.py does
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode=options.mode, cors_allowed_origins=None, manage_session=False)


@socketio.on("connect", namespace="/display")
def on_connect(auth=None):
    return True


@app.post("/emit")
def emit_call():
    socketio.emit("call", request.get_json(), namespace="/display")
    return "", 204


if __name__ == "__main__":
    print(f"bare Flask-SocketIO ({options.mode}) on 127.0.0.1:{options.port}", file=sys.stderr)
    socketio.run(app, host="127.0.0.1", port=options.port, use_reloader=False,
                 allow_unsafe_werkzeug=options.mode == "threading")
