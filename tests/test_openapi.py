"""/api/openapi.json describes every API route, with the schemas the routes validate with."""
import re

import pytest

from routes.api.openapi import OPERATIONS, openapi_path
from tests.conftest import PASSWORD, login

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client, users):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.json


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield rule, method.lower()


def test_every_api_route_is_in_the_document(app, document):
    routes = list(api_routes(app))
    assert len(routes) >= 16
    for rule, method in routes:
        path, _ = openapi_path(rule.rule)
        assert method in document["paths"].get(path, {}), f"{method.upper()} {rule.rule} is not in the OpenAPI document"


def test_the_document_holds_no_route_the_app_lacks(app, document):
    served = {(openapi_path(rule.rule)[0], method) for rule, method in api_routes(app)}
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method in METHODS}
    assert documented == served
    assert set(OPERATIONS) <= set(app.view_functions), "an operation names an endpoint that does not exist"


def test_path_parameters_are_declared_with_their_type(document):
    item = document["paths"]["/api/tickets/tickets/{ticket_id}"]
    assert item["parameters"] == [{"in": "path", "name": "ticket_id", "required": True,
                                   "schema": {"type": "integer"}}]
    assert not any("<" in path for path in document["paths"])


def test_request_bodies_come_from_the_marshmallow_schemas(document):
    schemas = document["components"]["schemas"]
    create = document["paths"]["/api/tickets/tickets"]["post"]["requestBody"]["content"]["application/json"]
    assert create["schema"] == {"$ref": "#/components/schemas/TicketCreate"}
    properties = schemas["TicketCreate"]["properties"]
    for english, spanish in [("title", "titulo"), ("description", "descripcion"), ("category_id", "id_categoria"),
                             ("priority_id", "id_criticidad"), ("location_id", "id_ubicacion")]:
        assert english in properties and spanish in properties
    assert properties["id_categoria"]["type"] == "integer"
    assert schemas["TicketUpdate"]["properties"]["status"]["enum"] == ["open", "in_progress", "on_hold", "closed"]
    assert schemas["Login"]["required"] == ["password"]
    assert schemas["Issue"]["required"] == ["service_id"]
    listing = document["paths"]["/api/tickets/tickets"]["get"]
    assert {"scope", "page", "per_page", "status", "q"} <= {p["name"] for p in listing["parameters"]}


def test_bearer_security_and_error_responses(document):
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    update = document["paths"]["/api/tickets/tickets/{ticket_id}"]["put"]
    assert update["security"] == [{"bearerAuth": []}]
    assert {"200", "400", "401", "403", "404", "409"} <= set(update["responses"])
    assert update["responses"]["409"] == {"$ref": "#/components/responses/Error409"}
    assert document["paths"]["/api/auth/login"]["post"]["security"] == []
    assert document["paths"]["/api/openapi.json"]["get"]["security"] == []


def test_every_reference_resolves(document):
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], f"#/components/{kind}/{name} is not defined"


def properties(document, name):
    return set(document["components"]["schemas"][name]["properties"])


def test_documented_responses_match_what_the_routes_answer(client, helpdesk, document):
    token = client.post("/api/auth/login", json={"username": "user1", "password": PASSWORD}).json
    assert set(token) == properties(document, "Token")
    assert set(token["user"]) == properties(document, "User")
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    created = client.post("/api/tickets/tickets", headers=headers, json={
        "titulo": "Impresora", "descripcion": "No imprime", "id_categoria": helpdesk["printer"]}).json
    assert set(created) == properties(document, "FiledTicket")  # the ticket, and what filing ignored
    detail = client.get(f"/api/tickets/tickets/{created['id']}", headers=headers).json
    assert set(detail) == properties(document, "TicketDetail")
    comment = client.post(f"/api/tickets/tickets/{created['id']}/comments", headers=headers, json={"body": "x"}).json
    assert set(comment) == properties(document, "Comment")
    assert set(client.get("/api/tickets/tickets", headers=headers).json) == properties(document, "TicketPage")
    stats = client.get("/api/tickets/dashboard/stats", headers=headers).json
    assert set(stats) == properties(document, "DashboardStats")
    assert set(client.get("/api/queue/display").json) == properties(document, "DisplayState")


def test_the_document_is_public_and_sets_no_session_cookie(client, users):
    login(client, "agent1")
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_document_is_readable_before_the_first_admin_exists(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and "/api/auth/login" in response.json["paths"]
    assert client.get("/api/auth/me").status_code == 503  # the rest waits for the setup wizard


def test_every_enumerated_property_says_its_type(client):
    """Clients generate typed code from the document: an enum without a type becomes `any`."""
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    untyped = [f"{name}.{prop}" for name, schema in schemas.items()
               for prop, spec in schema.get("properties", {}).items() if "enum" in spec and "type" not in spec]
    assert untyped == []
