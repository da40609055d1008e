"""Which Socket.IO async mode the servers use, read before anything else is imported.

run.py and wsgi.py must patch eventlet before any other import, so this reads ASYNC_MODE
from the environment or `.env` with nothing but the standard library's `os`.
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
