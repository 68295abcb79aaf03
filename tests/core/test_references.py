"""A reference number is given once: never again after its record is erased or purged."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from koki_site.core import register
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest
from tests.helpers.contact import reference_of, send_contact
from tests.helpers.rights import ask

pytestmark = pytest.mark.db


def erase_everything_of(app, email):
    with app.app_context():
        for _, handlers in register.handlers_of(app):
            if handlers.erase:
                handlers.erase(email)
        db.session.commit()


def test_a_contact_reference_is_never_given_twice_after_an_erasure(app, client):
    first = reference_of(send_contact(client, email="ada@example.org"))
    erase_everything_of(app, "ada@example.org")  # the newest message is gone: its number stays used
    second = reference_of(send_contact(client, email="bob@example.org"))
    assert first.startswith("KOKI-") and second.startswith("KOKI-")
    assert second != first
    assert int(second.rsplit("-", 1)[1]) > int(first.rsplit("-", 1)[1])


def test_a_rights_reference_is_never_given_twice_after_a_purge(app, client, runner):
    assert ask(client, "access", "ada@example.org").status_code == 303
    with app.app_context():
        (first,) = db.session.scalars(select(RightsRequest.reference)).all()
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    assert runner.invoke(args=["purge", "--as-of", later]).exit_code == 0  # never verified: purged
    with app.app_context():
        assert db.session.scalars(select(RightsRequest)).all() == []
    assert ask(client, "access", "bob@example.org").status_code == 303
    with app.app_context():
        (second,) = db.session.scalars(select(RightsRequest.reference)).all()
    assert second != first
