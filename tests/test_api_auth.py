"""JSON API entry: POST /api/auth/login and GET /api/auth/me with a Bearer token."""
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from extensions import db
from models import User
from tests.conftest import PASSWORD, login


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("login_field, value", [("email", "agent1@example.org"), ("username", "agent1")])
def test_login_returns_a_token_that_me_accepts(client, users, login_field, value):
    response = client.post("/api/auth/login", json={login_field: value, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["user"]["username"] == "agent1" and body["user"]["role"] == "agent"
    assert "password_hash" not in body["user"] and body["expires_in"] > 0
    me = client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json["email"] == "agent1@example.org"


def test_bad_credentials_are_401_json(client, users):
    response = client.post("/api/auth/login", json={"email": "agent1@example.org", "password": "wrong"})
    assert response.status_code == 401 and response.json["error"] == "invalid_credentials"


def test_missing_fields_are_named(client, users):
    response = client.post("/api/auth/login", json={})
    assert response.status_code == 400
    assert set(response.json["fields"]) == {"email", "password"}
    response = client.post("/api/auth/login", json={"username": "agent1"})
    assert response.status_code == 400 and list(response.json["fields"]) == ["password"]


@pytest.mark.parametrize("body", ['not json', '[1, 2]', '"text"'])
def test_a_body_that_is_not_an_object_is_400(client, users, body):
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"] == "invalid_json"


def test_wrong_types_are_named(client, users):
    response = client.post("/api/auth/login", json={"username": 5, "password": ["x"]})
    assert response.status_code == 400 and {"username", "password"} <= set(response.json["fields"])


def test_me_without_or_with_a_bad_token_is_401(client, users):
    assert client.get("/api/auth/me").status_code == 401
    response = client.get("/api/auth/me", headers=bearer("not.a.token"))
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


def test_token_dies_with_a_password_change_or_deactivation(app, client, users):
    token = client.post("/api/auth/login", json={"username": "user1", "password": PASSWORD}).json["access_token"]
    with app.app_context():
        user = db.session.get(User, users["user"])
        user.set_password("another-pass-1")
        db.session.commit()
    response = client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


def test_expired_token_is_401(app, client, users):
    with app.app_context():
        user = db.session.get(User, users["user"])
        token = create_access_token(identity=str(user.id), additional_claims={"sv": user.session_token},
                                    expires_delta=timedelta(seconds=-1))
    response = client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401 and response.json["error"] == "token_expired"


def test_inactive_user_cannot_get_a_token(app, client, users):
    with app.app_context():
        db.session.get(User, users["user"]).active = False
        db.session.commit()
    assert client.post("/api/auth/login", json={"username": "user1", "password": PASSWORD}).status_code == 401


def test_api_login_is_rate_limited(client, users):
    for _ in range(10):
        client.post("/api/auth/login", json={"username": "user1", "password": "wrong"})
    response = client.post("/api/auth/login", json={"username": "user1", "password": PASSWORD})
    assert response.status_code == 429 and response.is_json


def test_api_errors_are_json(client, users):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_deeply_nested_json_is_a_400(client, users):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_user_who_must_change_the_password_gets_no_token(app, client, users):
    with app.app_context():
        db.session.get(User, users["agent"]).must_change_password = True
        db.session.commit()
    response = client.post("/api/auth/login", json={"username": "agent1", "password": PASSWORD})
    assert response.status_code == 403 and response.json["error"] == "password_change_required"


def test_the_api_ignores_a_browser_session_that_must_change_its_password(app, client, users):
    with app.app_context():
        db.session.get(User, users["agent"]).must_change_password = True
        db.session.commit()
    login(client, "agent1")
    response = client.post("/api/auth/login", json={"username": "user1", "password": PASSWORD})
    assert response.status_code == 200
