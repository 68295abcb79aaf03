"""Flask-Limiter on public POSTs: a 429 page in the visitor's language; memory or Redis storage."""

import secrets

import pytest
import redis

from koki_site.extensions import db
from tests.helpers import soup
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import subscribe
from tests.helpers.rights import ask

pytestmark = pytest.mark.db


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "CONTACT_RATE_LIMIT": "2 per minute"}


def test_the_third_message_in_a_minute_gets_a_429_with_the_form_and_the_text_in_french(client):
    assert send_contact(client, "fr").status_code == 303
    assert send_contact(client, "fr").status_code == 303
    response = send_contact(client, "fr", message="Mon texte, à ne pas perdre.")
    assert response.status_code == 429
    page = soup(response)
    summary = page.find(id="error-summary")
    assert "plusieurs messages en peu de temps" in summary.get_text()
    typed = page.find("textarea", attrs={"name": "message"}).get_text().strip()
    assert typed == "Mon texte, à ne pas perdre."
    assert page.find("input", attrs={"name": "first_name"})["value"] == "Ada"
    assert client.get("/fr/contact").status_code == 200  # reading the form is not limited


def test_over_the_limit_the_other_forms_keep_what_was_typed_too(app, client):
    app.config.update(NEWSLETTER_RATE_LIMIT="1 per minute", RIGHTS_RATE_LIMIT="1 per minute")
    assert subscribe(client, "ada@example.org").status_code == 303
    response = subscribe(client, "ada+2@example.org", lang="fr")
    assert response.status_code == 429
    assert soup(response).find("input", attrs={"name": "email"})["value"] == "ada+2@example.org"
    assert ask(client, "access", "ada@example.org").status_code == 303
    response = ask(client, "erasure", "ada@example.org", details="Tout, s’il vous plaît.")
    assert response.status_code == 429
    page = soup(response)
    assert page.find("input", attrs={"name": "right", "value": "erasure"}).has_attr("checked")
    assert page.find("textarea", attrs={"name": "details"}).get_text().strip() == "Tout, s’il vous plaît."


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
