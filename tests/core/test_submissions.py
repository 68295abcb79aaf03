"""A form posted twice is stored once; a database failure after the commit is no 500."""

import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from koki_site.rights.models import RightsRequest
from tests.helpers import soup
from tests.helpers.contact import VALID

pytestmark = pytest.mark.db

FORMS = {
    "contact": ("/en/contact", VALID, ContactMessage),
    "newsletter": ("/en/newsletter", {"email": "ada@example.org"}, Subscription),
    "rights": ("/en/rights", {"right": "access", "email": "ada@example.org"}, RightsRequest),
}


def rendered_form(client, path):
    """The hidden fields of the form as the page rendered it: its CSRF token and submission id."""
    page = soup(client.get(path))
    return {
        field["name"]: field["value"] for field in page.find_all("input", type="hidden") if field.get("name")
    }


def rows(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("name", FORMS)
def test_the_same_rendered_form_posted_twice_is_stored_once_and_answered_alike(app, client, smtp, name):
    path, fields, model = FORMS[name]
    data = {**rendered_form(client, path), **fields}
    first = client.post(path, data=data)
    again = client.post(path, data=data)  # a double click, a browser retrying after a lost answer
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert rows(app, model) == 1
    assert len(smtp.wait_for(1)) == 1  # and mailed once
    fresh = {**rendered_form(client, path), **fields, "email": "bob@example.org"}
    assert client.post(path, data=fresh).status_code == 303
    assert rows(app, model) == 2  # another rendering of the form is another message


def test_the_same_form_posted_at_the_same_moment_is_stored_once(app, client):
    data = {**rendered_form(client, "/en/contact"), **VALID}
    cookie = client.get_cookie("session").value
    barrier, answers = threading.Barrier(2), []

    def post():
        other = app.test_client()
        other.set_cookie("session", cookie)
        barrier.wait()
        answers.append(other.post("/en/contact", data=data))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert rows(app, ContactMessage) == 1


@pytest.fixture
def database_fails_after_the_commit(app):
    """The commit succeeds; the next statement of that connection fails, as in a restart."""
    failing = {"on": False}

    def after_commit(connection):
        failing["on"] = True

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if failing["on"]:
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", after_commit)
    event.listen(engine, "before_cursor_execute", before_execute)
    yield failing
    event.remove(engine, "commit", after_commit)
    event.remove(engine, "before_cursor_execute", before_execute)


@pytest.mark.parametrize("app_settings", [{"PROPAGATE_EXCEPTIONS": False}])
@pytest.mark.parametrize("name", FORMS)
def test_a_database_failure_after_the_commit_still_answers_the_success(
    app, client, smtp, database_fails_after_the_commit, name
):
    path, fields, model = FORMS[name]
    data = {**rendered_form(client, path), **fields}
    response = client.post(path, data=data)
    database_fails_after_the_commit["on"] = False
    assert response.status_code == 303  # stored: the visitor is told so, and sends nothing again
    assert rows(app, model) == 1


@pytest.mark.parametrize(
    "app_settings",
    [{"RATELIMIT_ENABLED": True, "CONTACT_RATE_LIMIT": "1 per minute", "RIGHTS_RATE_LIMIT": "1 per minute"}],
)
@pytest.mark.parametrize(
    ("path", "field", "typed"),
    [
        ("/fr/contact", "message", "Deuxième message, tapé avec soin"),
        ("/en/rights", "details", "Please also check my old address"),
    ],
)
def test_a_rate_limited_form_comes_back_with_the_text(client, path, field, typed):
    fields = {**VALID, "right": "access", field: typed}
    assert client.post(path, data={**rendered_form(client, path), **fields}).status_code == 303
    limited = client.post(path, data={**rendered_form(client, path), **fields})
    assert limited.status_code == 429
    page = soup(limited)
    assert page.find("textarea", attrs={"name": field}).get_text().strip() == typed
    assert page.find(role="alert") is not None
