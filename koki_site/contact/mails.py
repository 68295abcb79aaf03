"""The mails of this capability: notifications to support, and replies to visitors.

A reply's Reply-To is the message's own reply address (mail/reply_address.py): the visitor's
answer comes back through `flask mail receive` into the thread (contact/visitor_answers.py).
"""

from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale, gettext

from koki_site import mail
from koki_site.contact.models import ContactReply
from koki_site.core.site_url import external_url
from koki_site.extensions import db
from koki_site.mail import reply_address

REPLY_REF = "contact_reply:"


def message_ref(message_id):
    return f"contact_message:{message_id}"


def reply_ref(reply_id):
    return f"{REPLY_REF}{reply_id}"


def notify_support(message, answer=False):
    """Tell support that a message (or the visitor's answer) arrived: reference and link, no visitor data."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if answer:
            subject = gettext("Answer to contact message %(reference)s", reference=message.reference)
        else:
            subject = gettext("New contact message %(reference)s", reference=message.reference)
        text = mail.render_text(
            "email/contact_notification.txt",
            message=message,
            answer=answer,
            url=external_url("inbox.message", message_id=message.id),
        )
    mail.queue(current_app.config["SUPPORT_EMAIL"], subject, text, ref=message_ref(message.id))


def notify_answer(message):
    notify_support(message, answer=True)


def queue_reply(message, reply):
    """Mail the reply box's text to the visitor, in the language of their message, with its footer."""
    with force_locale(message.language):
        subject = gettext("Your message %(reference)s", reference=message.reference)
        text = mail.render_text("email/contact_reply.txt", message=message, reply=reply)
    headers = {"Reply-To": reply_address.make(message.reference)} | mail.WRITTEN_BY_A_PERSON
    mail.queue(message.email, subject, text, headers=headers, ref=reply_ref(reply.id), lang=message.language)


@mail.delivered.connect
def reply_delivered(sender, ref, **extra):
    set_delivery_status(ref, "sent")


@mail.failed.connect
def reply_failed(sender, ref, **extra):
    set_delivery_status(ref, "failed")


def set_delivery_status(ref, status):
    if not ref or not ref.startswith(REPLY_REF):
        return
    reply = db.session.get(ContactReply, int(ref.removeprefix(REPLY_REF)))
    if reply is not None:
        reply.delivery_status = status
        reply.delivered_at = datetime.now(UTC) if status == "sent" else None
        db.session.commit()
