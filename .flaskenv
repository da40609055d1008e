# Read by the `flask` command. It imports app.py, never run.py/wsgi.py, so eventlet is not patched in the CLI.
FLASK_APP=app
