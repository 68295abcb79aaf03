"""An address is one person's whatever its case: the rights reach every record typed in
another case, accented capitals included, and the migration merges subscriptions that differed
only by case."""

import json
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from koki_site import create_app, mail
from koki_site.core import schema
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest
from tests.conftest import settings
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import subscribe
from tests.helpers.rights import ask, verify_link
from tests.rights.test_views import every_string_cell

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


def migrate_to(revision):
    from flask import current_app
    from flask_migrate import upgrade

    schema.ensure(current_app._get_current_object())
    upgrade(revision=revision)


@pytest.fixture
def empty_database(tmp_path):
    """(URL, engine options) of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.db'}", {}
        return
    schema = f"migration_test_{os.getpid()}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


# The tables as revision 0009 left them, no more: what the rows before the migration hold.
SUBSCRIPTION = sa.table(
    "newsletter_subscription",
    *(sa.column(name, sa.String) for name in ("email", "email_hmac", "language", "status", "legal_basis")),
    *(sa.column(name, sa.String) for name in ("source", "policy_version", "consent_text_sha256")),
    sa.column("id", sa.Integer),
    sa.column("subscribed_at", sa.DateTime(timezone=True)),
    sa.column("last_mailed_at", sa.DateTime(timezone=True)),
    sa.column("restricted", sa.Boolean),
)
OUTBOX = sa.table(
    "mail_outbox",
    *(sa.column(name, sa.String) for name in ("to_address", "subject", "body_text", "ref")),
    sa.column("id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)


def subscription_row(row_id, email, status, restricted=False):
    now = datetime.now(UTC)
    return {
        "id": row_id,
        "email": email,
        "email_hmac": "0" * 64,
        "language": "en",
        "status": status,
        "legal_basis": "consent",
        "source": "/en/newsletter",
        "policy_version": "v",
        "consent_text_sha256": "0" * 64,
        "subscribed_at": now,
        "last_mailed_at": now,
        "restricted": restricted,
    }


def test_the_migration_merges_subscriptions_that_differ_only_by_case(empty_database, tmp_path):
    url, engine_options = empty_database
    config = settings(url, SQLALCHEMY_ENGINE_OPTIONS=engine_options)
    app = create_app(config, instance_path=tmp_path / "instance")
    with app.app_context():
        migrate_to(revision="0009_staff_login_failures")
        rows = [
            subscription_row(1, "Ada@Example.org", "pending"),
            subscription_row(2, "ada@example.org", "confirmed"),
            subscription_row(3, "ADA@example.org", "pending", restricted=True),
            subscription_row(4, "Bob@example.org", "pending"),
            subscription_row(5, "Émile@exemple.fr", "pending"),
            subscription_row(6, "émile@exemple.fr", "pending"),
            subscription_row(7, None, "unsubscribed"),
        ]
        mails = [
            {"id": n, "to_address": "x", "subject": "s", "body_text": "b", "ref": f"newsletter:{n}"}
            for n in (1, 3, 4, 5, 6)
        ]
        with db.engine.begin() as connection:
            connection.execute(SUBSCRIPTION.insert(), rows)
            connection.execute(
                OUTBOX.insert(), [{**m, "created_at": datetime.now(UTC), "attempts": 0} for m in mails]
            )
        migrate_to(revision="0010_addresses_case_insensitive")
        with db.engine.connect() as connection:
            kept = connection.execute(
                sa.select(
                    SUBSCRIPTION.c.id, SUBSCRIPTION.c.email, SUBSCRIPTION.c.status, SUBSCRIPTION.c.restricted
                ).order_by(SUBSCRIPTION.c.id)
            ).all()
            refs = connection.scalars(sa.select(OUTBOX.c.ref).order_by(OUTBOX.c.ref)).all()
        db.engine.dispose()
    assert [tuple(row) for row in kept] == [
        (2, "ada@example.org", "confirmed", True),  # the most advanced; Ada's restriction stays
        (4, "bob@example.org", "pending", False),
        (5, "émile@exemple.fr", "pending", False),  # the oldest of two pending
        (7, None, "unsubscribed", False),
    ]
    assert refs == ["newsletter:4", "newsletter:5"]  # no confirmation mail for a deleted subscription
