"""The JSON API answers in one language, the caller's, and in JSON only.

- A 400 speaks one language, the request's: its message and every field's, marshmallow's own
  messages included ("Falta este dato obligatorio." / "Missing data for required field.").
- The language is the token's user's saved choice, else Accept-Language, else the default (es).
- Every /api route (walked from app.url_map) answers errors as JSON: without a token, with a bad
  body, an unknown id, a method it does not take (405 with Allow), a body too large (413); the
  rate limiter's 429 and a crash's 500 too; and an empty answer (DELETE's 204, OPTIONS) has no
  body and no content type.
"""
import inspect
import re

import pytest
from flask_babel import force_locale
from marshmallow import Schema, ValidationError, fields
from werkzeug.routing import IntegerConverter

import routes.api.auth
import routes.api.queue
import routes.api.schemas
from extensions import db
from models import Ticket, User
from routes.api.messages import BUILT_IN, translated
from services.helpdesk import catalogues, tickets
from services.helpdesk.tickets import BODY_MAX
from tests.conftest import PASSWORD

ENGLISH, SPANISH = {"Accept-Language": "en"}, {"Accept-Language": "es"}
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


@pytest.fixture
def token(client, helpdesk):
    """token("admin") → that role's Bearer header."""

    def make(role):
        response = client.post("/api/auth/login", json={"username": f"{role}1", "password": PASSWORD})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    return make


def set_locale(app, user_id, locale):
    with app.app_context():
        db.session.get(User, user_id).locale = locale
        db.session.commit()


def bad_ticket(client, headers):
    body = {"titulo": 5, "descripcion": "x" * (BODY_MAX + 1), "id_categoria": "tres", "id_ubicacion": 0}
    response = client.post("/api/tickets/tickets", json=body, headers=headers)
    assert response.status_code == 400 and response.is_json
    return response.json


# --- one language per response ----------------------------------------------------------------


def test_a_spanish_validation_error_is_spanish_throughout(client, token):
    body = bad_ticket(client, token("user") | SPANISH)
    assert body["message"] == "Faltan campos o algunos no son válidos."
    assert body["fields"] == {
        "titulo": "No es un texto válido.",
        "descripcion": f"Es más largo que el máximo de {BODY_MAX} caracteres.",
        "id_categoria": "No es un número entero válido.",
        "id_ubicacion": "Debe ser mayor o igual que 1 y menor o igual que 2147483647.",
    }
    missing = client.post("/api/tickets/tickets", json={"descripcion": "No imprime"}, headers=token("user") | SPANISH)
    assert missing.json["fields"] == {"titulo": "Falta este dato obligatorio.",
                                      "id_categoria": "Falta este dato obligatorio."}


def test_an_english_validation_error_is_english_throughout(client, token):
    body = bad_ticket(client, token("user") | ENGLISH)
    assert body["message"] == "Some fields are missing or invalid."
    assert body["fields"] == {
        "titulo": "Not a valid string.",
        "descripcion": f"Longer than maximum length {BODY_MAX}.",
        "id_categoria": "Not a valid integer.",
        "id_ubicacion": "Must be greater than or equal to 1 and less than or equal to 2147483647.",
    }


@pytest.mark.parametrize("headers, expected", [
    (SPANISH, {"per_page": "Debe ser mayor o igual que 1 y menor o igual que 100."}),
    (ENGLISH, {"per_page": "Must be greater than or equal to 1 and less than or equal to 100."}),
])
def test_query_strings_lists_and_choices_are_translated_too(client, token, headers, expected):
    response = client.get("/api/tickets/tickets?per_page=500", headers=token("admin") | headers)
    assert response.status_code == 400 and response.json["fields"] == expected
    choices = client.put("/api/tickets/tickets/1", json={"status": "lost"}, headers=token("admin") | headers)
    assert choices.status_code == 400
    assert choices.json["fields"]["status"] == ("Debe ser uno de estos valores: open, in_progress, on_hold, closed."
                                                if headers is SPANISH else
                                                "Must be one of: open, in_progress, on_hold, closed.")


