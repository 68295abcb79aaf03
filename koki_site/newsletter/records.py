"""Subscribing, confirming, unsubscribing; and what the register needs: purge and due."""

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from koki_site import mail
from koki_site.core import addresses, formats, i18n, register
from koki_site.core.batches import count_where, delete_in_batches
from koki_site.core.periods import Period
from koki_site.core.site_url import external_url
from koki_site.extensions import db
from koki_site.newsletter import tokens
from koki_site.newsletter.models import Subscription, email_hmac

TAG, SPACE = re.compile(r"<[^>]+>"), re.compile(r"\s+")


def consent_text_sha256(lang):
    """SHA-256 of the consent statement the form shows, in lang."""
    with force_locale(lang):
        text = html.unescape(TAG.sub(" ", render_template("newsletter/_consent.html", lang=lang)))
    return hashlib.sha256(SPACE.sub(" ", text).strip().encode()).hexdigest()


def subscribe(address, lang, source):
    """Start (or resend) the double opt-in; the same outcome for the caller whatever is known.

    The mail goes to the address lower-cased, as it is stored (one subscription per address).
    """
    now = datetime.now(UTC)
    address = addresses.normalise(address)
    subscription = db.session.scalar(select(Subscription).where(Subscription.email == address))
    if subscription is None:
        subscription = Subscription(
            email=address,
            email_hmac=email_hmac(address),
            language=lang,
            status="pending",
            legal_basis="consent",
            source=source,
            policy_version=current_app.config["POLICY_VERSION"],
            consent_text_sha256=consent_text_sha256(lang),
            subscribed_at=now,
            last_mailed_at=now,
        )
        db.session.add(subscription)
        db.session.flush()
    elif subscription.status != "pending" or not take_turn_to_mail(subscription, now):
        return
    queue_confirmation(subscription)


def take_turn_to_mail(subscription, now):
    """Whether this request may mail the pending address again: at most once per interval, and a
    conditional update, so that of two requests at the same moment only one does."""
    interval = timedelta(minutes=current_app.config["NEWSLETTER_MAIL_INTERVAL_MINUTES"])
    taken = db.session.execute(
        update(Subscription)
        .where(Subscription.id == subscription.id, Subscription.last_mailed_at <= now - interval)
        .values(last_mailed_at=now)
    )
    return taken.rowcount == 1


def queue_confirmation(subscription):
    lang = subscription.language
    unsubscribe = external_url(
        "newsletter.unsubscribe", lang_code=lang, token=tokens.make(subscription, tokens.UNSUBSCRIBE_SALT)
    )
    confirm = external_url(
        "newsletter.confirm", lang_code=lang, token=tokens.make(subscription, tokens.CONFIRM_SALT)
    )
    with force_locale(lang):
        subject = gettext("Confirm your subscription to the KOKI SOFTWARE newsletter")
        text = render_template("email/newsletter_confirm.txt", confirm=confirm, unsubscribe=unsubscribe)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mail.queue(subscription.email, subject, text, headers=headers, ref=ref_of(subscription), lang=lang)


def ref_of(subscription):
    return f"newsletter:{subscription.id}"


def find_by_token(token, salt, max_age=None):
    """The subscription a valid token was made for, if it still exists with that address."""
    found = tokens.read(token, salt, max_age)
    if found is None:
        return None
    subscription = db.session.get(Subscription, found[0])
    return subscription if subscription and subscription.email_hmac.startswith(found[1]) else None


def confirm(subscription):
    if subscription.status == "pending":
        subscription.status = "confirmed"
        subscription.confirmed_at = datetime.now(UTC)


def unsubscribe(subscription):
    """Withdraw: keep the dates that prove consent and withdrawal, and the address only as a hash."""
    if subscription.status != "unsubscribed":
        mail.cancel(ref_of(subscription))
        subscription.status = "unsubscribed"
        subscription.unsubscribed_at = datetime.now(UTC)
        subscription.email = None


def delete_subscriptions(ids):
    mail.cancel(*(f"newsletter:{subscription_id}" for subscription_id in ids))
    db.session.execute(delete(Subscription).where(Subscription.id.in_(ids)))


