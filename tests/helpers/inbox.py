"""Messages stored as the form stores them, and the inbox read as an agent reads it."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from tests.helpers import soup
from tests.helpers.contact import send_contact
from tests.helpers.staff import csrf_token


def one_message(app, client, lang="fr", **fields):
    send_contact(client, lang, **fields)
    with app.app_context():
        return db.session.scalars(select(ContactMessage).order_by(ContactMessage.id.desc())).first().id


def add_messages(app, count, start=0, **fields):
    """count messages, the first the newest (a minute apart); their ids, in that order."""
    now = datetime.now(UTC)
    ids = []
    with app.app_context():
        for n in range(start, start + count):
            values = {
                "reference": f"KOKI-2026-{n + 1:05d}",
                "first_name": "V",
                "last_name": str(n),
                "email": f"v{n}@example.org",
                "company": "",
                "phone": "",
                "message": f"Message number {n}",
                "language": "fr",
                "legal_basis": "legitimate_interests",
                "purpose": "p",
                "policy_version": "v",
                "received_at": now - timedelta(minutes=n),
                "delete_after": now + timedelta(days=365),
                **fields,
            }
            message = ContactMessage(**values)
            db.session.add(message)
            db.session.flush()
            ids.append(message.id)
        db.session.commit()
    return ids


def post_form(client, page, action, **fields):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **fields})


def reply(client, message_id, body, then="stay", query=""):
    page = f"/staff/messages/{message_id}{query}"
    return post_form(client, page, f"/staff/messages/{message_id}/reply{query}", body=body, then=then)


def listed(client, query=""):
    """The ids of the messages of the inbox's page, top to bottom."""
    rows = soup(client.get(f"/staff/messages?{query}")).select("table.inbox tbody tr")
    return [int(row["id"].removeprefix("message-")) for row in rows]


def audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def stored(app, message_id):
    with app.app_context():
        message = db.session.get(ContactMessage, message_id)
        db.session.expunge(message)
        return message
