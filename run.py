"""Development server: `python run.py` (what `make run` starts)."""
from serving import create_served_app, serve_forever  # first: it patches for eventlet before anything else

app = create_served_app()

if __name__ == "__main__":
    serve_forever(app, "Service desk", log_output=True)
