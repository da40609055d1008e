"""With Redis configured, rate limits are counted in Redis, so every process shares them."""
import os
import uuid

import pytest
import redis

from config import build_config
from extensions import limiter
from tests.conftest import PASSWORD, make_app


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: Redis tests skipped")

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        pytest.fail(f"TEST_REDIS_URL is set but Redis cannot be reached: {error}")
    return url


def test_redis_url_selects_redis_for_rate_limits(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    config = build_config()
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/3"


def test_login_attempts_are_counted_in_redis(app, users, redis_url, tmp_path):
    prefix = f"test-{uuid.uuid4().hex}"  # keeps this run apart from anything else in that Redis
    redis_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                         RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix)
    server = redis.Redis.from_url(redis_url)
    try:
        for _ in range(10):
            redis_app.test_client().post("/login", data={"login": "admin1", "password": "wrong"})
        assert server.keys(f"*{prefix}*"), "no rate-limit counter was written to Redis"
        response = redis_app.test_client().post("/login", data={"login": "admin1", "password": PASSWORD})
        assert response.status_code == 429
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        limiter.init_app(app)  # back to the in-memory counters of the other tests