def test_sign_in_and_the_queue_answer_in_the_callers_language(client, token, helpdesk):
    spanish = client.post("/api/auth/login", json={"username": "user1"}, headers=SPANISH).json
    assert spanish["fields"]["password"] == "Falta este dato obligatorio."
    english = client.post("/api/auth/login", json={"username": "user1"}, headers=ENGLISH).json
    assert english["fields"]["password"] == "Missing data for required field."
    queue = client.post("/api/queue/tickets", json={"service_id": 999}, headers=token("registrar") | SPANISH)
    assert queue.status_code == 400
    assert queue.json == {"error": "validation_error", "message": "Faltan campos o algunos no son válidos.",
                          "fields": {"service_id": "Servicio desconocido o cerrado."}}


def test_the_token_users_own_language_comes_first_then_accept_language(app, client, token, helpdesk):
    headers = token("user")
    set_locale(app, helpdesk["user"], "en")
    assert bad_ticket(client, headers | SPANISH)["fields"]["titulo"] == "Not a valid string."
    assert client.get("/api/tickets/tickets/999999", headers=headers | SPANISH).json["message"] \
        == "This ticket does not exist or is not yours to see."
    set_locale(app, helpdesk["user"], None)
    assert bad_ticket(client, headers | ENGLISH)["fields"]["titulo"] == "Not a valid string."
    assert bad_ticket(client, headers)["fields"]["titulo"] == "No es un texto válido."  # the default, es
    # A refused token still gets the request's language.
    refused = client.get("/api/auth/me", headers={"Authorization": "Bearer nope"} | ENGLISH)
    assert refused.status_code == 401 and refused.json["message"] == "This token is not valid."


def api_schemas():
    """Every marshmallow schema of the API's modules, and each field of each (list items too)."""
    modules = (routes.api.schemas, routes.api.auth, routes.api.queue)
    schemas = {schema for module in modules for _, schema in inspect.getmembers(module, inspect.isclass)
               if issubclass(schema, Schema) and schema is not Schema and schema.__module__ == module.__name__}
    assert len(schemas) >= 8
    for schema in schemas:
        for field in schema().fields.values():
            yield field
            if isinstance(field, fields.List):
                yield field.inner


def messages_of(field):
    """The messages `field` can give: its own (filled in) and its validators' for values they refuse."""
    for key, template in field.error_messages.items():
        # "format" is for writing a response, "invalid_awareness" for naive/aware datetimes: the
        # API loads neither from a client.
        if key not in ("format", "invalid_awareness"):
            yield template.format(obj_type=getattr(field, "OBJ_TYPE", "date"), choices="a, b", input="x")
    for validator in field.validators:
        for value in (-(10 ** 12), 0, 10 ** 12, "", "x" * 100_000, "not-a-choice"):
            try:
                validator(value)
            except ValidationError as error:
                yield from error.messages
            except TypeError:  # a value of another type than the validator compares
                pass


def test_every_message_the_api_schemas_can_give_has_a_spanish_translation(app):
    seen = set()
    with app.test_request_context():
        for field in api_schemas():
            for message in messages_of(field):
                if message in seen or not isinstance(message, str):
                    continue
                seen.add(message)
                with force_locale("en"):
                    assert translated(message) == message
                with force_locale("es"):
                    assert translated(message) != message, f"untranslated: {message!r}"
    assert len(seen) >= 10
    with app.test_request_context(), force_locale("es"):
        for template in BUILT_IN:  # every listed template has its translation, placeholders intact
            filled = template.format(choices="a", min=1, max=2, equal=3, other=4, values="b")
            assert translated(filled) != filled, template
            assert not re.search(r"\{\w+\}", translated(filled))


