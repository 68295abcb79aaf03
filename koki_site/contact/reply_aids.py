"""What an agent writes with: saved replies (per language, shared by support) and a signature each.

The reply box starts with the greeting and the agent's signature in the message's language, in
full view: the mail is exactly what the box holds, nothing is added behind the agent's back.
"""

from flask_babel import force_locale, gettext
from sqlalchemy import select

from koki_site.contact.models import SavedReply, Signature
from koki_site.extensions import db

SIGNATURE_SEPARATOR = "-- "  # RFC 3676 §4.3: mail clients grey out or trim what follows


def saved_replies(language=None):
    query = select(SavedReply).order_by(SavedReply.language, SavedReply.title)
    if language:
        query = query.where(SavedReply.language == language)
    return db.session.scalars(query).all()


def signature(account_id, language):
    found = db.session.get(Signature, (account_id, language))
    return found.body if found else ""


def greeting(message):
    """ "Bonjour Élodie," or "Hello Elodie,": the visitor's language, their first name."""
    with force_locale(message.language):
        return gettext("Hello %(name)s,", name=message.first_name)


def draft(message, account_id):
    """The reply box's first text: the greeting, room to write, the signature."""
    body = f"{greeting(message)}\n\n\n"
    sign = signature(account_id, message.language)
    return f"{body}\n{SIGNATURE_SEPARATOR}\n{sign}" if sign else body


def insert(body, text):
    """body with text added where the agent writes: before the signature, else at the end."""
    body, text = (body or "").rstrip(), text.strip()
    marker = f"\n{SIGNATURE_SEPARATOR}\n"
    head, found, tail = body.partition(marker)
    if not found:
        return f"{body}\n\n{text}\n" if body else f"{text}\n"
    return f"{head.rstrip()}\n\n{text}\n{marker}{tail}"
