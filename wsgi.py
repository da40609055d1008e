"""Production entry point.

`python wsgi.py` serves the app with eventlet's own WSGI server (serving.py); run one per process
behind nginx, with REDIS_URL set so they share Socket.IO events; each also runs the scheduled
jobs, and each run happens in one of them only. `app` is exposed for any WSGI tool that imports
it; such a server starts no jobs, so run `flask jobs run` from cron then.
"""
from serving import create_served_app, serve_forever  # first: it patches for eventlet before anything else

app = create_served_app()

if __name__ == "__main__":
    serve_forever(app, "Service desk (production)", log_output=False)