# --- JSON everywhere ---------------------------------------------------------------------------------


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def url_of(rule):
    """The rule with an id nobody has in each integer placeholder, a word in the others."""
    values = {name: 999_999 if isinstance(converter, IntegerConverter) else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def assert_json_error(response, what):
    assert response.status_code >= 400, what
    assert response.mimetype == "application/json", f"{what}: {response.status} {response.content_type}"
    assert {"error", "message"} <= set(response.json), what


def test_the_walk_covers_the_api(app):
    paths = {rule.rule for rule in api_rules(app)}
    assert {"/api/auth/login", "/api/tickets/tickets/<int:ticket_id>", "/api/queue/call-next",
            "/api/openapi.json"} <= paths


def test_every_api_route_answers_its_errors_as_json(app, client, token):
    headers = token("admin")
    for rule in api_rules(app):
        url = url_of(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for name, sent in [("no token", {}), ("admin", headers)]:
                response = client.open(url, method=method, headers=sent | ENGLISH, data="{not json",
                                       content_type="application/json")
                if response.status_code >= 400:
                    assert_json_error(response, f"{method} {url} ({name}, bad body)")
                else:
                    assert response.mimetype == "application/json", f"{method} {url}"
        allowed = set().union(*(other.methods for other in api_rules(app) if other.rule == rule.rule))
        for method in sorted(set(METHODS) - allowed):
            response = client.open(url, method=method, headers=headers)
            assert_json_error(response, f"{method} {url} (not allowed)")
            assert response.status_code == 405, f"{method} {url}: {response.status} {response.json}"
            assert set(response.headers["Allow"].split(", ")) == allowed
            assert response.json["message"] == "Esta acción no está permitida aquí."
        options = client.open(url, method="OPTIONS")
        assert options.status_code < 400 and "text/html" not in options.headers.get("Content-Type", "")
        assert options.get_data() == b""


def test_unknown_api_paths_and_ids_are_json_404s_in_the_callers_language(client, token):
    assert_json_error(client.get("/api/nothing-here", headers=ENGLISH), "unknown path")
    response = client.get("/api/tickets/tickets/999999", headers=token("admin") | SPANISH)
    assert_json_error(response, "unknown id")
    assert response.status_code == 404
    assert response.json["message"] == "Este ticket no existe o usted no tiene permiso para verlo."


def test_a_body_over_the_limit_is_a_json_413(app, client, token):
    default, app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"], 1024
    try:
        response = client.post("/api/tickets/tickets", json={"titulo": "x" * 5000},
                               headers=token("user") | ENGLISH)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = default
    assert_json_error(response, "too large")
    assert response.status_code == 413 and response.json["message"] == "What you sent is too large."


def test_the_rate_limit_answers_json_with_retry_after(client, users):
    for _ in range(10):
        client.post("/api/auth/login", json={"username": "user1", "password": "wrong"})
    response = client.post("/api/auth/login", json={"username": "user1", "password": "wrong"}, headers=SPANISH)
    assert_json_error(response, "rate limited")
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert response.json["message"] == "Demasiados intentos. Espere un momento e inténtelo de nuevo."


def test_a_crash_is_a_json_500_not_a_page(client, token, monkeypatch):
    def crash():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(catalogues, "active_categories", crash)
    response = client.get("/api/tickets/categorias", headers=token("user") | ENGLISH)
    assert_json_error(response, "crash")
    assert response.status_code == 500 and "database" not in response.get_data(as_text=True)


def test_delete_answers_204_with_no_body_and_no_content_type(app, client, token, helpdesk):
    with app.app_context():
        ticket = tickets.file_ticket(title="Borrar", description="x", category_id=helpdesk["printer"],
                                     requester=db.session.get(User, helpdesk["user"]))
        ticket_id = ticket.id
    response = client.delete(f"/api/tickets/tickets/{ticket_id}", headers=token("admin"))
    assert response.status_code == 204
    assert response.get_data() == b"" and "Content-Type" not in response.headers
    with app.app_context():
        assert db.session.get(Ticket, ticket_id) is None
