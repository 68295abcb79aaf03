"""The visitor's answer to our reply, filed in its thread (`flask mail receive`, mail/inbound.py).

The reply address names the message by its reference; the answer is kept as text with what was
dropped, the message is open again and unread for every agent, support is told, and it is audited.
"""

import hashlib
import json
import re
from datetime import UTC, datetime

from sqlalchemy import exists, select

from koki_site.contact import mails
from koki_site.contact.models import ContactAnswer, ContactMessage
from koki_site.core import audit
from koki_site.extensions import db

REOPENED = ("answered", "closed", "spam")  # an answer makes these open again; new stays new
# The line a mail client writes above what it quotes: "On …, X wrote:", "Le …, X a écrit :".
QUOTE_HEADER = re.compile(r"^(On|Le)\b.*(\bwrote|\ba écrit)\s*:\s*$", re.IGNORECASE)
MAIL_ID_LENGTH = ContactAnswer.__table__.c.mail_id.type.length


def receive(reference, mail):
    """File mail as the answer to the message of that reference; what to tell the server, or None."""
    message = db.session.scalar(select(ContactMessage).where(ContactMessage.reference == reference))
    if message is None:
        return None  # erased or purged: the address is unknown now
    mail_id = kept_mail_id(mail.mail_id)
    if mail_id and db.session.scalar(
        select(exists().where(ContactAnswer.message_id == message.id, ContactAnswer.mail_id == mail_id))
    ):
        return f"already filed with {reference}"  # the server delivered it twice
    now = datetime.now(UTC)
    answer = ContactAnswer(
        message=message,
        received_at=now,
        from_address=mail.sender,
        subject=mail.subject,
        body=mail.text,
        mail_id=mail_id,
        dropped=json.dumps(mail.dropped) if mail.dropped else None,
        from_html=mail.from_html,
        truncated=mail.truncated,
    )
    db.session.add(answer)
    db.session.flush()
    previous = message.status
    if previous in REOPENED:
        message.status = "open"
    message.activity_at = now
    details = {
        "answer": answer.id,
        "attachments_dropped": len(mail.dropped),
        "status": [previous, message.status],
    }
    audit.log("answer_received", target=f"message:{reference}", details=details, actor="mail")
    mails.notify_answer(message)
    db.session.commit()
    return f"filed with {reference}"


def kept_mail_id(mail_id):
    """The Message-ID as stored to file a mail once: as it is when it fits the column, else hashed.

    Hashed rather than cut: two long ids alike in their first 250 characters (one sender's own
    numbering) would be one once cut, and the second answer dropped as "already filed". Equality is
    all that is asked of it: the thread is found by the reply address, never by In-Reply-To or
    References (not kept). An id that fits stays readable, and as the answers filed before have it.
    """
    if mail_id is None or len(mail_id) <= MAIL_ID_LENGTH:
        return mail_id
    return "sha256:" + hashlib.sha256(mail_id.encode("utf-8", "replace")).hexdigest()


def dropped_files(answer):
    """What was not kept of the answer's mail, for the thread: [{"name", "type", "size"}]."""
    return json.loads(answer.dropped) if answer.dropped else []


def split_quote(text):
    """(what the visitor wrote, what their mail client quoted of ours): the quote starts at the first
    "> " line, or at the "… wrote:" line (on one or two lines) just above it."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(">")), None)
    if start is None:
        return text, ""
    above = [i for i in range(start - 1, max(start - 4, -1), -1) if lines[i].strip()][:2]
    for i in reversed(above):  # the header's first line is the farther one
        if QUOTE_HEADER.search(" ".join(lines[j].strip() for j in range(i, start))):
            start = i
            break
    return "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()
