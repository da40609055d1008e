"""Socket.IO test clients of signed-in people, and what they received."""
from extensions import socketio
from tests.conftest import login


def signed_in(app, username):
    """A Flask test client signed in as `username` (password PASSWORD)."""
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def connect(app, http):
    """A connected "/" socket of the session of the test client `http`."""
    socket = socketio.test_client(app, flask_test_client=http)
    assert socket.is_connected()
    socket.get_received()  # what connecting says (unread total) is not under test here
    return socket


def events(socket, name=None):
    """The payloads received since the last look (of the events called `name`, if given)."""
    received = socket.get_received()
    return [e["args"][0] for e in received if name is None or e["name"] == name]
