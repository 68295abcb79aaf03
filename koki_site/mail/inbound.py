"""Mail that comes back: `flask mail receive` reads one RFC 5322 message and files it with its record.

For a mail server's pipe (Postfix `pipe`, `fetchmail --mda`): the exit status is what the server
acts on (sysexits.h): 0 filed (or filed before: the same Message-ID), 65 unreadable or too large,
67 no such address (unknown, forged, or its record is gone), 75 try again later (the database
could not be reached). A mail the database refuses, or that fails in any other way, would fail the
same way each time: 65, so that it is bounced rather than tried again for days. Nothing is stored
for a refused mail. Only text is kept, without NUL (PostgreSQL refuses it in text): an HTML-only
mail is turned into text, attachments are dropped and listed by name, type and size; the text is
capped.

Mail knows no record: a capability gives a receiver for the tokens of its reply addresses
(contact: the message reference), `receiver(token, mail) -> "filed" | "duplicate" | None`
(core/capabilities.py).
"""

import email
import email.policy
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr

from flask import current_app
from sqlalchemy import exc

from koki_site.core import capabilities
from koki_site.mail import reply_address

EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 0, 65, 67, 75
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


@dataclass
class Incoming:
    sender: str
    subject: str
    mail_id: str | None
    text: str
    from_html: bool = False
    truncated: bool = False
    dropped: list = field(default_factory=list)  # [{"name", "type", "size"}]


def read_capped(stream, limit):
    """At most limit bytes of stream; None when there is more."""
    raw = stream.read(limit + 1)
    return None if len(raw) > limit else raw


def recipients(message, given=None):
    """The addresses the mail was for: the envelope's (given by the server), then its headers."""
    found = [given] if given else []
    for name in RECIPIENT_HEADERS:
        found += [address for _, address in getaddresses(message.get_all(name, [])) if address]
    return found


def body_text(message, limit):
    """(text, from_html, truncated, dropped): the mail's text, and what was not kept."""
    body = message.get_body(preferencelist=("plain", "html"))
    text, from_html = "", False
    if body is not None:
        text = decoded(body)
        if body.get_content_subtype() == "html":
            from koki_site.mail import html_text  # html.parser: only for the rare HTML-only mail

            text, from_html = html_text.to_text(text), True
    dropped = [
        {
            "name": (part.get_filename() or "").replace("\0", ""),
            "type": part.get_content_type(),
            "size": size_of(part),
        }
        for part in message.walk()
        if not part.is_multipart() and part is not body and is_attachment(part)
    ]
    text = text.replace("\r\n", "\n").replace("\0", "").strip()
    return text[:limit], from_html, len(text) > limit, dropped


def is_attachment(part):
    """A file, not another rendering of the text (the HTML twin of a plain-text body is not noted)."""
    if part.get_content_maintype() not in ("text", "message"):
        return True  # a picture, a PDF, an archive…
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def decoded(part):
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def size_of(part):
    return len(part.get_payload(decode=True) or b"")


def parse(raw):
    """The mail as an Incoming, with its text capped at MAIL_RECEIVE_MAX_CHARS."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text, from_html, truncated, dropped = body_text(message, current_app.config["MAIL_RECEIVE_MAX_CHARS"])
    return message, Incoming(
        sender=parseaddr(header(message, "From"))[1][:254],
        subject=header(message, "Subject")[:250],
        mail_id=header(message, "Message-ID").strip() or None,
        text=text,
        from_html=from_html,
        truncated=truncated,
        dropped=dropped,
    )


def header(message, name):
    """A header's decoded text, without NUL (an encoded word may carry one: =?utf-8?q?a=00b?=)."""
    return str(message.get(name, "")).replace("\0", "")


def receive(raw, recipient=None):
    """File one mail: (exit status, what to tell the mail server)."""
    message, incoming = parse(raw)
    addresses = [a for a in recipients(message, recipient) if reply_address.is_ours(a)]
    if not addresses:
        return EX_NOUSER, "no reply address of ours among the recipients"
    tokens = [token for token in map(reply_address.read, addresses) if token]
    if not tokens:
        return EX_NOUSER, "reply address unknown (its signature does not hold)"
    for receiver in capabilities.provided().mail_receivers:
        outcome = receiver(tokens[0], incoming)
        if outcome:
            return EX_OK, outcome
    return EX_NOUSER, "reply address unknown (no such record)"


def failed(error):
    """(exit status, what to tell the server) when filing raised error. Only an unavailable database
    is worth trying again; anything else (a value the database refuses, a mail our code trips on)
    would fail the same way each time, so the mail is refused: its name alone, never its values."""
    if is_unavailable(error):
        return EX_TEMPFAIL, "database unavailable, try again later"
    return EX_DATAERR, f"mail not filed, it would fail again: {type(error).__name__}"


def is_unavailable(error):
    """The database down, restarting, busy or too slow: an OperationalError, as for the pages (but
    PostgreSQL's class 54, a limit the statement exceeds, comes as one and recurs); no connection
    from the pool in time; a connection lost on the way."""
    if isinstance(error, exc.OperationalError):
        return not str(getattr(error.orig, "sqlstate", None) or "").startswith("54")
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return True
    return getattr(error, "connection_invalidated", False)
