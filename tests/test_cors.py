"""Cross-origin access: the JSON API answers the origins in CORS_ORIGINS, nobody else, and no page
outside /api ever carries CORS headers."""
import pytest

from config import build_config
from extensions import db
from tests.conftest import make_app

FRONT_END = "http://localhost:3000"


@pytest.fixture(scope="module")
def cors_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("cors-instance")
    app = make_app(f"sqlite:///{instance / 'cors.db'}", instance,
                   CORS_ORIGINS=f"{FRONT_END}, https://panel.example.org/")
    with app.app_context():
        db.create_all()
    app.extensions["setup_done"] = True  # no admin needed to answer a preflight
    return app


def preflight(client, path, origin, method="POST"):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": "Authorization, Content-Type"})


def test_a_listed_origin_may_call_the_api(cors_app):
    client = cors_app.test_client()
    response = preflight(client, "/api/tickets/tickets", FRONT_END)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert set(response.headers["Access-Control-Allow-Headers"].lower().split(", ")) == {"authorization",
                                                                                        "content-type"}
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers.get("Vary", "")
    # The trailing slash of the configured origin does not matter.
    second = preflight(client, "/api/tickets/tickets/1", "https://panel.example.org", method="DELETE")
    assert second.headers["Access-Control-Allow-Origin"] == "https://panel.example.org"
    actual = client.get("/api/openapi.json", headers={"Origin": FRONT_END})
    assert actual.headers["Access-Control-Allow-Origin"] == FRONT_END
    unauthorised = client.get("/api/tickets/tickets", headers={"Origin": FRONT_END})
    assert unauthorised.status_code == 401 and unauthorised.headers["Access-Control-Allow-Origin"] == FRONT_END


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:30000",
                                    "http://localhost:3000.evil.example", "https://localhost:3000", "null"])
def test_other_origins_get_no_cors_headers(cors_app, origin):
    client = cors_app.test_client()
    for response in (preflight(client, "/api/tickets/tickets", origin),
                     client.get("/api/openapi.json", headers={"Origin": origin})):
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["/login", "/healthz", "/apidocs", "/soporte"])
def test_pages_outside_the_api_never_get_cors_headers(cors_app, path):
    client = cors_app.test_client()
    for response in (preflight(client, path, FRONT_END), client.get(path, headers={"Origin": FRONT_END})):
        assert not any(name.startswith("Access-Control-") for name, _ in response.headers.items())


def test_without_cors_origins_no_origin_is_allowed(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, CORS_ORIGINS="")
    app.extensions["setup_done"] = True
    client = app.test_client()
    response = preflight(client, "/api/tickets/tickets", FRONT_END)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in client.get("/api/openapi.json", headers={"Origin": FRONT_END}).headers


@pytest.mark.parametrize("origins", ["*", "http://localhost:3000,*", "localhost:3000", "http://.*\\.example\\.org",
                                     "http://a.example/path"])
def test_a_wildcard_or_malformed_origin_is_refused_at_start(tmp_path, origins):
    with pytest.raises(RuntimeError, match="CORS_ORIGINS"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, CORS_ORIGINS=origins)


def test_the_environment_sets_the_origins(monkeypatch, tmp_path):
    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:3000,http://localhost:8080")
    assert build_config(tmp_path)["CORS_ORIGINS"] == ["http://localhost:3000", "http://localhost:8080"]
    monkeypatch.delenv("CORS_ORIGINS")
    assert build_config(tmp_path)["CORS_ORIGINS"] == []
