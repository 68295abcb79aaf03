"""Dependencies down, the visitor keeps their text: Redis unreachable, a database too slow."""

import logging
import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from tests.helpers import soup
from tests.helpers.contact import VALID, send_contact

pytestmark = pytest.mark.db
# One worker: its share of the contact limit is all of it (test_rate_limits_redis_down.py divides it).
REDIS_DOWN = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
    "RATE_LIMIT_WORKERS": 1,
}
SLOW_DATABASE = {"DATABASE_STATEMENT_TIMEOUT_MS": 300}
STORY = "Notre laverie est à l’arrêt"


@pytest.fixture
def app_settings(request):
    """The test's settings, with a 500 answered as a 500 (not raised in the test)."""
    return {"PROPAGATE_EXCEPTIONS": False, **getattr(request, "param", {})}


@pytest.mark.parametrize("app_settings", [REDIS_DOWN], indirect=True)
def test_with_the_rate_limit_storage_unreachable_the_form_still_works(app, client, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        assert send_contact(client).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(ContactMessage.id))) == 3
    unreachable = [r for r in caplog.records if "storage unreachable" in r.getMessage()]
    assert len(unreachable) == 1  # logged once, not once per request


@pytest.fixture
def locked_table(app):
    """Another session holds the contact table locked; it lets go after 10 s whatever happens."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the statement timeout is PostgreSQL's")
    engine = create_engine(url)
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("LOCK TABLE contact_message IN ACCESS EXCLUSIVE MODE"))
    release = threading.Timer(10, transaction.rollback)  # a safety net, not a wait
    release.start()
    yield
    release.cancel()
    if transaction.is_active:
        transaction.rollback()
    connection.close()
    engine.dispose()


@pytest.mark.parametrize("app_settings", [SLOW_DATABASE], indirect=True)
def test_a_database_too_slow_answers_503_with_the_text_kept(app, client, locked_table):
    response = send_contact(client, "fr", message=STORY)
    assert response.status_code == 503
    page = soup(response)
    assert (
        page.find("textarea", attrs={"name": "message"}).get_text().strip() == "Notre laverie est à l’arrêt"
    )
    assert page.find("input", attrs={"name": "email"})["value"] == VALID["email"]


@pytest.mark.parametrize("app_settings", [SLOW_DATABASE], indirect=True)
def test_a_page_reading_a_locked_table_answers_503_in_the_visitors_language(app, client, staff, locked_table):
    support = staff("support")
    response = support.get("/staff/messages")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert soup(response).h1.get_text(strip=True) == "Service unavailable"
