"""Storing a message, and what the register needs of this processing: purge, due, track."""

from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from koki_site import mail
from koki_site.contact import mails, read_marks, search  # noqa: F401  (search keeps the derived columns)
from koki_site.contact.forms import TOPIC_LABELS
from koki_site.contact.models import ContactAnswer, ContactMessage, ContactNote, ContactReply
from koki_site.core import addresses, formats, i18n, phones, register
from koki_site.core.batches import count_where, delete_in_batches
from koki_site.extensions import db

PROCESSING = "contact"
VISITOR_STATUS = {
    "new": lazy_pgettext("request status", "Received"),
    "open": lazy_pgettext("request status", "In progress"),
    "answered": lazy_pgettext("request status", "Answered"),
    "closed": lazy_pgettext("request status", "Closed"),
    "spam": lazy_pgettext("request status", "Closed"),
}


def store(form, language):
    """Add the message to the session, with its legal basis, reference and deletion date."""
    processing = register.get(PROCESSING)
    received = datetime.now(UTC)
    message = ContactMessage(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        company=form.company.data or "",
        phone=form.phone.data or "",
        topic=form.topic.data or None,
        message=form.message.data,
        language=language,
        legal_basis=processing.legal_basis,
        purpose=str(processing.purpose),
        policy_version=current_app.config["POLICY_VERSION"],
        received_at=received,
        activity_at=received,
        delete_after=processing.retention[0].period().after(received),
    )
    db.session.add(message)
    db.session.flush()  # the id makes the reference
    message.reference = f"KOKI-{received.year}-{message.id:05d}"
    return message


def delete_messages(ids):
    """A batch of messages with their thread (replies, notes, answers), read marks, and waiting mail."""
    reply_ids = db.session.scalars(select(ContactReply.id).where(ContactReply.message_id.in_(ids))).all()
    mail.cancel(*map(mails.message_ref, ids), *map(mails.reply_ref, reply_ids))
    for model in (ContactReply, ContactNote, ContactAnswer):
        db.session.execute(delete(model).where(model.message_id.in_(ids)))
    read_marks.forget(ids)
    db.session.execute(delete(ContactMessage).where(ContactMessage.id.in_(ids)))


def purge(as_of, dry_run):
    condition = ContactMessage.delete_after <= as_of
    return {"contact messages": delete_in_batches(ContactMessage.id, condition, delete_messages, dry_run)}


def due(start, end):
    condition = (ContactMessage.delete_after > start) & (ContactMessage.delete_after <= end)
    return {"contact messages": count_where(ContactMessage.id, condition)}


def track(references):
    """The status of the visitor's own messages, by the references signed in their cookie."""
    found = db.session.scalars(select(ContactMessage).where(ContactMessage.reference.in_(references))).all()
    return [
        {"reference": m.reference, "received_at": m.received_at, "status": VISITOR_STATUS[m.status]}
        for m in found
    ]


# One person's records, for the GDPR rights (through the register).
def of_person(email):
    return select(ContactMessage).where(addresses.same(ContactMessage.email, email))


def find(email):
    return [
        {
            "kind": "contact_message",
            "reference": m.reference,
            "fields": {
                "first_name": m.first_name,
                "last_name": m.last_name,
                "email": m.email,
                "company": m.company,
                "phone": m.phone,
                "topic": m.topic,
                "message": m.message,
                "language": m.language,
                "received_at": m.received_at.isoformat(),
                "legal_basis": m.legal_basis,
                "delete_after": m.delete_after.isoformat(),
                "replies": [{"sent_at": r.created_at.isoformat(), "body": r.body} for r in m.replies],
                "answers": [
                    {"received_at": a.received_at.isoformat(), "from": a.from_address, "body": a.body}
                    for a in m.answers
                ],
            },
        }
        for m in db.session.scalars(of_person(email).order_by(ContactMessage.id))
    ]


def present(record):
    """One message as its author reads it on the rights pages: (label, text) rows, plain words."""
    fields = record["fields"]
    rows = [
        (_l("Reference"), record["reference"]),
        (lazy_pgettext("record field", "Received"), formats.format_moment(fields["received_at"])),
        (_l("First name"), fields["first_name"]),
        (_l("Last name"), fields["last_name"]),
        (_l("Email address"), fields["email"]),
        (_l("Company"), fields["company"]),
        (_l("Telephone"), phones.display(fields["phone"])),
        (_l("Subject"), TOPIC_LABELS.get(fields.get("topic"), "")),
        (_l("Your message"), fields["message"]),
        (_l("Language"), i18n.language_name(fields["language"])),
        (_l("Legal basis"), register.LEGAL_BASES[fields["legal_basis"]]),
        (_l("To be deleted on"), formats.format_day(fields["delete_after"])),
    ]
    for reply in fields["replies"]:
        rows.append(
            (gettext("Our reply of %(date)s", date=formats.format_moment(reply["sent_at"])), reply["body"])
        )
    for answer in fields.get("answers", []):
        when = formats.format_moment(answer["received_at"])
        rows.append((gettext("Your answer by email of %(date)s", date=when), answer["body"]))
    return rows


def erase(email):
    ids = db.session.scalars(of_person(email).with_only_columns(ContactMessage.id)).all()
    if ids:
        delete_messages(ids)
    return {"contact messages": len(ids)}


def restrict(email, restricted):
    messages = db.session.scalars(of_person(email)).all()
    for message in messages:
        message.restricted = restricted
    return {"contact messages": len(messages)}


RECTIFIABLE = ("first_name", "last_name", "company", "phone")


def rectify(email, fields):
    messages = db.session.scalars(of_person(email)).all()
    for message in messages:
        for name in RECTIFIABLE:
            if name in fields:
                setattr(message, name, fields[name])
    return {"contact messages": len(messages)}


def addresses_held():
    """Every address this processing holds (a restored backup's replay finds people by them)."""
    return db.session.scalars(
        select(ContactMessage.email).where(ContactMessage.email.is_not(None)).distinct()
    ).all()
