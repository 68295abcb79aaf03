"""An address is one person's whatever its case (issue 9): the rights reach every record typed in
another case, accented capitals included."""

import json

import pytest

from koki_site import mail
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest
from tests.contact_helpers import send_contact
from tests.newsletter_helpers import subscribe
from tests.rights_helpers import ask, verify_link
from tests.test_rights import every_string_cell

pytestmark = pytest.mark.db
CASES = [
    ("Ada.Lovelace@Example.org", "ada.lovelace@example.org"),
    ("ÉMILE.ZOLA@exemple.fr", "émile.zola@exemple.fr"),  # SQLite's own lower() leaves É as it is
]


def verified(app, smtp, right, email):
    """A new visitor asks for right as email and follows the mail's link: (client, link, page)."""
    client = app.test_client()
    assert ask(client, right, email).status_code == 303
    (message,) = smtp.wait_for(1)
    smtp.messages.clear()
    path = verify_link(message)
    return client, path, client.post(path, data={"action": "verify"})


@pytest.mark.parametrize(("typed", "asked"), CASES)
def test_access_and_erasure_reach_every_record_whatever_the_case(app, smtp, typed, asked):
    send_contact(app.test_client(), "en", email=typed)
    subscribe(app.test_client(), typed)
    with app.app_context():
        mail.queue(typed, "Not sent yet", "A mail still in the outbox.")
        db.session.commit()
    smtp.wait_for(2)
    smtp.messages.clear()

    client, path, _ = verified(app, smtp, "access", asked)
    data = json.loads(client.get(f"{path}/data.json").get_data(as_text=True))
    assert [p["processing"] for p in data["processings"]] == ["contact", "newsletter", "rights"]

    client, path, _ = verified(app, smtp, "erasure", asked.upper())
    client.post(path, data={"action": "erase"})
    with app.app_context():
        outcome = json.loads(db.session.get(RightsRequest, 2).outcome)
    assert outcome["removed"] == {
        "contact messages": 1,
        "newsletter subscriptions": 1,
        "mail waiting to be sent": 1,
    }
    found = {table for table, value in every_string_cell(app) if value and asked in value.lower()}
    assert found == {"rights_request"}


@pytest.mark.parametrize(("typed", "asked"), CASES)
def test_restriction_reaches_every_record_whatever_the_case(app, smtp, typed, asked):
    send_contact(app.test_client(), "en", email=typed)
    subscribe(app.test_client(), typed)
    smtp.wait_for(2)
    smtp.messages.clear()
    client, path, _ = verified(app, smtp, "restriction", asked)
    client.post(path, data={"action": "restrict"})
    with app.app_context():
        outcome = json.loads(db.session.get(RightsRequest, 1).outcome)
    assert outcome["restricted"] == {"contact messages": 1, "newsletter subscriptions": 1}
