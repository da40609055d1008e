"""Socket.IO connections are authenticated from the Flask-Login session."""
from extensions import socketio
from realtime.core import user_room


def connect(app, http_client):
    return socketio.test_client(app, flask_test_client=http_client)


def test_anonymous_socket_is_refused(app, client, users):
    socket = connect(app, client)
    assert not socket.is_connected()


def test_signed_in_socket_joins_its_user_room(app, client_as, users):
    socket = connect(app, client_as("agent"))
    assert socket.is_connected()
    with app.app_context():
        socketio.emit("ping", {"n": 1}, to=user_room(users["agent"]))
    assert {"name": "ping", "args": [{"n": 1}], "namespace": "/"} in socket.get_received()
    socket.disconnect()


def test_deactivation_ends_the_users_sockets(app, admin_client, client_as, users):
    socket = connect(app, client_as("agent"))
    bystander = connect(app, client_as("user"))
    assert admin_client.post(f"/admin/users/{users['agent']}/deactivate").status_code == 302
    assert not socket.is_connected()
    assert bystander.is_connected()
    assert all(event["name"] != "session_ended" for event in bystander.get_received())
    bystander.disconnect()


def test_logout_ends_the_users_sockets(app, client_as, users):
    http = client_as("staff")
    socket = connect(app, http)
    http.post("/logout")
    assert not socket.is_connected()


def test_a_role_change_sends_the_users_pages_back_to_rejoin_under_the_new_role(app, admin_client, client_as, users):
    bystander = connect(app, client_as("admin"))
    agent = connect(app, client_as("agent"))
    response = admin_client.post(f"/admin/users/{users['agent']}/edit", data={
        "username": "agent1", "email": "agent1@example.org", "full_name": "Agent Uno", "role": "user",
        "active": "y", "counter_id": "0"})
    assert response.status_code == 302
    assert not agent.is_connected()  # its rooms were an agent's: the page reloads and joins anew
    assert bystander.is_connected()
    bystander.disconnect()
