"""Flask-Limiter on public POSTs: a 429 page in the visitor's language; memory or Redis storage."""

import secrets

import pytest
import redis

from koki_site.extensions import db
from tests.contact_helpers import VALID, send_contact
from tests.helpers import soup

pytestmark = pytest.mark.db


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "CONTACT_RATE_LIMIT": "2 per minute"}


def test_the_third_message_in_a_minute_gets_a_429_page_in_french(client):
    assert send_contact(client, "fr").status_code == 303
    assert send_contact(client, "fr").status_code == 303
    response = send_contact(client, "fr")
    assert response.status_code == 429
    page = soup(response)  # the form again, with the text and a word to wait, in French
    assert "Patientez une minute" in page.find(role="alert").get_text()
    assert page.find("textarea", attrs={"name": "message"}).get_text().strip() == VALID["message"]
    assert client.get("/fr/contact").status_code == 200  # reading the form is not limited


def redis_available():
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_limits_are_shared_through_redis(app):
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379"
    from koki_site import create_app
    from tests.conftest import settings

    prefix = f"koki-test-{secrets.token_hex(4)}"
    shared = {
        "RATELIMIT_ENABLED": True,
        "CONTACT_RATE_LIMIT": "2 per minute",
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    }
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = (create_app(settings(url, **shared), instance_path=app.instance_path) for _ in range(2))
    assert send_contact(first.test_client()).status_code == 303
    assert send_contact(second.test_client()).status_code == 303
    assert send_contact(first.test_client()).status_code == 429  # the other "worker" counted too
    for each in (first, second):
        with each.app_context():
            db.engine.dispose()