def expired(as_of):
    pending_cutoff = Period.from_config("NEWSLETTER_PENDING_DAYS", "day").before(as_of)
    proof_cutoff = Period.from_config("NEWSLETTER_PROOF_RETENTION_MONTHS", "month").before(as_of)
    return {
        "unconfirmed subscriptions": (Subscription.status == "pending")
        & (Subscription.subscribed_at < pending_cutoff),
        "newsletter withdrawal proofs": (Subscription.status == "unsubscribed")
        & (Subscription.unsubscribed_at < proof_cutoff),
    }


def purge(as_of, dry_run):
    return {
        kind: delete_in_batches(Subscription.id, condition, delete_subscriptions, dry_run)
        for kind, condition in expired(as_of).items()
    }


def due(start, end):
    before, after = expired(start), expired(end)
    return {kind: count_where(Subscription.id, after[kind] & ~before[kind]) for kind in after}


# One person's records, for the GDPR rights (through the register): the live subscription
# by its address (stored lower-cased), and the proofs of earlier ones by the address's keyed hash.
def of_person(email):
    return select(Subscription).where(
        (Subscription.email == addresses.normalise(email)) | (Subscription.email_hmac == email_hmac(email))
    )


def find(email):
    return [
        {
            "kind": "newsletter_subscription",
            "reference": ref_of(s),
            "fields": {
                "email": s.email,
                "language": s.language,
                "status": s.status,
                "legal_basis": s.legal_basis,
                "source": s.source,
                "policy_version": s.policy_version,
                "consent_text_sha256": s.consent_text_sha256,
                "subscribed_at": s.subscribed_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
            },
        }
        for s in db.session.scalars(of_person(email).order_by(Subscription.id))
    ]


# A subscription's status, as its subscriber reads it on the rights pages.
VISITOR_STATUS = {
    "pending": lazy_pgettext("subscription status", "Awaiting your confirmation"),
    "confirmed": lazy_pgettext("subscription status", "Subscribed"),
    "unsubscribed": lazy_pgettext("subscription status", "Unsubscribed"),
}


def present(record):
    """One subscription as its subscriber reads it on the rights pages: (label, text) rows."""
    fields = record["fields"]
    rows = [
        (_l("Email address"), fields["email"] or gettext("no longer kept since you unsubscribed")),
        (_l("Status"), VISITOR_STATUS[fields["status"]]),
        (_l("Language"), i18n.language_name(fields["language"])),
        (lazy_pgettext("record field", "Subscribed"), formats.format_moment(fields["subscribed_at"])),
        (
            lazy_pgettext("record field", "Confirmed"),
            formats.format_moment(fields["confirmed_at"]) if fields["confirmed_at"] else gettext("not yet"),
        ),
    ]
    if fields["unsubscribed_at"]:
        unsubscribed = formats.format_moment(fields["unsubscribed_at"])
        rows.append((lazy_pgettext("record field", "Unsubscribed"), unsubscribed))
    return [
        *rows,
        (_l("Legal basis"), register.LEGAL_BASES[fields["legal_basis"]]),
        (_l("Page you subscribed from"), fields["source"]),
        (_l("Privacy policy in force"), formats.format_day(fields["policy_version"])),
        (_l("Fingerprint of the consent statement you read (SHA-256)"), fields["consent_text_sha256"]),
    ]


def erase(email):
    ids = db.session.scalars(of_person(email).with_only_columns(Subscription.id)).all()
    if ids:
        delete_subscriptions(ids)
    return {"newsletter subscriptions": len(ids)}


def restrict(email, restricted):
    subscriptions = db.session.scalars(of_person(email)).all()
    for subscription in subscriptions:
        subscription.restricted = restricted
    return {"newsletter subscriptions": len(subscriptions)}


def withdraw(email):
    live = [s for s in db.session.scalars(of_person(email)) if s.status != "unsubscribed"]
    for subscription in live:
        unsubscribe(subscription)
    return {"newsletter subscriptions": len(live)}


def addresses_held():
    """Every address this processing holds (a restored backup's replay finds people by them)."""
    return db.session.scalars(
        select(Subscription.email).where(Subscription.email.is_not(None)).distinct()
    ).all()
